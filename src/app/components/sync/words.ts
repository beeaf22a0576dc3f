/** Turns sync facts into the plain words people read: ages, reasons, field names. */
import { isMessageCode, message, MESSAGES } from '@shared/index'
import { locale, t } from '@app/i18n'
import { tn } from '@app/i18n/plural'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** "刚刚", "3分钟前", … */
export function agoText(at: number, now: number): string {
  const ms = Math.max(0, now - at)
  if (ms < MINUTE) return t('sync.ago.justNow')
  if (ms < HOUR) return t('sync.ago.minutes', { n: Math.floor(ms / MINUTE) })
  if (ms < DAY) return t('sync.ago.hours', { n: Math.floor(ms / HOUR) })
  return tn('sync.ago.days', Math.floor(ms / DAY))
}

/** The shared message for a code in the current language; the server's own words when the code is unknown. */
export function reasonText(code: string | undefined, reason?: string): string {
  // a limit the message names ({max}) is only in the server's own words
  if (code && isMessageCode(code) && !(reason && MESSAGES[code][0].includes('{'))) return message(code, locale.value)
  return reason || message('invalid_record', locale.value)
}

/** `body.purposes.2` → 走访目的; unknown paths are shown as they are rather than hidden. */
export function fieldText(path: string | undefined): string {
  if (!path) return t('sync.fields.record')
  const key = `sync.fields.${path.split('.').filter((p) => !/^\d+$/.test(p)).join('.')}`
  const text = t(key)
  return text === key ? path : text
}

/** Record types contain dots (`feedback.event`), which the message lookup would read as nesting. */
export function typeText(type: string): string {
  const key = `sync.types.${type.replace(/\./g, '_')}`
  const text = t(key)
  return text === key ? type : text
}
