/**
 * What the device-side figures run inside Chromium: the app's own database
 * class and sync code (src/app/db, src/app/sync), bundled on its own so a page
 * can call them without the UI. Exposed as `window.loudongBench`.
 */
import { LoudongDB } from '@app/db/database'
import type { OutboxEntry, Session } from '@app/db/schema'
import { createSyncApi } from '@app/sync/api'
import { saveRecord } from '@app/sync/outbox'
import { pullAll } from '@app/sync/pull'
import { pushOutbox } from '@app/sync/push'
import type { LocalRecord, OrgNode, VisitBody } from '@shared/index'

const api = (token: string) => createSyncApi({ fetch: (url, init) => fetch(url, init), baseUrl: '' }, token)

let db = new LoudongDB()

async function reset(): Promise<void> {
  db.close()
  await new Promise<void>((resolve, reject) => {
    const req = indexedDB.deleteDatabase('loudong')
    req.onsuccess = () => resolve()
    req.onerror = () => reject(req.error)
    req.onblocked = () => reject(new Error('deleting the database is blocked by another connection'))
  })
  db = new LoudongDB()
  await db.open()
}

export interface SaveSample {
  ms: number
}

const bench = {
  reset,

  /** Pulls everything in the token's scope into the (empty) device database, as the app does (its page size); `netMs`: the requests' time, which overlaps the stores. */
  async pull(token: string): Promise<{ ms: number; netMs: number; stored: number; count: number }> {
    const a = api(token)
    let netMs = 0
    const timed = { ...a, pull: async (...args: Parameters<typeof a.pull>) => { const s = performance.now(); try { return await a.pull(...args) } finally { netMs += performance.now() - s } } }
    const t0 = performance.now()
    const out = await pullAll(db, timed)
    const ms = performance.now() - t0
    if (out.kind !== 'done') throw new Error(`pull failed: ${JSON.stringify(out)}`)
    return { ms, netMs, stored: out.stored, count: await db.records.count() }
  },

  /** Puts records in the outbox as saveRecord would, in bulk (setup, not timed). */
  async seedOutbox(records: LocalRecord[], now: number): Promise<number> {
    const entries: OutboxEntry[] = records.map((r, i) => ({ id: r.id, state: 'pending', queuedAt: now + i, attempts: 0 }))
    await db.transaction('rw', db.records, db.outbox, async () => {
      await db.records.bulkAdd(records)
      await db.outbox.bulkAdd(entries)
    })
    return db.outbox.count()
  },

  /** Sends the whole outbox with the app's push (500 a batch), timed end to end; `netMs`: time spent waiting for answers, which overlaps storing the previous one. */
  async push(token: string): Promise<{ ms: number; netMs: number; accepted: number; attention: number; left: number }> {
    const a = api(token)
    let netMs = 0
    const timed = { ...a, push: async (...args: Parameters<typeof a.push>) => { const s = performance.now(); try { return await a.push(...args) } finally { netMs += performance.now() - s } } }
    const t0 = performance.now()
    const out = await pushOutbox(db, timed)
    const ms = performance.now() - t0
    if (out.kind !== 'done') throw new Error(`push failed: ${JSON.stringify(out.failure)}`)
    return { ms, netMs, accepted: out.accepted, attention: out.attention, left: await db.outbox.count() }
  },

  /**
   * Saves `n` visits one after another through saveRecord (shape check, then
   * record + outbox in one transaction), each timed; `gapMs` between them.
   */
  async saveVisits(n: number, place: { orgPath: string; households: string[]; authorId: string; deviceId: string }, gapMs: number): Promise<{ times: number[]; ids: string[]; before: number }> {
    const before = await db.records.count()
    const times: number[] = []
    const ids: string[] = []
    for (let i = 0; i < n; i++) {
      const now = Date.now()
      const body: VisitBody = {
        household: place.households[i % place.households.length]!,
        outcome: 'met',
        purposes: ['care'],
        note: '老人身体还好,提醒按时吃药',
        visitedAt: new Date(now).toISOString(),
      }
      const t0 = performance.now()
      const rec = await saveRecord(db, { type: 'visit', orgPath: place.orgPath, body, authorId: place.authorId, deviceId: place.deviceId, now })
      times.push(performance.now() - t0)
      ids.push(rec.id)
      if (gapMs) await new Promise((r) => setTimeout(r, gapMs))
    }
    return { times, ids, before }
  },

  /** Removes records saved by the bench and their outbox rows. */
  async drop(ids: string[]): Promise<void> {
    await db.transaction('rw', db.records, db.outbox, async () => {
      await db.outbox.bulkDelete(ids)
      await db.records.bulkDelete(ids)
    })
  },

  /** Makes this device "logged in" as the app would after a login, with its part of the org tree. */
  async signIn(session: Session, nodes: OrgNode[]): Promise<void> {
    await db.transaction('rw', db.meta, db.org, async () => {
      await db.setMeta('session', session)
      await db.org.clear()
      await db.org.bulkPut(nodes)
    })
    db.close()
  },

  async counts(): Promise<{ records: number; outbox: number }> {
    return { records: await db.records.count(), outbox: await db.outbox.count() }
  },
}

export type LoudongBench = typeof bench

declare global {
  interface Window {
    loudongBench: LoudongBench
  }
}

window.loudongBench = bench
