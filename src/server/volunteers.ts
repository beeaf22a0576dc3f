/**
 * A volunteer account on the server: which registered volunteers it acts as
 * (by phone) and so which records it may read and write
 * (src/shared/volunteerScope.ts). Looked up for each request through the
 * register's indexes (storage.volunteers, ./volunteerIndex/store.ts), never by
 * reading the community's log; leaders and staff get null (nothing is narrowed
 * for them).
 */
import type { Storage } from './storage'
import type { SessionUser } from '../shared/roles'
import type { Actor } from '../shared/rules'
import { volunteerReader, type VolunteerReader } from '../shared/volunteerScope'

/** The reader of a volunteer account, or null for anyone else. */
export async function volunteerReaderFor(storage: Storage, user: Pick<SessionUser, 'role' | 'phone' | 'scopes'>): Promise<VolunteerReader | null> {
  if (user.role !== 'volunteer') return null
  return volunteerReader(await storage.volunteers.ofPhone(user.scopes, user.phone), user.phone)
}

/**
 * What the rule table's Actor adds for an author who is a volunteer account
 * (`volunteer`, the registrations it acts as); nothing for anyone else. A record
 * checked on the author's behalf (a handover placed by staff) is judged as the
 * author's own push would be.
 */
export async function volunteerActorFields(storage: Storage, user: Pick<SessionUser, 'role' | 'phone' | 'scopes'>): Promise<Pick<Actor, 'volunteer' | 'volunteerIds'>> {
  const reader = await volunteerReaderFor(storage, user)
  return reader ? { volunteer: true, volunteerIds: [...reader.volunteerIds] } : {}
}
