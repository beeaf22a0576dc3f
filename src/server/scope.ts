/**
 * Where a user may read and write, on the server: the shared effectiveScopes
 * (their scopes plus the reading points they join) over the stored org tree.
 */
import { createHash } from 'node:crypto'
import type { Storage } from './storage'
import { Preloaded } from './lookup'
import { normalizeScopes, parentPath, type OrgNode } from '../shared/org'
import { effectiveScopes as sharedEffectiveScopes, joinedReadingPoints as sharedJoinedReadingPoints } from '../shared/rules'

/**
 * The reading points directly under every ancestor of `scopes`, read first: the shared
 * rules look them up synchronously, and these are the places they look (see ../lookup.ts
 * for what happens should a rule ask elsewhere).
 */
async function pointsAt(storage: Storage, scopes: readonly string[]): Promise<Preloaded<OrgNode[]>> {
  const points = new Preloaded((parent: string) => storage.org.readingPointsUnder([parent]))
  const parents = new Set<string>()
  for (const scope of normalizeScopes(scopes)) for (let p = parentPath(scope); p !== null; p = parentPath(p)) parents.add(p)
  // one read for all of them
  const found = await storage.org.readingPointsUnder([...parents])
  points.set(parents, (parent) => found.filter((n) => parentPath(n.path) === parent))
  return points
}

/** Reading points of the groups and communities the scopes sit in (not those already under a scope). */
export async function joinedReadingPoints(storage: Storage, scopes: readonly string[]): Promise<OrgNode[]> {
  const points = await pointsAt(storage, scopes)
  return points.settle(() => sharedJoinedReadingPoints(scopes, points.get))
}

/** The scopes a request is checked against: the user's own plus their joined reading points. */
export async function effectiveScopes(storage: Storage, scopes: readonly string[]): Promise<string[]> {
  const points = await pointsAt(storage, scopes)
  return points.settle(() => sharedEffectiveScopes(scopes, points.get))
}

/**
 * A short stable name for a set of effective scopes (sorted, so order does not
 * matter): the pull answers it so a device notices when its read scope changed
 * and pulls again from the start to backfill what it could not see before.
 */
export function scopeHash(effective: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(normalizeScopes(effective)), 'utf8').digest('hex').slice(0, 16)
}
