import { describe, expect, it } from 'vitest'
import { SyncEngine } from '@app/sync/engine'
import { saveRecord } from '@app/sync/outbox'
import { REQUEST_TIMEOUT_MS, request, type FetchLike } from '@app/sync/transport'
import { FakeServer, ManualTimers, NOW, SharedLocks, freshDb, json, settle, signIn, visitInput } from './fakes'

/** A fetch that never answers (a request lost on a bad mobile network), remembering the signals it was given. */
function hungFetch() {
  const signals: AbortSignal[] = []
  const fetch: FetchLike = (_url, init) => {
    if (init.signal) signals.push(init.signal)
    return new Promise<Response>(() => {})
  }
  return { fetch, signals }
}

describe('sync request timeout', () => {
  it('gives up on a request with no answer after the timeout, aborting it, as a network failure', async () => {
    const timers = new ManualTimers()
    const { fetch, signals } = hungFetch()
    const pending = request({ fetch, timers }, { method: 'GET', path: '/sync/pull?after=0&limit=500', token: 't' })
    await settle()
    expect(timers.delays).toEqual([REQUEST_TIMEOUT_MS])
    expect(signals[0]?.aborted).toBe(false)
    timers.fireAll()
    expect(await pending).toEqual({ kind: 'network', message: 'timeout' })
    expect(signals[0]?.aborted).toBe(true)
  })

  it('also gives up when the headers came but the body never ends', async () => {
    const timers = new ManualTimers()
    const body = new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(new TextEncoder().encode('{"records":[')) })
    const fetch: FetchLike = async () => new Response(body, { status: 200, headers: { 'content-type': 'application/json' } })
    const pending = request({ fetch, timers, timeoutMs: 5000 }, { method: 'GET', path: '/sync/pull?after=0&limit=500', token: 't' })
    await settle()
    timers.fireAll()
    expect(await pending).toEqual({ kind: 'network', message: 'timeout' })
  })

  it('leaves a prompt answer alone and clears its timer', async () => {
    const timers = new ManualTimers()
    const fetch: FetchLike = async () => json(200, { ok: 1 })
    expect(await request({ fetch, timers }, { method: 'GET', path: '/health', token: 't' })).toEqual({ kind: 'ok', status: 200, data: { ok: 1 } })
    expect(timers.size).toBe(0)
  })

  it('a hung request no longer holds the sync lock: the run fails as offline and the next one sends', async () => {
    const db = freshDb()
    await signIn(db)
    const record = await saveRecord(db, visitInput())
    const locks = new SharedLocks()
    const hung = hungFetch()
    const stuck = new SyncEngine({ db, fetch: hung.fetch, now: () => NOW, random: () => 0.5, timers: new ManualTimers(), locks, requestTimeoutMs: 50 })
    const status = await stuck.sync()
    expect(status.state).toBe('offline')
    expect(hung.signals).toHaveLength(1)
    expect(hung.signals[0]!.aborted).toBe(true)
    expect(await db.outbox.count()).toBe(1)

    // another tab's engine gets the lock and sends what waited
    const server = new FakeServer()
    const other = new SyncEngine({ db, fetch: server.fetch, now: () => NOW, random: () => 0.5, timers: new ManualTimers(), locks, requestTimeoutMs: 50 })
    expect((await other.sync()).state).toBe('idle')
    expect(locks.refused).toEqual([])
    expect(server.pushes).toEqual([[record.id]])
    expect(await db.outbox.count()).toBe(0)
  })
})
