import { mayReportBack, type CareItem, type FeedbackActor, type FeedbackView } from '@shared/index'

const DAY_MS = 86_400_000

/** Which list a 今日 line comes from; each has its own section, in this order. */
export type TodaySection = 'care' | 'inbox' | 'callback' | 'news'
export const TODAY_SECTIONS: readonly TodaySection[] = ['care', 'inbox', 'callback', 'news']

/**
 * One thing to do today. `late` is whole days past due (care) or waiting
 * (feedback), the sort key after `urgent`; news lines carry -1 so they come
 * after anything that is waiting on the person.
 */
export interface TodayItem {
  key: string
  section: TodaySection
  urgent: boolean
  late: number
  /** the care item or feedback it stands for */
  care?: CareItem
  feedback?: FeedbackView
  /** the screen where the action is: one tap away */
  to: string
}

/** Care households due today or overdue. */
export function careToday(items: readonly CareItem[], pathOf: (building: string, household: string) => string): TodayItem[] {
  return items
    .filter((i) => i.overdueDays >= 0)
    .map((i) => ({ key: `care:${i.building}:${i.household}`, section: 'care', urgent: false, late: i.overdueDays, care: i, to: pathOf(i.building, i.household) }))
}

/** Feedback waiting at my level: urgent first, then how long it has waited here (trusted `at.levelSince`). */
export function inboxToday(inbox: readonly FeedbackView[], now: number): TodayItem[] {
  return inbox.map((f) => ({
    key: `inbox:${f.id}`,
    section: 'inbox',
    urgent: f.urgency === 'urgent',
    late: Math.max(0, Math.floor((now - f.at.levelSince) / DAY_MS)),
    feedback: f,
    to: `/feedback/${f.id}`,
  }))
}

/**
 * Resolved items waiting for 回访 (telling the resident what became of it):
 * resolved, no 回访 recorded yet, and mine to report back (I raised it, or my
 * level resolved it: the shared `mayReportBack`). `late` = whole days since the
 * trusted resolution time; the item's page is where the 回访 form opens.
 */
export function callbackToday(views: Iterable<FeedbackView>, actor: FeedbackActor | null, now: number): TodayItem[] {
  if (!actor) return []
  const items: TodayItem[] = []
  for (const f of views) {
    if (f.status !== 'resolved' || f.reportedBack || f.at.resolved === undefined || !mayReportBack(f, actor)) continue
    items.push({ key: `callback:${f.id}`, section: 'callback', urgent: false, late: Math.max(0, Math.floor((now - f.at.resolved) / DAY_MS)), feedback: f, to: `/feedback/${f.id}` })
  }
  return items
}

/** Items I raised that someone else moved since I last opened them (feedback/news.ts). */
export function newsToday(views: readonly FeedbackView[]): TodayItem[] {
  return views.map((f) => ({ key: `news:${f.id}`, section: 'news', urgent: false, late: -1, feedback: f, to: `/feedback/${f.id}` }))
}

/** Most urgent first: urgent, then the longest past due, then a steady order by key. */
export function byUrgency(a: TodayItem, b: TodayItem): number {
  return Number(b.urgent) - Number(a.urgent) || b.late - a.late || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
}

/** The sections with their items, each sorted most urgent first; empty sections are kept so the screen can say "nothing". */
export function todayList(parts: readonly TodayItem[][]): Map<TodaySection, TodayItem[]> {
  const out = new Map<TodaySection, TodayItem[]>(TODAY_SECTIONS.map((s) => [s, []]))
  for (const item of parts.flat()) out.get(item.section)?.push(item)
  for (const list of out.values()) list.sort(byUrgency)
  return out
}
