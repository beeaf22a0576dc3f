import type { RouteLocationRaw } from 'vue-router'

/** The feedback form, filled in from a visit: where, which household, and which visit it came from. */
export function feedbackFromVisit(building: string, household: string, visitId: string): RouteLocationRaw {
  return { path: '/feedback/new', query: { orgPath: building, household, channel: 'visit', sourceType: 'visit', sourceId: visitId } }
}
