/** A correction's before → after, as words: labels for outcomes and purposes, dates for times. */
import { t } from '@app/i18n'
import { whenText } from './words'

export function fieldLabel(field: string): string {
  const key = `rounds.changeFields.${field}`
  const text = t(key)
  return text === key ? field : text
}

export function valueText(field: string, value: unknown): string {
  if (field === 'outcome' && typeof value === 'string') return t(`visits.outcomes.${value}`)
  if (field === 'purposes' && Array.isArray(value)) return value.length ? value.map((p) => t(`visits.purposes.${String(p)}`)).join('、') : t('rounds.empty')
  if (field === 'visitedAt' && typeof value === 'string') return whenText(value)
  if (typeof value === 'string') return value.trim() ? `“${value}”` : t('rounds.empty')
  return value === undefined ? t('rounds.empty') : String(value)
}
