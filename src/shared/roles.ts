import type { Level } from './org'

export const ROLES = [
  'building_leader',
  'group_leader',
  'community_staff',
  'street_staff',
  'district_staff',
  'admin',
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
