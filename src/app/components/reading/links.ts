import type { RouteLocationRaw } from 'vue-router'
import type { SessionDraft } from '@shared/index'

/** The point page of a reading point; its org path becomes the repeatable `point` param. */
export function pointRoute(path: string): RouteLocationRaw {
  return { name: 'reading-point', params: { point: path.split('/') } }
}

/** The org path back from the `point` param. */
export function pointFromParam(param: string | string[] | undefined): string | null {
  if (!param) return null
  return Array.isArray(param) ? param.join('/') : param
}

/** The feedback form, filled in as collected at this session; it comes back here when done. */
export function feedbackRoute(draft: SessionDraft): RouteLocationRaw {
  return {
    path: '/feedback/new',
    query: { orgPath: draft.pointPath, channel: 'reading', sourceType: 'reading.session', sourceId: draft.id, returnTo: '/reading/session' },
  }
}
