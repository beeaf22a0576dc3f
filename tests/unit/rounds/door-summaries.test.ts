/**
 * Issue 17: per-door last-visit summaries (src/app/db/doors.ts) always equal
 * the fold of the whole log, whatever order records reach the phone in, in
 * whatever batches, with corrections, voids, amendments arriving before their
 * visit, seqs learned later, a refused visit mended into another room, records
 * handed over (deleted) and the logout wipe.
 */
import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { LoudongDB } from '@app/db/database'
import { claimRecords, doorTablesFrom, rebuildDoorsIfOwed, type DoorEntryRow, type DoorSummary } from '@app/db/doors'
import { pullAll, storePage } from '@app/sync/pull'
import { applyResults } from '@app/sync/push'
import type { SyncApi } from '@app/sync/api'
import { saveRecord } from '@app/sync/outbox'
import { foldVisits } from '@shared/fold'
import { householdRef, isAttemptVisit, isCoveringVisit, lastVisits } from '@shared/rounds'
import type { AnyRecord, LocalRecord, Outcome, PullResponse, PushResult, StoredRecord } from '@shared/index'

const BUILDINGS = ['pl/td/mtx/g01/b01', 'pl/td/mtx/g01/b02']
const HOUSEHOLDS = ['1-1-1', '1-1-2', '1-2-1']
const OUTCOMES: Outcome[] = ['met', 'nobody_home', 'declined']

/** mulberry32: the same seed gives the same case, so a failure names its seed */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** What the summaries must be: the shared fold of every record on the device. */
function expected(records: readonly AnyRecord[]): DoorSummary[] {
  const visits = foldVisits(records)
  const met = lastVisits(visits, isCoveringVisit)
  const attempt = lastVisits(visits, isAttemptVisit)
  const out: DoorSummary[] = []
  for (const ref of new Set([...met.keys(), ...attempt.keys()])) {
    const v = (met.get(ref) ?? attempt.get(ref))!
    const m = met.get(ref)
    const a = attempt.get(ref)
    out.push({ ref, building: v.orgPath, household: v.household, ...(m ? { met: { id: m.id, at: m.visitedAt } } : {}), ...(a ? { attempt: { id: a.id, at: a.visitedAt } } : {}) })
  }
  return out.sort((x, y) => (x.ref < y.ref ? -1 : 1))
}

async function summaries(db: LoudongDB): Promise<DoorSummary[]> {
  return (await db.doors.toArray()).sort((x, y) => (x.ref < y.ref ? -1 : 1))
}

function byId(rows: readonly DoorEntryRow[]): DoorEntryRow[] {
  return [...rows].sort((x, y) => (x.id < y.id ? -1 : 1))
}

async function truth(db: LoudongDB): Promise<DoorSummary[]> {
  return expected(await db.records.toArray())
}

const base = (id: string, orgPath: string) => ({ id, v: 1, orgPath, authorId: 'u1', deviceId: 'd1', clientTime: '2026-11-01T00:00:00.000Z' })

/** A random log: visits (times on a few minutes, so ties happen), corrections and voids of them, a void of something else. */
function randomLog(next: () => number, n: number): AnyRecord[] {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!
  const time = () => new Date(Date.UTC(2026, 9 + Math.floor(next() * 2), 1 + Math.floor(next() * 3), 2, Math.floor(next() * 3))).toISOString()
  const out: AnyRecord[] = []
  const visits: AnyRecord[] = []
  for (let i = 0; i < n; i++) {
    const id = `r${String(i).padStart(4, '0')}`
    const roll = next()
    if (roll < 0.55 || visits.length === 0) {
      const r = { ...base(id, pick(BUILDINGS)), type: 'visit', body: { household: pick(HOUSEHOLDS), outcome: pick(OUTCOMES), purposes: [], note: '', visitedAt: time() } } as unknown as AnyRecord
      visits.push(r)
      out.push(r)
    } else if (roll < 0.8) {
      const target = pick(visits)
      const which = next()
      const fields = which < 0.33 ? { outcome: pick(OUTCOMES) } : which < 0.66 ? { visitedAt: time() } : which < 0.85 ? { outcome: pick(OUTCOMES), visitedAt: time() } : { note: '改了备注' }
      out.push({ ...base(id, target.orgPath), type: 'correction', body: { target: target.id, targetType: 'visit', fields } } as unknown as AnyRecord)
    } else if (roll < 0.95) {
      const target = pick(visits)
      out.push({ ...base(id, target.orgPath), type: 'void', body: { target: target.id, reason: '记错了' } } as unknown as AnyRecord)
    } else {
      out.push({ ...base(id, pick(BUILDINGS)), type: 'void', body: { target: 'not-a-visit-here', reason: '读报记错' } } as unknown as AnyRecord)
    }
  }
  // about half reached the server (seq in log order), the rest are still only on this phone
  let seq = 0
  return out.map((r) => (next() < 0.5 ? ({ ...r, seq: ++seq } as AnyRecord) : r))
}

function shuffled<T>(xs: readonly T[], next: () => number): T[] {
  const a = [...xs]
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    ;[a[i], a[j]] = [a[j]!, a[i]!]
  }
  return a
}

describe('per-door summaries', () => {
  it('equal the fold of the whole log for any order, batching, seq learned later, mend, hand-over and wipe (80 random cases)', async () => {
    for (let seed = 1; seed <= 80; seed++) {
      const next = rng(seed)
      const db = new LoudongDB(`doors-${seed}-${Math.random().toString(36).slice(2)}`)
      const log = randomLog(next, 10 + Math.floor(next() * 40))
      const order = shuffled(log, next)
      // random batches, written by bulkPut, bulkAdd or one put at a time, inside transactions or not
      for (let i = 0; i < order.length; ) {
        const size = 1 + Math.floor(next() * 6)
        const batch = order.slice(i, i + size)
        i += size
        const how = next()
        if (how < 0.4) await db.records.bulkPut(batch)
        else if (how < 0.7) await db.transaction('rw', db.records, db.meta, () => db.records.bulkAdd(batch))
        else for (const r of batch) await db.records.put(r)
      }
      expect(await summaries(db), `seed ${seed}: after arrival`).toEqual(await truth(db))

      // the server stamps a seq on some records that had none (push accepted them)
      let seq = 1000
      const unsynced = (await db.records.toArray()).filter((r) => r.seq === undefined)
      await db.records.bulkPut(shuffled(unsynced, next).slice(0, Math.ceil(unsynced.length / 2)).map((r) => ({ ...r, seq: ++seq })))
      expect(await summaries(db), `seed ${seed}: after seqs learned`).toEqual(await truth(db))

      // a refused visit mended (as requeueRejected does: no seq, it never entered the server's log): another room, another outcome, same id
      const visit = (await db.records.where('type').equals('visit').toArray()).find((r) => r.seq === undefined)
      if (visit?.type === 'visit') {
        await db.records.put({ ...visit, body: { ...visit.body, household: HOUSEHOLDS[(HOUSEHOLDS.indexOf(visit.body.household) + 1) % HOUSEHOLDS.length]!, outcome: 'met' } })
        expect(await summaries(db), `seed ${seed}: after a mend`).toEqual(await truth(db))
      }

      // records handed over to the community leave the phone (visits and amendments alike)
      const gone = shuffled(await db.records.toCollection().primaryKeys(), next).slice(0, 3)
      await db.records.bulkDelete(gone)
      expect(await summaries(db), `seed ${seed}: after hand-over`).toEqual(await truth(db))

      // the door rows an upgrade builds from the records equal the kept ones, entry rows included
      const rebuilt = doorTablesFrom(await db.records.toArray())
      expect(rebuilt.doors.sort((x, y) => (x.ref < y.ref ? -1 : 1)), `seed ${seed}: rebuilt`).toEqual(await summaries(db))
      expect(byId(rebuilt.doorEntries), `seed ${seed}: rebuilt entries`).toEqual(byId(await db.doorEntries.toArray()))

      await db.records.clear()
      expect(await db.doors.count()).toBe(0)
      expect(await db.doorEntries.count()).toBe(0)
      db.close()
    }
  }, 300_000)

  it('are written by a save and by a pulled page in their own transaction, and read by building', async () => {
    const db = new LoudongDB(`doors-paths-${Math.random().toString(36).slice(2)}`)
    const [b1, b2] = BUILDINGS as [string, string]
    const saved = await saveRecord(db, {
      type: 'visit', orgPath: b1, authorId: 'u1', deviceId: 'd1', now: Date.parse('2026-11-02T02:00:00Z'),
      body: { household: '1-1-1', outcome: 'nobody_home', purposes: [], note: '', visitedAt: '2026-11-02T02:00:00.000Z' },
    })
    const pulled: StoredRecord[] = [
      { ...base('0190b3f0-0000-7000-8000-000000000001', b1), type: 'visit', seq: 1, serverTime: '2026-11-01T02:00:00.000Z', body: { household: '1-1-1', outcome: 'met', purposes: [], note: '', visitedAt: '2026-11-01T02:00:00.000Z' } },
      { ...base('0190b3f0-0000-7000-8000-000000000002', b2), type: 'visit', seq: 2, serverTime: '2026-11-01T02:00:00.000Z', body: { household: '1-2-1', outcome: 'met', purposes: [], note: '', visitedAt: '2026-11-01T03:00:00.000Z' } },
      { ...base('0190b3f0-0000-7000-8000-000000000003', b2), type: 'void', seq: 3, serverTime: '2026-11-01T02:00:00.000Z', body: { target: '0190b3f0-0000-7000-8000-000000000002', reason: '记错了' } },
    ] as StoredRecord[]
    await storePage(db, pulled, 3)
    expect(await db.doors.where('building').equals(b1).toArray()).toEqual([
      { ref: householdRef(b1, '1-1-1'), building: b1, household: '1-1-1', met: { id: pulled[0]!.id, at: '2026-11-01T02:00:00.000Z' }, attempt: { id: saved.id, at: '2026-11-02T02:00:00.000Z' } },
    ])
    // the only visit of b2 was voided: no door there has a colour
    expect(await db.doors.where('building').equals(b2).count()).toBe(0)
    expect(await summaries(db)).toEqual(await truth(db))
    db.close()
  })

  /** A server that answers pulls from `log` (in seq order) a page at a time; `failAt`: the page that gets no answer. */
  function pullApi(log: readonly StoredRecord[], failAt = Infinity): SyncApi {
    let pages = 0
    return {
      push: () => Promise.reject(new Error('no push here')),
      missing: () => Promise.reject(new Error('no missing here')),
      pull: async (after, limit) => {
        if (++pages >= failAt) return { kind: 'network', message: 'offline' }
        const rest = log.filter((r) => r.seq > after)
        const records = rest.slice(0, limit)
        const data: PullResponse = { records, cursor: records.length ? records[records.length - 1]!.seq : after, more: rest.length > limit, now: '2026-11-30T00:00:00.000Z' }
        return { kind: 'ok', status: 200, data } as Awaited<ReturnType<SyncApi['pull']>>
      },
    }
  }

  /** A random log as the server holds it: every record numbered, a few amendments numbered before their visit. */
  function serverLog(next: () => number, n: number): StoredRecord[] {
    const log = randomLog(next, n).map((r) => ({ ...r }) as AnyRecord)
    // swap a few neighbours so that some amendments come before their visit
    for (let i = 1; i < log.length; i++) if (next() < 0.15) [log[i - 1], log[i]] = [log[i]!, log[i - 1]!]
    return log.map((r, i) => ({ ...r, seq: i + 1, serverTime: '2026-11-01T00:00:00.000Z' }) as StoredRecord)
  }

  it('a first download into an empty device, summarised once at its end, equals the page-by-page result and the fold (40 random cases)', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const next = rng(1000 + seed)
      const log = serverLog(next, 10 + Math.floor(next() * 40))
      const limit = 1 + Math.floor(next() * 7)
      const first = new LoudongDB(`doors-first-${seed}-${Math.random().toString(36).slice(2)}`)
      expect(await pullAll(first, pullApi(log), limit), `seed ${seed}`).toEqual({ kind: 'done', stored: log.length })
      const paged = new LoudongDB(`doors-paged-${seed}-${Math.random().toString(36).slice(2)}`)
      for (let i = 0; i < log.length; i += limit) await storePage(paged, log.slice(i, i + limit), log[Math.min(i + limit, log.length) - 1]!.seq)
      expect(await summaries(first), `seed ${seed}: summaries`).toEqual(await summaries(paged))
      expect(await summaries(first), `seed ${seed}: fold`).toEqual(await truth(first))
      expect(byId(await first.doorEntries.toArray()), `seed ${seed}: entries`).toEqual(byId(await paged.doorEntries.toArray()))
      expect(await first.getMeta('doorsStale')).toBeUndefined()
      first.close()
      paged.close()
    }
  }, 300_000)

  it('a first download cut off by the network, or by the app being closed, still leaves summaries equal to the fold', async () => {
    const next = rng(77)
    const log = serverLog(next, 60)
    // the third page gets no answer: the two stored ones are summarised before the pull returns
    const cut = new LoudongDB(`doors-cut-${Math.random().toString(36).slice(2)}`)
    expect((await pullAll(cut, pullApi(log, 3), 10)).kind).toBe('failed')
    expect(await cut.records.count()).toBe(20)
    expect(await summaries(cut)).toEqual(await truth(cut))
    expect(await cut.getMeta('doorsStale')).toBeUndefined()
    cut.close()

    // the app closed after two deferred pages: the mark stays with them, and the next pull rebuilds first
    const closed = new LoudongDB(`doors-closed-${Math.random().toString(36).slice(2)}`)
    await storePage(closed, log.slice(0, 10), 10, undefined, true, { deferDoors: true })
    await storePage(closed, log.slice(10, 20), 20, undefined, true, { deferDoors: true })
    expect(await closed.getMeta('doorsStale')).toBe(true)
    expect(await closed.doors.count()).toBe(0)
    expect(await pullAll(closed, pullApi(log.slice(0, 20)), 10)).toEqual({ kind: 'done', stored: 0 })
    expect(await summaries(closed)).toEqual(await truth(closed))
    expect(await closed.getMeta('doorsStale')).toBeUndefined()
    closed.close()

    // the same, opened offline (no pull): the rounds screen's rebuild owed; once done, nothing more is owed
    const offline = new LoudongDB(`doors-offline-${Math.random().toString(36).slice(2)}`)
    await storePage(offline, log.slice(0, 10), 10, undefined, true, { deferDoors: true })
    expect(await offline.doors.count()).toBe(0)
    expect(await rebuildDoorsIfOwed(offline)).toBe(true)
    expect(await summaries(offline)).toEqual(await truth(offline))
    expect(await offline.doors.count()).toBeGreaterThan(0)
    expect(await rebuildDoorsIfOwed(offline)).toBe(false)
    offline.close()
  })

  it("a push's acknowledgement (seqs stamped) leaves every summary as it was and equal to the fold; amendments' rows learn their seq (20 random cases)", async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const next = rng(2000 + seed)
      // this phone's own records, none sent yet
      const mine = randomLog(next, 10 + Math.floor(next() * 30)).map(({ seq: _seq, ...r }) => r as AnyRecord)
      const db = new LoudongDB(`doors-ack-${seed}-${Math.random().toString(36).slice(2)}`)
      await db.transaction('rw', db.records, db.outbox, async () => {
        await db.records.bulkAdd(mine)
        await db.outbox.bulkAdd(mine.map((r, i) => ({ id: r.id, state: 'pending' as const, queuedAt: i, attempts: 0 })))
      })
      const before = await summaries(db)
      // the server took them in the order sent, one refused
      const refused = mine[Math.floor(next() * mine.length)]!.id
      const results: PushResult[] = mine.map((r, i) =>
        r.id === refused ? { id: r.id, status: 'rejected', code: 'bad_value', reason: '户号不存在', path: 'body.household' } : { id: r.id, status: 'accepted', seq: 100 + i, serverTime: '2026-11-30T00:00:00.000Z' },
      )
      expect(await applyResults(db, mine as LocalRecord[], results)).toEqual({ accepted: mine.length - 1, attention: 1 })
      expect(await summaries(db), `seed ${seed}: unchanged`).toEqual(before)
      expect(await summaries(db), `seed ${seed}: fold`).toEqual(await truth(db))
      expect(byId(await db.doorEntries.toArray()), `seed ${seed}: entries`).toEqual(byId(doorTablesFrom(await db.records.toArray()).doorEntries))
      db.close()
    }
  }, 300_000)

  it('trusts a claim: a visit claimed as only stamped is not read back (which is why only a writer that knows may claim)', async () => {
    const db = new LoudongDB(`doors-claim-${Math.random().toString(36).slice(2)}`)
    const [b1] = BUILDINGS as [string]
    const visit = { ...base('0190b3f0-0000-7000-8000-0000000000a1', b1), type: 'visit', body: { household: '1-1-1', outcome: 'met', purposes: [], note: '', visitedAt: '2026-11-01T02:00:00.000Z' } } as AnyRecord
    await db.records.add(visit)
    const moved = { ...visit, body: { ...(visit.body as object), household: '1-2-1' } } as AnyRecord
    // claimed: the door keeps the summary the claim said could not change
    let done: Parameters<typeof claimRecords>[0] | undefined
    await db.transaction('rw', db.records, async (tx) => {
      claimRecords(tx, 'stamped', [visit.id])
      done = tx
      await db.records.put({ ...moved, seq: 1 } as AnyRecord)
    })
    expect((await summaries(db)).map((d) => d.household)).toEqual(['1-1-1'])
    // the claim was used up by that write: the next one is read back, and the door follows the visit (back to 1-1-1)
    await db.transaction('rw', db.records, async () => {
      await db.records.put({ ...visit, seq: 2 } as AnyRecord)
    })
    expect(await summaries(db)).toEqual(await truth(db))
    expect(() => claimRecords(done!, 'fresh', ['x'])).toThrow(/outside an active transaction/)
    db.close()
  })
})
