import type { FeedbackTimelineEntry, FeedbackView } from '@shared/index'

/** What counts as news on an item I raised: someone else moved it. Comments are read on the page, not announced. */
const NEWS_ACTIONS: ReadonlySet<FeedbackTimelineEntry['action']> = new Set(['resolve', 'escalate', 'reopen'])

/**
 * How many steps others took on this item that changed it (effective resolve,
 * escalate or reopen by anyone but `me`). A seen mark stores this number: the
 * item has news while its count is above the mark. Counts only grow, since the
 * timeline is an append-only log.
 */
export function newsCount(view: Pick<FeedbackView, 'timeline'>, me: string): number {
  return view.timeline.filter((e) => e.effective && e.authorId !== me && NEWS_ACTIONS.has(e.action)).length
}

/**
 * The items I raised with steps by others I have not opened since: the ids
 * with their current count. `seen` maps feedback id → the count when I last
 * opened it (missing: never).
 */
export function newsFor(views: Iterable<FeedbackView>, me: string, seen: Readonly<Record<string, number>>): Map<string, number> {
  const out = new Map<string, number>()
  for (const v of views) {
    if (v.raisedBy !== me) continue
    const n = newsCount(v, me)
    if (n > (seen[v.id] ?? 0)) out.set(v.id, n)
  }
  return out
}

/** The latest step by others, for the 有新进展 line: which action. */
export function latestNews(view: Pick<FeedbackView, 'timeline'>, me: string): FeedbackTimelineEntry | undefined {
  return [...view.timeline].reverse().find((e) => e.effective && e.authorId !== me && NEWS_ACTIONS.has(e.action))
}
