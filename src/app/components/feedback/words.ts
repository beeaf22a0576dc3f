/** Plain words for feedback: places, ages, levels and who acted. */
import { DAY_MS, ancestorAt, type FeedbackTimelineEntry, type FeedbackView, type Level, type OrgNode, type Person, type Role } from '@shared/index'
import { t } from '@app/i18n'
import { tn } from '@app/i18n/plural'
import { addressText, buildingText } from '@app/i18n/address'
import { momentText } from '@app/i18n/dates'

/** who works at a level, for 社区工作人员 rather than 社区 */
const ROLE_AT: Record<Level, Role> = { building: 'building_leader', group: 'group_leader', community: 'community_staff', street: 'street_staff', district: 'district_staff' }

/** "5月1日 14:02": the device time people entered or acted (the app's one moment style, i18n/dates.ts) */
export const whenText = (iso: string): string => momentText(iso)

/** "今天" / "3 天前" since it was raised */
export function ageText(iso: string, now: number): string {
  const days = Math.floor(Math.max(0, now - Date.parse(iso)) / DAY_MS)
  return days === 0 ? t('feedback.item.today') : tn('feedback.item.age', days, { days })
}

export function levelText(level: Level): string {
  return t(`feedback.levels.${level}`)
}

/** "已解决 · 社区" */
export function statusText(view: Pick<FeedbackView, 'status' | 'currentLevel' | 'resolvedLevel'>): string {
  const level = view.status === 'resolved' ? (view.resolvedLevel ?? view.currentLevel) : view.currentLevel
  return t('feedback.statusAt', { status: t(`feedback.status.${view.status}`), level: levelText(level) })
}

/** "1栋 2单元 302" or the reading point / group name; the path itself when the device does not know it. */
export function placeText(orgPath: string, household: string | undefined, nodes: ReadonlyMap<string, OrgNode>): string {
  const node = nodes.get(orgPath)
  const name = node?.name ?? orgPath
  return household ? addressText(node?.name ?? orgPath, household) : buildingText(name)
}

/** The building an item belongs to (a reading point or group item has none). */
export function buildingOf(orgPath: string): string | null {
  const b = ancestorAt(orgPath, 'building')
  return b === orgPath ? b : null
}

/** "社区工作人员": who works at a level. */
export function roleAtText(level: Level): string {
  return t(`org.roles.${ROLE_AT[level]}`)
}

/**
 * Who acted: 我(张秀英) for the signed-in person, 刘敏(社区工作人员) for someone in
 * the people list, else `unknown` (the device has no name for them).
 */
export function actorText(authorId: string, me: { id: string; name: string } | null, person: Person | undefined, unknown: string): string {
  if (me && authorId === me.id) return t('feedback.timeline.me', { name: me.name })
  if (person) return t('feedback.timeline.person', { name: person.name, role: t(`org.roles.${person.role}`) })
  return unknown
}

/**
 * Who acted in a timeline step. Without a name, a resolution still names its
 * author's own level (the server refuses any other), so that is said.
 */
export function whoText(entry: FeedbackTimelineEntry, me: { id: string; name: string } | null, person?: Person): string {
  const unknown = entry.action === 'resolve' && entry.atLevel ? roleAtText(entry.atLevel) : t('feedback.timeline.someone')
  return actorText(entry.authorId, me, person, unknown)
}

/** "上报到社区", "在社区解决", "备注" … */
export function actionText(entry: FeedbackTimelineEntry): string {
  switch (entry.action) {
    case 'escalate':
      return t('feedback.timeline.escalate', { level: entry.toLevel ? levelText(entry.toLevel) : '' })
    case 'resolve':
      return t('feedback.timeline.resolve', { level: levelText(entry.level) })
    case 'report_back':
      return t('feedback.timeline.report_back', {
        how: entry.how ? t(`feedback.reportBack.hows.${entry.how}`) : '',
        view: entry.residentView ? t(`feedback.reportBack.views.${entry.residentView}`) : '',
      })
    default:
      return t(`feedback.timeline.${entry.action}`)
  }
}
