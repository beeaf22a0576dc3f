/**
 * PostgreSQL ordering under concurrency: a pull never skips a record that commits
 * late and never returns one twice. One push transaction is held open (a trigger
 * waits on a lock the test holds) while another server process (a second storage on
 * its own pool) sends a push, then pulls run. Within one process, batches that wait
 * are written in one group (../../../src/server/groupCommit.ts); across processes the
 * append lock orders them.
 */
import pg from 'pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openPostgres, type Pool } from '../../../src/server/postgres/db'
import { createPostgresStorage } from '../../../src/server/postgres/storage'
import type { BatchItem, Storage } from '../../../src/server/storage'
import { contentHash } from '../../../src/server/sync/push'
import { seedDemo } from '../../../src/server/demo'
import { B01, demoPasswordHash, freshPgSchema, visit } from '../server/helpers'
import type { LocalRecord } from '../../../src/shared/records'

const HOLD_LOCK = 4242

let schema: Awaited<ReturnType<typeof freshPgSchema>>
let pool: Pool
let storage: Storage
/** a second server process's storage on the same database */
let other: Storage
let side: pg.Client

beforeEach(async () => {
  schema = await freshPgSchema()
  pool = await openPostgres(schema.url, { poolSize: 6 })
  storage = createPostgresStorage(pool)
  other = createPostgresStorage(await openPostgres(schema.url, { poolSize: 2 }))
  await seedDemo(storage, { passwordHash: await demoPasswordHash() })
  side = new pg.Client({ connectionString: schema.url })
  await side.connect()
  // A record from device 'hold' waits, inside its push transaction and after its
  // insert took a seq, until the test releases HOLD_LOCK.
  await side.query(`CREATE FUNCTION hold_insert() RETURNS trigger AS $$
    BEGIN IF NEW.device_id = 'hold' THEN PERFORM pg_advisory_lock(${HOLD_LOCK}); PERFORM pg_advisory_unlock(${HOLD_LOCK}); END IF; RETURN NEW; END
    $$ LANGUAGE plpgsql`)
  await side.query('CREATE TRIGGER hold_insert AFTER INSERT ON records FOR EACH ROW EXECUTE FUNCTION hold_insert()')
})
afterEach(async () => {
  await side.end()
  await other.close()
  await storage.close()
  await schema.drop()
})

const items = (records: LocalRecord[]): BatchItem[] => records.map((record) => ({ kind: 'append', record, hash: contentHash(record), raw: '' }))
const ctx = { userId: 'u', serverTime: '2026-05-01T10:00:00.000Z', reason: () => 'x' }

/** Waits until `n` sessions wait for a lock (the held push, and the push queued behind it). */
async function waitForWaiters(n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const r = await side.query<{ n: string }>("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
    if (Number(r.rows[0]!.n) >= n) return
    await new Promise((res) => setTimeout(res, 25))
  }
  throw new Error(`fewer than ${n} sessions ever waited for a lock`)
}

/** Pulls everything after `cursor` for B01, page by page, as a device does. */
async function pullAll(cursor: number): Promise<{ ids: string[]; cursor: number }> {
  const ids: string[] = []
  for (;;) {
    const page = await storage.records.pull([B01], cursor, 2)
    ids.push(...page.records.map((r) => r.id))
    if (page.records.length) cursor = page.records[page.records.length - 1]!.seq
    if (!page.more) return { ids, cursor }
  }
}

describe('PostgreSQL: pull under concurrent commits', () => {
  it("a push held open keeps another process's push waiting, so a pull never passes its lower seq; everything arrives once, in seq order", async () => {
    await side.query('SELECT pg_advisory_lock($1)', [HOLD_LOCK])
    const held = visit('u', { deviceId: 'hold' })
    const later = [visit('u'), visit('u')]
    const first = storage.records.appendBatch(items([held]), ctx)
    await waitForWaiters(1)
    const second = other.records.appendBatch(items(later), ctx)
    await waitForWaiters(2)

    // both pushes are in flight: a device pulling now sees neither and keeps its cursor
    const before = await pullAll(0)
    expect(before.ids).toEqual([])

    await side.query('SELECT pg_advisory_unlock($1)', [HOLD_LOCK])
    const [a, b] = await Promise.all([first, second])
    expect(a[0]).toMatchObject({ status: 'accepted' })
    expect(b.map((o) => o.status)).toEqual(['accepted', 'accepted'])
    const seqs = [...a, ...b].map((o) => (o as { seq: number }).seq)
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y)) // the held push has the lowest seq and committed first

    const after = await pullAll(before.cursor)
    expect(after.ids).toEqual([held.id, ...later.map((r) => r.id)])
    expect((await pullAll(after.cursor)).ids).toEqual([])
  })

  it('control: without the append lock, the same interleaving makes a pull skip the late commit', async () => {
    // What appendBatch prevents, done by hand: the lower seq commits after a higher one was pulled.
    const t1 = await pool.connect()
    const t2 = await pool.connect()
    const row = (r: LocalRecord) => [r.id, r.type, r.v, r.orgPath, r.authorId, r.deviceId, r.clientTime, JSON.stringify(r.body), contentHash(r), ctx.serverTime]
    const insert = `INSERT INTO records (id, type, v, org_path, author_id, device_id, client_time, body, content_hash, server_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING seq`
    const low = visit('u')
    const high = visit('u')
    try {
      await t1.query('BEGIN')
      const lowSeq = (await t1.query<{ seq: number }>(insert, row(low))).rows[0]!.seq
      const highSeq = (await t2.query<{ seq: number }>(insert, row(high))).rows[0]!.seq
      expect(lowSeq).toBeLessThan(highSeq)
      const seen = await pullAll(0)
      expect(seen.ids).toEqual([high.id])
      await t1.query('COMMIT')
      expect((await pullAll(seen.cursor)).ids).toEqual([]) // `low` is stored, and this cursor never reaches it
    } finally {
      t1.release()
      t2.release()
    }
  })

  it('many concurrent pushes to two processes while a device keeps pulling: every accepted record is pulled exactly once', async () => {
    await side.query('DROP TRIGGER hold_insert ON records')
    const pulled: string[] = []
    let cursor = 0
    let pushing = true
    const puller = (async () => {
      while (pushing) {
        const page = await pullAll(cursor)
        pulled.push(...page.ids)
        cursor = page.cursor
      }
      pulled.push(...(await pullAll(cursor)).ids)
    })()
    const accepted: string[] = []
    await Promise.all(
      Array.from({ length: 6 }, async (_, w) => {
        for (let i = 0; i < 8; i++) {
          const batch = Array.from({ length: 5 }, () => visit('u'))
          const out = await (w % 2 ? other : storage).records.appendBatch(items(batch), ctx)
          out.forEach((o, k) => o.status === 'accepted' && accepted.push(batch[k]!.id))
        }
      }),
    )
    pushing = false
    await puller
    expect(accepted).toHaveLength(240)
    expect(new Set(pulled).size).toBe(pulled.length)
    expect([...pulled].sort()).toEqual([...accepted].sort())
  })
})
