import { momentText, monthText } from '@app/i18n/dates'

/** China keeps one offset all year, so local Shanghai time is a fixed shift from UTC. */
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000

/** "5月3日 08:30" / "May 3, 08:30": the app's one moment style (i18n/dates.ts) */
export const whenText = (iso: string): string => momentText(iso)

/** "2024年5月" / "May 2024" from a month key `2024-05` (i18n/dates.ts) */
export { monthText }

/** An instant as the value of `<input type="datetime-local">` in Shanghai time. */
export function toLocalInput(iso: string): string {
  return new Date(Date.parse(iso) + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16)
}

/** Back from the input's value (Shanghai wall time) to an ISO instant. */
export function fromLocalInput(value: string): string {
  return `${value}:00+08:00`
}
