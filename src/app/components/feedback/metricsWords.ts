/** The seed's feedback numbers as people read them: shares in per cent, durations in hours or days. */
import { DAY_MS } from '@shared/index'
import { t } from '@app/i18n'
import { tn } from '@app/i18n/plural'

const HOUR_MS = 60 * 60 * 1000

export function percentText(share: number | null): string {
  return share === null ? t('feedback.metrics.none') : `${Math.round(share * 100)}%`
}

export function durationText(ms: number | null): string {
  if (ms === null) return t('feedback.metrics.none')
  if (ms < HOUR_MS) return t('feedback.metrics.minutes', { n: Math.max(1, Math.round(ms / 60_000)) })
  if (ms < 2 * DAY_MS) return t('feedback.metrics.hours', { n: Math.max(1, Math.round(ms / HOUR_MS)) })
  return tn('feedback.metrics.days', Math.round((ms / DAY_MS) * 10) / 10)
}
