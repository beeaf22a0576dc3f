/**
 * Calendar arithmetic in the users' own time zone. Months and "this month" are
 * Asia/Shanghai months whatever zone the phone or server is set to.
 */
export const TIME_ZONE = 'Asia/Shanghai'
const OFFSET_MS = 8 * 60 * 60 * 1000 // China has no daylight saving

/** `YYYY-MM` of an instant in Asia/Shanghai. */
export function monthKey(instant: string | number | Date): string {
  const t = new Date(new Date(instant).getTime() + OFFSET_MS)
  return `${t.getUTCFullYear()}-${String(t.getUTCMonth() + 1).padStart(2, '0')}`
}

/** `YYYY-MM-DD` of an instant in Asia/Shanghai. */
export function dayKey(instant: string | number | Date): string {
  const t = new Date(new Date(instant).getTime() + OFFSET_MS)
  return t.toISOString().slice(0, 10)
}

export function previousMonthKey(key: string): string {
  const [y, m] = key.split('-').map(Number) as [number, number]
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`
}
