import { TIME_ZONE } from '@shared/index'
import { locale } from '@app/i18n'

/** China keeps one offset all year, so local Shanghai time is a fixed shift from UTC. */
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000

/** "5月3日 08:30" / "May 3, 08:30", always in Shanghai time whatever the device zone. */
export function whenText(iso: string): string {
  return new Date(iso).toLocaleString(locale.value, { timeZone: TIME_ZONE, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false })
}

/** "2024年5月" / "May 2024" from a month key `2024-05`. */
export function monthText(key: string): string {
  const [y, m] = key.split('-').map(Number)
  return new Date(Date.UTC(y!, m! - 1, 15)).toLocaleDateString(locale.value, { timeZone: 'UTC', year: 'numeric', month: 'short' })
}

/** An instant as the value of `<input type="datetime-local">` in Shanghai time. */
export function toLocalInput(iso: string): string {
  return new Date(Date.parse(iso) + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16)
}

/** Back from the input's value (Shanghai wall time) to an ISO instant. */
export function fromLocalInput(value: string): string {
  return `${value}:00+08:00`
}
