/** The wide layout's filters over the feedback in a person's scopes: a pure function, tested on its own. */
import { DAY_MS, isUnder, type FeedbackCategory, type FeedbackStatus, type FeedbackView, type Level } from '@shared/index'

export const AGES = { d3: 3, d7: 7, d30: 30 } as const
export type AgeKey = keyof typeof AGES

export interface FeedbackFilters {
  status: FeedbackStatus | null
  category: FeedbackCategory | null
  /** the level that holds it now */
  level: Level | null
  /** a building's org path */
  building: string | null
  /** raised at least this long ago */
  age: AgeKey | null
}

export const NO_FILTERS: FeedbackFilters = { status: null, category: null, level: null, building: null, age: null }

export function isFiltering(f: FeedbackFilters): boolean {
  return Object.values(f).some((v) => v !== null)
}

/** Items matching every set filter: urgent open ones first, then oldest first, as an inbox reads. */
export function applyFilters(views: readonly FeedbackView[], f: FeedbackFilters, now: number): FeedbackView[] {
  return views
    .filter((v) => !f.status || v.status === f.status)
    .filter((v) => !f.category || v.category === f.category)
    .filter((v) => !f.level || v.currentLevel === f.level)
    .filter((v) => !f.building || isUnder(v.orgPath, f.building))
    .filter((v) => !f.age || now - Date.parse(v.raisedAt) >= AGES[f.age] * DAY_MS)
    .sort((a, b) => rank(a) - rank(b) || Date.parse(a.raisedAt) - Date.parse(b.raisedAt))
}

function rank(v: FeedbackView): number {
  if (v.status === 'resolved') return 2
  return v.urgency === 'urgent' ? 0 : 1
}
