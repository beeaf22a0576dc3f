/**
 * What the feedback form is opened with: a visit or a reading session links
 * here with the place, the household, how it was collected and where it came
 * from. Anything malformed in the query is dropped rather than saved.
 */
import type { LocationQuery } from 'vue-router'
import { CHANNELS, FEEDBACK_SOURCE_TYPES, UUID_RE, type Channel, type FeedbackSourceType, type Level, type OrgNode } from '@shared/index'

export interface RaiseContext {
  orgPath: string | null
  household: string | null
  channel: Channel | null
  source: { type: FeedbackSourceType; id: string } | null
  /** an in-app path to go back to after saving */
  returnTo: string | null
}

const one = (v: LocationQuery[string] | undefined): string | null => (typeof v === 'string' && v ? v : null)

export function raiseContext(query: LocationQuery): RaiseContext {
  const channel = one(query.channel)
  const sourceType = one(query.sourceType)
  const sourceId = one(query.sourceId)
  const returnTo = one(query.returnTo)
  return {
    orgPath: one(query.orgPath),
    household: one(query.household),
    channel: channel && (CHANNELS as readonly string[]).includes(channel) ? (channel as Channel) : null,
    source:
      sourceType && sourceId && (FEEDBACK_SOURCE_TYPES as readonly string[]).includes(sourceType) && UUID_RE.test(sourceId)
        ? { type: sourceType as FeedbackSourceType, id: sourceId }
        : null,
    // only a path inside the app: never another site, never a protocol-relative URL
    returnTo: returnTo && returnTo.startsWith('/') && !returnTo.startsWith('//') ? returnTo : null,
  }
}

/** Draft key: one half-typed form per place and source, so two visits never share a draft. */
export function raiseDraftKey(ctx: RaiseContext): string {
  return `feedback.new:${ctx.source?.id ?? ''}:${ctx.orgPath ?? ''}:${ctx.household ?? ''}`
}

/**
 * Places someone may raise feedback at, from their level: a building leader
 * their buildings; a group leader the group and its buildings; community staff
 * the community, its groups and buildings; street and district their communities.
 */
export function placesFor(level: Level, scopes: readonly string[], under: (scopes: readonly string[], kind: OrgNode['kind']) => OrgNode[]): OrgNode[] {
  switch (level) {
    case 'building':
      return under(scopes, 'building')
    case 'group':
      return [...under(scopes, 'group'), ...under(scopes, 'building')]
    case 'community':
      return [...under(scopes, 'community'), ...under(scopes, 'group'), ...under(scopes, 'building')]
    default:
      return under(scopes, 'community')
  }
}
