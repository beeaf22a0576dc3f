/** A handed-over record in a few words for the staff screen: what it says, not its JSON. */
import { roomLabel, type HandedOverItem } from '@shared/index'
import { t } from '@app/i18n'

function str(v: unknown): string {
  return typeof v === 'string' ? v : ''
}

/** The room ("302") when the record is about one household, else ''. */
export function roomOf(item: HandedOverItem): string {
  const h = str(item.record?.body.household)
  return h ? roomLabel(h) : ''
}

/** "无人在家 · 老人说药快吃完了", "电梯经常停", "独居老人"… */
export function summaryOf(item: HandedOverItem): string {
  const r = item.record
  if (!r) return t('handover.unreadable')
  const b = r.body
  switch (r.type) {
    case 'visit':
      return [t(`visits.outcomes.${str(b.outcome)}`), str(b.note)].filter(Boolean).join(' · ')
    case 'feedback':
      return str(b.description)
    case 'feedback.event':
      return str(b.text)
    case 'care.flag':
      return [t(`rounds.care.kinds.${str(b.kind)}`), str(b.note)].filter(Boolean).join(' · ')
    case 'household.profile':
      return str(b.displayName)
    case 'reading.session':
      return str(b.notes)
    default:
      return str(b.reason)
  }
}
