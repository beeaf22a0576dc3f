/**
 * PostgreSQL reads a group's ids before it takes the append lock (so the lock is held
 * for fewer round trips). Another process can store or claim one of those ids in
 * between: the answer must still be exact. Here the test plays that other process,
 * holding the append lock itself while it writes, so the push reads first and waits.
 */
import pg from 'pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { APPEND_LOCK, openPostgres } from '../../../src/server/postgres/db'
import { createPostgresStorage } from '../../../src/server/postgres/storage'
import type { BatchItem, Storage } from '../../../src/server/storage'
import { contentHash } from '../../../src/server/sync/push'
import type { LocalRecord } from '../../../src/shared/records'
import { freshPgSchema, visit } from '../server/helpers'

let schema: Awaited<ReturnType<typeof freshPgSchema>>
let storage: Storage
let side: pg.Client

beforeEach(async () => {
  schema = await freshPgSchema()
  storage = createPostgresStorage(await openPostgres(schema.url, { poolSize: 4 }))
  side = new pg.Client({ connectionString: schema.url })
  await side.connect()
})
afterEach(async () => {
  await side.end()
  await storage.close()
  await schema.drop()
})

const items = (records: LocalRecord[]): BatchItem[] => records.map((record) => ({ kind: 'append', record, hash: contentHash(record), raw: JSON.stringify(record) }))
const ctx = { userId: 'u1', serverTime: '2026-05-01T10:00:00.000Z', reason: (code: string) => `reason ${code}` }

/** Waits until the push waits for the append lock, that is: it has read its ids already. */
async function pushWaitsForLock(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const r = await side.query<{ n: string }>("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
    if (Number(r.rows[0]!.n) >= 1) return
    await new Promise((res) => setTimeout(res, 25))
  }
  throw new Error('the push never waited for the append lock')
}

/** Stores `r` as another process would, under the append lock the test holds. */
async function storeElsewhere(r: LocalRecord, serverTime: string): Promise<number> {
  const res = await side.query<{ seq: string }>(
    `INSERT INTO records (id, type, v, org_path, author_id, device_id, client_time, body, content_hash, server_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING seq`,
    [r.id, r.type, r.v, r.orgPath, r.authorId, r.deviceId, r.clientTime, JSON.stringify(r.body), contentHash(r), serverTime],
  )
  return Number(res.rows[0]!.seq)
}

describe('PostgreSQL: ids read before the append lock', () => {
  it('a record stored by another process between the read and the lock is answered duplicate (same content) or conflict (other content)', async () => {
    const same = visit('u1')
    const other = visit('u1')
    const fresh = visit('u1')
    await side.query('SELECT pg_advisory_lock($1)', [APPEND_LOCK])
    const pushed = storage.records.appendBatch(items([same, other, fresh]), ctx)
    await pushWaitsForLock()
    const sameSeq = await storeElsewhere(same, '2026-05-01T09:59:00.000Z')
    await storeElsewhere({ ...other, body: { ...other.body, note: '别的内容' } }, '2026-05-01T09:59:00.000Z')
    await side.query('SELECT pg_advisory_unlock($1)', [APPEND_LOCK])
    const out = await pushed
    expect(out[0]).toEqual({ status: 'duplicate', seq: sameSeq, serverTime: '2026-05-01T09:59:00.000Z' })
    expect(out[1]).toEqual({ status: 'conflict' })
    expect(out[2]).toEqual({ status: 'accepted', seq: expect.any(Number), serverTime: ctx.serverTime })
    expect((out[2] as { seq: number }).seq).toBeGreaterThan(sameSeq)
    expect(await storage.records.count()).toBe(3)
    expect((await storage.quarantine.list()).map((q) => [q.recordId, q.code])).toEqual([[other.id, 'conflict']])
  })

  it('an id another author claimed between the read and the lock is refused as id_claimed', async () => {
    const mine = visit('u1')
    await side.query('SELECT pg_advisory_lock($1)', [APPEND_LOCK])
    const pushed = storage.records.appendBatch(items([mine]), ctx)
    await pushWaitsForLock()
    await side.query('INSERT INTO record_claims (id, author_id, claimed_at) VALUES ($1, $2, $3)', [mine.id, 'u2', '2026-05-01T09:59:00.000Z'])
    await side.query('SELECT pg_advisory_unlock($1)', [APPEND_LOCK])
    expect(await pushed).toEqual([{ status: 'rejected', code: 'id_claimed', path: 'id' }])
    expect(await storage.records.count()).toBe(0)
    expect((await storage.quarantine.list()).map((q) => [q.recordId, q.code])).toEqual([[mine.id, 'id_claimed']])
  })

  it('control: without anything in between, the records keep the order of the batch', async () => {
    const batch = Array.from({ length: 30 }, () => visit('u1'))
    const out = await storage.records.appendBatch(items(batch), ctx)
    const seqs = out.map((o) => (o as { seq: number }).seq)
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
    expect(new Set(seqs).size).toBe(30)
  })
})
