/**
 * Where a user may read and write, on the server: the shared effectiveScopes
 * (their scopes plus the reading points they join) over the stored org tree.
 */
import { createHash } from 'node:crypto'
import type { Storage } from './storage'
import { normalizeScopes, type OrgNode } from '../shared/org'
import { effectiveScopes as sharedEffectiveScopes, joinedReadingPoints as sharedJoinedReadingPoints } from '../shared/rules'

/** Reading points of the groups and communities the scopes sit in (not those already under a scope). */
export function joinedReadingPoints(storage: Storage, scopes: readonly string[]): OrgNode[] {
  return sharedJoinedReadingPoints(scopes, (p) => storage.org.readingPointsAt(p))
}

/** The scopes a request is checked against: the user's own plus their joined reading points. */
export function effectiveScopes(storage: Storage, scopes: readonly string[]): string[] {
  return sharedEffectiveScopes(scopes, (p) => storage.org.readingPointsAt(p))
}

/**
 * A short stable name for a set of effective scopes (sorted, so order does not
 * matter): the pull answers it so a device notices when its read scope changed
 * and pulls again from the start to backfill what it could not see before.
 */
export function scopeHash(effective: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(normalizeScopes(effective)), 'utf8').digest('hex').slice(0, 16)
}
