/**
 * Issue 7, browser faults: IndexedDB losing its connection (Safari's "Connection
 * to Indexed Database server lost", Dexie's DatabaseClosedError) and a full
 * disk, injected under Dexie into fake-indexeddb's own classes.
 */
import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import Dexie from 'dexie'
import { saveRecord } from '@app/sync/outbox'
import { applyResults } from '@app/sync/push'
import { storePage } from '@app/sync/pull'
import { DatabaseLostError, isConnectionLost, isQuotaError, isStorageFull, onStorageFault, StorageFullError } from '@app/db/faults'
import { freshDb, NOW, visitInput } from '../app/fakes'

const restores: Array<() => void> = []
afterEach(() => {
  for (const r of restores.splice(0)) r()
})

/**
 * Replaces a prototype method for the test; `fault(n, args, self)` decides whether
 * call n (from 1) throws. Dexie binds IDBDatabase.transaction when it opens, so
 * inject before the database opens; the restore also disarms a bound copy.
 */
function inject<P extends object, K extends keyof P>(proto: P, key: K, fault: (call: number, args: unknown[], self: unknown) => Error | null): { calls: () => number } {
  const original = proto[key] as unknown as (...args: unknown[]) => unknown
  let calls = 0
  let armed = true
  ;(proto as Record<K, unknown>)[key] = function (this: unknown, ...args: unknown[]) {
    const error = armed ? fault(++calls, args, this) : null
    if (error) throw error
    return original.apply(this, args)
  }
  restores.push(() => {
    armed = false
    ;(proto as Record<K, unknown>)[key] = original
  })
  return { calls: () => calls }
}

/** A read-write transaction over these stores (Dexie opens with a read-only one over all of them). */
const writesTo = (args: unknown[], store: string) => args[1] === 'readwrite' && JSON.stringify(args[0]).includes(store)

const safariLost = () => new DOMException('Connection to Indexed Database server lost. Refresh the page to try again', 'UnknownError')
const quota = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError')

describe('a write that loses its connection', () => {
  it("is retried once after reopening when Safari's 'Connection to Indexed Database server lost' hits saveRecord", async () => {
    const db = freshDb()
    let faults = 0
    inject(IDBDatabase.prototype, 'transaction', (_n, args) => (writesTo(args, 'outbox') && faults++ === 0 ? safariLost() : null))
    const record = await saveRecord(db, visitInput('1-2-1'))
    expect(faults).toBe(2)
    expect(await db.records.get(record.id)).toEqual(record)
    expect(await db.outbox.get(record.id)).toMatchObject({ state: 'pending' })
  })

  it('is retried after a DatabaseClosedError (the database was closed under us)', async () => {
    const db = freshDb()
    await db.open()
    db.close()
    const record = await saveRecord(db, visitInput('1-2-2'))
    expect(db.isOpen()).toBe(true)
    expect(await db.outbox.count()).toBe(1)
    expect(record.id).toBeTruthy()
  })

  it('is surfaced as DatabaseLostError, with words and nothing half-written, when the reopened database fails again', async () => {
    const db = freshDb()
    inject(IDBDatabase.prototype, 'transaction', (_n, args) => (writesTo(args, 'outbox') ? safariLost() : null))
    const error = await saveRecord(db, visitInput()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DatabaseLostError)
    expect((error as Error).message).toContain('数据库')
    restores.pop()!()
    expect(await db.records.count()).toBe(0)
    expect(await db.outbox.count()).toBe(0)
  })

  it("the sync engine's writes (push answers, pulled pages) are retried the same way", async () => {
    const db = freshDb()
    let pushFaults = -1
    let pullFaults = -1
    inject(IDBDatabase.prototype, 'transaction', (_n, args) => {
      if (writesTo(args, 'outbox') && pushFaults === 0) return pushFaults++, safariLost()
      if (writesTo(args, 'meta') && pullFaults === 0) return pullFaults++, safariLost()
      return null
    })
    const saved = await saveRecord(db, visitInput('1-1-1'))
    pushFaults = 0
    const counts = await applyResults(db, [saved], [{ id: saved.id, status: 'accepted', seq: 7, serverTime: new Date(NOW).toISOString() }])
    expect(pushFaults).toBe(1)
    expect(counts).toEqual({ accepted: 1, attention: 0 })
    expect(await db.outbox.count()).toBe(0)
    expect((await db.records.get(saved.id))?.seq).toBe(7)

    pullFaults = 0
    await storePage(db, [{ ...saved, id: '0190b3f0-0000-7000-8000-000000000001', seq: 8, serverTime: new Date(NOW).toISOString() }], 8)
    expect(pullFaults).toBe(1)
    expect(await db.getMeta('cursor')).toBe(8)
  })
})

describe('a full disk', () => {
  it('turns into StorageFullError with a plain Chinese message, saves nothing, and tells the page (for 导出)', async () => {
    const db = freshDb()
    await db.open()
    const heard: unknown[] = []
    const off = onStorageFault((e) => heard.push(e))
    inject(IDBObjectStore.prototype, 'add', (_n, _args, store) => ((store as IDBObjectStore).name === 'outbox' ? quota() : null))
    const error = await saveRecord(db, visitInput()).catch((e: unknown) => e)
    off()
    expect(error).toBeInstanceOf(StorageFullError)
    expect(error).toMatchObject({ code: 'storage_full', name: 'StorageFullError' })
    expect((error as Error).message).toMatch(/^手机存储空间已满/)
    expect((error as Error).message).toContain('填写的内容还在')
    expect(isStorageFull(error)).toBe(true)
    expect(heard).toEqual([error])
    restores.pop()!()
    // atomic: the record added before the outbox failed went with it
    expect(await db.records.count()).toBe(0)
    expect(await db.outbox.count()).toBe(0)
  })

  it('is recognised however Dexie wraps it: AbortError with inner, failures of a bulk write, plain name', () => {
    const inner = quota()
    expect(isQuotaError(new Dexie.AbortError('Transaction aborted', inner))).toBe(true)
    expect(isQuotaError(new Dexie.BulkError('1 of 2 failed', [inner]))).toBe(true)
    expect(isQuotaError({ name: 'QuotaExceededError' })).toBe(true)
    expect(isQuotaError(new Error('x'))).toBe(false)
    expect(isConnectionLost(new Dexie.DatabaseClosedError())).toBe(true)
    expect(isConnectionLost(new Dexie.UnknownError('wrapped', safariLost()))).toBe(true)
    expect(isConnectionLost(quota())).toBe(false)
  })
})

vi.setConfig({ testTimeout: 20_000 })
