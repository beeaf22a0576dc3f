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

const formatters = new Map<string, Intl.DateTimeFormat>()

/**
 * One formatter per style and language, made once: toLocaleString builds a new one on
 * every call, and a screen of visits calls it for each line on every render.
 */
function formatter(style: 'moment' | 'day', options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${style}|${locale.value}`
  let made = formatters.get(key)
  if (!made) formatters.set(key, (made = new Intl.DateTimeFormat(locale.value, options)))
  return made
}

/** `at`: an ISO instant or epoch ms */
export function momentText(at: string | number): string {
  return formatter('moment', { timeZone: TIME_ZONE, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(at))
}

/** `at`: an ISO instant or epoch ms */
export function dayText(at: string | number): string {
  return formatter('day', { timeZone: TIME_ZONE, month: 'short', day: 'numeric' }).format(new Date(at))
}

/** `key`: a month key `2024-05` */
export function monthText(key: string): string {
  const [y, m] = key.split('-').map(Number)
  return new Date(Date.UTC(y!, m! - 1, 15)).toLocaleDateString(locale.value, { timeZone: 'UTC', year: 'numeric', month: 'short' })
}
