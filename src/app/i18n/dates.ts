/**
 * The app's date styles: one per kind of date, always in Shanghai time
 * whatever the device's zone (China keeps one offset all year).
 * - a moment something happened: "5月1日 14:02" / "May 1, 14:02"
 * - a day: "5月1日" / "May 1"
 * - a month: "2024年5月" / "May 2024"
 * Relative ages ("3 天前") are words of their own (sync/words.ts, feedback/words.ts).
 */
import { TIME_ZONE } from '@shared/index'
import { locale } from './index'

/** `at`: an ISO instant or epoch ms */
export function momentText(at: string | number): string {
  return new Date(at).toLocaleString(locale.value, { timeZone: TIME_ZONE, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false })
}

/** `at`: an ISO instant or epoch ms */
export function dayText(at: string | number): string {
  return new Date(at).toLocaleDateString(locale.value, { timeZone: TIME_ZONE, month: 'short', day: 'numeric' })
}

/** `key`: a month key `2024-05` */
export function monthText(key: string): string {
  const [y, m] = key.split('-').map(Number)
  return new Date(Date.UTC(y!, m! - 1, 15)).toLocaleDateString(locale.value, { timeZone: 'UTC', year: 'numeric', month: 'short' })
}
