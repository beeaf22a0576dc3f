/**
 * Where a user may read and write. Their scopes, plus the reading points they
 * take part in: the seed has building leaders and group leaders read the paper at
 * the reading point of their group or community, which does not lie under a
 * building. This mirrors `readingPointsFor` in the app's org store.
 */
import { createHash } from 'node:crypto'
import type { Storage } from './storage'
import { normalizeScopes } from './storage'
import { isUnderAny, parentPath, type OrgNode } from '../shared/org'

/** Reading points of the groups and communities the scopes sit in (not those already under a scope). */
export async function joinedReadingPoints(storage: Storage, scopes: readonly string[]): Promise<OrgNode[]> {
  const found = new Map<string, OrgNode>()
  for (const scope of normalizeScopes(scopes)) {
    for (let p = parentPath(scope); p !== null; p = parentPath(p)) {
      for (const rp of await storage.org.readingPointsAt(p)) if (!isUnderAny(rp.path, scopes)) found.set(rp.path, rp)
    }
  }
  return [...found.values()]
}

/** The scopes a request is checked against: the user's own plus their joined reading points. */
export async function effectiveScopes(storage: Storage, scopes: readonly string[]): Promise<string[]> {
  return normalizeScopes([...scopes, ...(await joinedReadingPoints(storage, scopes)).map((n) => n.path)])
}

/**
 * A short stable name for a set of effective scopes (sorted, so order does not
 * matter): the pull answers it so a device notices when its read scope changed
 * and pulls again from the start to backfill what it could not see before.
 */
export function scopeHash(effective: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(normalizeScopes(effective)), 'utf8').digest('hex').slice(0, 16)
}
