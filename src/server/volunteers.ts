/**
 * A volunteer account on the server: which registered volunteers it acts as
 * (by phone) and so which records it may read and write
 * (src/shared/volunteerScope.ts). Read from the log of its community for each
 * request; leaders and staff get null (nothing is narrowed for them).
 */
import type { Storage } from './storage'
import { recordsUnder } from './ledger/load'
import type { SessionUser } from '../shared/roles'
import { volunteerReader, type VolunteerReader } from '../shared/volunteerScope'

/** The reader of a volunteer account, or null for anyone else. */
export async function volunteerReaderFor(storage: Storage, user: Pick<SessionUser, 'role' | 'phone' | 'scopes'>): Promise<VolunteerReader | null> {
  if (user.role !== 'volunteer') return null
  const records = (await Promise.all(user.scopes.map((s) => recordsUnder(storage, s)))).flat()
  return volunteerReader(records, user.phone)
}
