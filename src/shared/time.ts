/**
 * Calendar arithmetic in the users' own time zone. Months and "this month" are
 * Asia/Shanghai months whatever zone the phone or server is set to.
 */
export const TIME_ZONE = 'Asia/Shanghai'
const OFFSET_MS = 8 * 60 * 60 * 1000 // China has no daylight saving

const parsed = new Map<string, number>()

/**
 * `Date.parse(iso)`, remembered for the last few hundred strings: the records of a
 * pushed batch mostly share their instants (one clientTime, one visitedAt), and each
 * is read by several checks (≈ 1 µs a parse, several a record, on every push).
 */
export function parseInstant(iso: string): number {
  let t = parsed.get(iso)
  if (t === undefined) {
    if (parsed.size >= 256) parsed.clear()
    t = Date.parse(iso)
    parsed.set(iso, t)
  }
  return t
}

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

export const DAY_MS = 24 * 60 * 60 * 1000

/**
 * An instant a device gave (ISO), as epoch ms kept within what can be trusted:
 * not before `notBefore` (epoch ms: 2020, or the step it follows) and not after
 * `notAfter` (the server's receipt, ISO, when the record has reached the
 * server). An unreadable time falls back to the latest bound there is.
 */
export function boundedTime(iso: string, bounds: { notBefore: number; notAfter?: string | undefined }): number {
  const ceiling = bounds.notAfter === undefined ? Infinity : parseInstant(bounds.notAfter)
  const t = parseInstant(iso)
  if (Number.isNaN(t)) return Number.isFinite(ceiling) ? ceiling : bounds.notBefore
  return Math.max(bounds.notBefore, Math.min(t, ceiling))
}

/** The instant a Shanghai month `YYYY-MM` begins, as epoch ms. */
export function monthStart(key: string): number {
  const [y, m] = key.split('-').map(Number) as [number, number]
  return Date.UTC(y, m - 1, 1) - OFFSET_MS
}

/** A Shanghai month as a half-open range of instants [from, to), for reports and metrics. */
export function monthRange(key: string): { from: number; to: number } {
  const [y, m] = key.split('-').map(Number) as [number, number]
  return { from: monthStart(key), to: Date.UTC(y, m, 1) - OFFSET_MS }
}

/** Whole calendar days from day key `a` to day key `b` (`YYYY-MM-DD`); negative when b is earlier. */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS)
}

/**
 * ISO-8601 week `YYYY-Www` of an instant in Asia/Shanghai: weeks start on Monday
 * and belong to the year that holds their Thursday, so 2026-12-31 can be in 2026-W53
 * and 2027-01-01 in it too.
 */
export function isoWeekKey(instant: string | number | Date): string {
  const t = new Date(new Date(instant).getTime() + OFFSET_MS)
  const day = Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate())
  const weekday = (t.getUTCDay() + 6) % 7 // Monday 0 … Sunday 6
  const thursday = new Date(day + (3 - weekday) * DAY_MS)
  const year = thursday.getUTCFullYear()
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1
  return `${year}-W${String(week).padStart(2, '0')}`
}

/** The instant the ISO week `YYYY-Www` begins (Monday 00:00 in Shanghai), as epoch ms. */
export function weekStart(key: string): number {
  const m = /^(\d{4})-W(\d{2})$/.exec(key)
  if (!m) return Number.NaN
  const year = Number(m[1])
  const jan4 = Date.UTC(year, 0, 4)
  const jan4Weekday = (new Date(jan4).getUTCDay() + 6) % 7
  const week1Monday = jan4 - jan4Weekday * DAY_MS
  return week1Monday + (Number(m[2]) - 1) * 7 * DAY_MS - OFFSET_MS
}
