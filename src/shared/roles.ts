import type { Level } from './org'

export const ROLES = [
  'building_leader',
  'group_leader',
  'community_staff',
  'street_staff',
  'district_staff',
  'admin',
  'volunteer',
] as const
export type Role = (typeof ROLES)[number]

/** The level a role works at: its inbox, and the level it resolves feedback at. */
export const ROLE_LEVEL: Record<Role, Level> = {
  building_leader: 'building',
  group_leader: 'group',
  community_staff: 'community',
  street_staff: 'street',
  district_staff: 'district',
  admin: 'district',
  // a volunteer holds no level: the lowest one, so they can amend nobody else's record
  volunteer: 'building',
}

/**
 * The kind of org node a role's scope is: its level, but a volunteer account
 * works in a community (the wall and their pairings there), though the server
 * gives it only the volunteer records that concern it (src/shared/volunteerScope.ts).
 */
export function scopeKindOf(role: Role): Level {
  return role === 'volunteer' ? 'community' : ROLE_LEVEL[role]
}

export interface SessionUser {
  id: string
  name: string
  phone: string
  role: Role
  /** org paths this user may read and write under */
  scopes: string[]
  /** logged in with a one-time code from staff: only choosing a new password is allowed until then */
  mustChangePassword?: boolean
}
