/**
 * Pull: page through the server log after our cursor. Each page and the cursor
 * that follows it are stored together, so an interrupted pull resumes exactly
 * where the last stored page ended.
 */
import { PULL_DEFAULT_LIMIT, type StoredRecord } from '@shared/index'
import type { LoudongDB } from '@app/db/database'
import { guardedWrite } from '@app/db/guarded'
import type { SyncApi } from './api'
import { assertOwner, type Owner } from './owner'
import type { TransportFailure } from './transport'

export type PullOutcome = { kind: 'done'; stored: number } | { kind: 'failed'; failure: TransportFailure }

function looksStored(r: unknown): r is StoredRecord {
  const rec = r as Partial<StoredRecord> | null
  return !!rec && typeof rec.id === 'string' && typeof rec.seq === 'number' && typeof rec.serverTime === 'string'
}

/**
 * Records are immutable: one already here keeps its body and only learns its seq.
 * With `owner`, stores nothing (throws SessionChangedError) when the device no
 * longer belongs to the session the pull began with.
 */
export async function storePage(db: LoudongDB, records: readonly StoredRecord[], cursor: number, owner?: Owner): Promise<number> {
  return guardedWrite(db, () => db.transaction('rw', db.records, db.meta, async () => {
    if (owner) await assertOwner(db, owner)
    const existing = await db.records.bulkGet(records.map((r) => r.id))
    const fresh: StoredRecord[] = []
    for (const [i, record] of records.entries()) {
      const local = existing[i]
      if (!local) fresh.push(record)
      else if (local.seq === undefined) await db.records.update(record.id, { seq: record.seq, serverTime: record.serverTime })
    }
    await db.records.bulkPut(fresh)
    const stored = (await db.getMeta('cursor')) ?? 0
    await db.setMeta('cursor', Math.max(stored, cursor))
    return fresh.length
  }))
}

export async function pullAll(db: LoudongDB, api: SyncApi, limit = PULL_DEFAULT_LIMIT, owner?: Owner): Promise<PullOutcome> {
  let cursor = (await db.getMeta('cursor')) ?? 0
  let stored = 0
  for (;;) {
    const res = await api.pull(cursor, limit)
    if (res.kind !== 'ok') return { kind: 'failed', failure: res }
    const page = res.data
    if (!Array.isArray(page?.records) || typeof page.cursor !== 'number') return { kind: 'failed', failure: { kind: 'network', message: 'bad_response' } }
    stored += await storePage(db, page.records.filter(looksStored), page.cursor, owner)
    // a cursor that does not move would loop forever
    if (!page.more || page.cursor <= cursor) return { kind: 'done', stored }
    cursor = page.cursor
  }
}
