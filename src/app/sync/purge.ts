/**
 * A device holds only what its person may read now (PIPL Art. 47, 51):
 *
 * - an erasure (`household.erasure`) that reaches the device, by pull or made here,
 *   redacts its copies of the household's records with the same function the server
 *   ran (src/shared/erasure.ts), so both hold the same bodies;
 * - when the server answers a read scope or role other than the one stored (a group
 *   leader moved to another group, a role changed), the records outside the new
 *   scope, and the types the role no longer reads (profiles, care details:
 *   `mayReadType`), are deleted, except this device's own records still waiting in
 *   the outbox (they are its person's unsent work and leave with the push).
 *
 * Both run inside the caller's transaction (storePage, saveRecord), over `records`,
 * `outbox` and `meta`.
 */
import { erasureCovers, erasureRedactions, isUnderAny, mayReadType, normalizeScopes, type AnyRecord, type Role } from '@shared/index'
import type { LoudongDB } from '@app/db/database'

/**
 * Redacts the local copies of every household erased by one of `records`: those the
 * erasure covers (`erasureCovers`: earlier in the log, not yet synced, or made before
 * it), as the server does. Returns how many bodies changed.
 */
export async function applyErasures(db: LoudongDB, records: readonly AnyRecord[]): Promise<number> {
  let changed = 0
  for (const erasure of records) {
    if (erasure.type !== 'household.erasure') continue
    const at = await db.records.where('orgPath').equals(erasure.orgPath).toArray()
    const before = at.filter((r) => erasureCovers(r, erasure))
    const rewrites = erasureRedactions(erasure.body.household, before)
    if (!rewrites.length) continue
    const byId = new Map(at.map((r) => [r.id, r]))
    // the redacted body as the server stores it; the rest of the record is unchanged
    await db.records.bulkPut(rewrites.map((w) => ({ ...byId.get(w.id)!, body: w.body }) as AnyRecord))
    changed += rewrites.length
  }
  return changed
}

/** The read scope and role the device last purged for (meta `readScope`). */
export interface ReadScope {
  scopes: string[]
  role: Role
}

function sameReadScope(a: ReadScope | undefined, b: ReadScope): boolean {
  return !!a && a.role === b.role && JSON.stringify(normalizeScopes(a.scopes)) === JSON.stringify(normalizeScopes(b.scopes))
}

/**
 * Deletes the records the person may no longer read, when `now` differs from the read
 * scope stored at the last purge (the first answer that names one purges once too).
 * Returns how many records were deleted.
 */
export async function purgeOutsideScope(db: LoudongDB, now: ReadScope): Promise<number> {
  if (sameReadScope(await db.getMeta('readScope'), now)) return 0
  const queued = new Set(await db.outbox.toCollection().primaryKeys())
  const gone: string[] = []
  await db.records.each((r) => {
    if (queued.has(r.id)) return
    if (!isUnderAny(r.orgPath, now.scopes) || !mayReadType(now.role, r.type)) gone.push(r.id)
  })
  if (gone.length) await db.records.bulkDelete(gone)
  await db.setMeta('readScope', { scopes: normalizeScopes(now.scopes), role: now.role })
  return gone.length
}
