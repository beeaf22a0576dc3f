import { describe, expect, it } from 'vitest'
import { SyncEngine, type SyncEngineOptions } from '@app/sync/engine'
import { saveRecord } from '@app/sync/outbox'
import { BUILDING, FakeServer, ManualTimers, NOW, SharedLocks, apiError, freshDb, settle, signIn, visitBody, visitInput } from './fakes'

type Db = ReturnType<typeof freshDb>

function engineFor(db: Db, server: FakeServer, extra: Partial<SyncEngineOptions> = {}) {
  const timers = new ManualTimers()
  const engine = new SyncEngine({ db, fetch: server.fetch, now: () => NOW, random: () => 0.5, timers, locks: null, ...extra })
  return { engine, timers }
}

/** Fires the pending retry and waits for the run it starts. */
async function fireRetry(engine: SyncEngine, timers: ManualTimers) {
  timers.fireAll()
  await settle()
  return engine.sync()
}

describe('SyncEngine', () => {
  it('pushes then pulls, and remembers when', async () => {
    const db = freshDb()
    await signIn(db)
    const server = new FakeServer()
    const record = await saveRecord(db, visitInput())
    const { engine } = engineFor(db, server)
    const status = await engine.sync()
    expect(status).toMatchObject({ state: 'idle', lastSyncAt: NOW })
    expect(server.pushes).toEqual([[record.id]])
    expect(server.pulls).toEqual([0])
    expect(await db.getMeta('cursor')).toBe(1)
    expect(await db.getMeta('lastSyncAt')).toBe(NOW)
    expect(await db.outbox.count()).toBe(0)
  })

  it('does nothing before anyone logged in', async () => {
    const db = freshDb()
    const server = new FakeServer()
    await saveRecord(db, visitInput())
    const { engine } = engineFor(db, server)
    expect((await engine.sync()).state).toBe('signedOut')
    expect(server.pushes).toEqual([])
  })

  it('orders by the outbox and the server seq, whatever the device clock says', async () => {
    const orders: string[][] = []
    const cursors: unknown[] = []
    for (const clock of [Date.UTC(1990, 0, 1), NOW, Date.UTC(2035, 0, 1)]) {
      const db = freshDb()
      await signIn(db)
      const server = new FakeServer()
      // one record from another phone already waits on the server
      server.seed([{ id: '01890000-0000-7000-8000-000000000001', type: 'visit', v: 1, orgPath: BUILDING, authorId: 'other', deviceId: 'other', clientTime: new Date(NOW).toISOString(), body: visitBody('3-3-3') }])
      const a = await saveRecord(db, visitInput('1-1-1', clock))
      const b = await saveRecord(db, visitInput('1-1-2', clock - 1000 * 86400 * 365))
      const c = await saveRecord(db, visitInput('1-1-3', clock + 1000 * 86400 * 365))
      const { engine } = engineFor(db, server, { now: () => clock })
      await engine.sync()
      orders.push(server.pushes.flat().map((id) => [a.id, b.id, c.id].indexOf(id).toString()))
      cursors.push(await db.getMeta('cursor'))
      expect((await db.records.orderBy('seq').toArray()).map((r) => r.seq)).toEqual([1, 2, 3, 4])
    }
    expect(orders).toEqual([['0', '1', '2'], ['0', '1', '2'], ['0', '1', '2']])
    expect(cursors).toEqual([4, 4, 4])
  })

  it('a 401 pauses sync and keeps the outbox; resume sends it', async () => {
    const db = freshDb()
    await signIn(db)
    const server = new FakeServer()
    const record = await saveRecord(db, visitInput())
    const { engine, timers } = engineFor(db, server)
    server.overrides.push(() => apiError(401, 'unauthorized'))
    expect((await engine.sync()).state).toBe('paused')
    expect(await db.getMeta('syncPaused')).toBe('login')
    expect(await db.outbox.get(record.id)).toMatchObject({ state: 'pending' })
    expect(timers.size).toBe(0)

    expect((await engine.sync({ force: true })).state).toBe('paused')
    expect(server.pushes).toHaveLength(1)

    await signIn(db, 'token-2')
    expect((await engine.resume()).state).toBe('idle')
    expect(await db.getMeta('syncPaused')).toBeNull()
    expect(server.pushes).toEqual([[record.id], [record.id]])
    expect(server.headers.at(-1)!.get('authorization')).toBe('Bearer token-2')
    expect(await db.outbox.count()).toBe(0)
  })

  it('backs off on network errors and 5xx: growing, capped, jittered delays, then succeeds', async () => {
    const db = freshDb()
    await signIn(db)
    const server = new FakeServer()
    const record = await saveRecord(db, visitInput())
    const jitter = [0.5, 0.9, 0.1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
    const { engine, timers } = engineFor(db, server, { random: () => jitter.shift() ?? 0.5 })
    for (let i = 0; i < 12; i++) server.overrides.push(() => (i % 2 ? apiError(503, 'server_error') : 'network'))

    let status = await engine.sync()
    expect(status.state).toBe('offline')
    for (let i = 1; i < 12; i++) status = await fireRetry(engine, timers)
    expect(timers.delays).toEqual([500, 1800, 400, 4000, 8000, 16000, 32000, 64000, 128000, 150000, 150000, 150000])
    expect(status).toMatchObject({ state: 'retrying', retryInMs: 150000, code: 'server_error' })

    status = await fireRetry(engine, timers)
    expect(status.state).toBe('idle')
    expect(new Set(server.pushes.flat())).toEqual(new Set([record.id]))
    expect(server.pushes).toHaveLength(13)

    // success resets the ladder
    server.overrides.push(() => 'network')
    await saveRecord(db, visitInput('2-2-2'))
    await engine.sync()
    expect(timers.delays.at(-1)).toBe(500)
  })

  it('an automatic trigger waits out the backoff; a forced one (立即同步) does not', async () => {
    const db = freshDb()
    await signIn(db)
    const server = new FakeServer()
    await saveRecord(db, visitInput())
    const { engine, timers } = engineFor(db, server)
    server.overrides.push(() => 'network')
    await engine.sync()
    await engine.sync()
    expect(server.pushes).toHaveLength(1)
    expect((await engine.sync({ force: true })).state).toBe('idle')
    expect(server.pushes).toHaveLength(2)
    expect(timers.size).toBe(0)
  })

  it('honours Retry-After on 429', async () => {
    const db = freshDb()
    await signIn(db)
    const server = new FakeServer()
    await saveRecord(db, visitInput())
    const { engine, timers } = engineFor(db, server)
    server.overrides.push(() => apiError(429, 'rate_limited', { 'retry-after': '90' }))
    expect(await engine.sync()).toMatchObject({ state: 'retrying', retryInMs: 90_000 })
    expect(timers.delays).toEqual([90_000])
  })

  it('does not retry other 4xx until someone asks', async () => {
    const db = freshDb()
    await signIn(db)
    const server = new FakeServer()
    const record = await saveRecord(db, visitInput())
    const { engine, timers } = engineFor(db, server)
    server.overrides.push(() => apiError(400, 'bad_request'))
    expect(await engine.sync()).toMatchObject({ state: 'failed', code: 'bad_request' })
    expect(timers.size).toBe(0)
    await engine.sync()
    expect(server.pushes).toHaveLength(1)
    expect(await db.outbox.get(record.id)).toMatchObject({ state: 'pending' })
    expect((await engine.sync({ force: true })).state).toBe('idle')
    expect(server.pushes).toHaveLength(2)
  })

  it('a disabled account pauses for login; an outdated app stops without retrying', async () => {
    const db = freshDb()
    await signIn(db)
    const server = new FakeServer()
    await saveRecord(db, visitInput())
    const { engine, timers } = engineFor(db, server)
    server.overrides.push(() => apiError(403, 'account_disabled'))
    expect((await engine.sync()).state).toBe('disabled')
    expect(await db.getMeta('syncPaused')).toBe('login')
    expect(await db.outbox.count()).toBe(1)

    await db.setMeta('syncPaused', null)
    server.overrides.push(() => apiError(426, 'outdated_client'))
    expect((await engine.sync()).state).toBe('outdated')
    await engine.sync()
    expect(server.pushes).toHaveLength(2)
    expect(timers.size).toBe(0)
  })

  it('runs once at a time in one context; a call during a run brings one more run', async () => {
    const db = freshDb()
    await signIn(db)
    const server = new FakeServer()
    const first = await saveRecord(db, visitInput('1-1-1'))
    const { engine } = engineFor(db, server)
    const a = engine.sync()
    const second = await saveRecord(db, visitInput('1-1-2'))
    const b = engine.sync()
    expect(b).toBe(a)
    await a
    expect(server.pushes.flat().sort()).toEqual([first.id, second.id].sort())
    expect(server.log).toHaveLength(2)
  })

  it('two tabs with a shared lock push each record exactly once', async () => {
    const db = freshDb()
    await signIn(db)
    const server = new FakeServer()
    const records = []
    for (let i = 1; i <= 30; i++) records.push(await saveRecord(db, visitInput(`1-${i}-1`)))
    const locks = new SharedLocks()
    const tabA = engineFor(db, server, { locks, pushLimits: { maxRecords: 7, maxBytes: 1e6 } }).engine
    const tabB = engineFor(db, server, { locks, pushLimits: { maxRecords: 7, maxBytes: 1e6 } }).engine
    const [a, b] = await Promise.all([tabA.sync(), tabB.sync()])
    expect([a.state, b.state].sort()).toEqual(['busy', 'idle'])
    expect(locks.refused).toEqual(['loudong-sync'])
    const pushed = server.pushes.flat()
    expect(pushed).toHaveLength(30)
    expect(new Set(pushed).size).toBe(30)
    expect(server.log.map((r) => r.id)).toEqual(records.map((r) => r.id))
    expect(await db.outbox.count()).toBe(0)
  })

  it('tells listeners about each change', async () => {
    const db = freshDb()
    await signIn(db)
    const server = new FakeServer()
    const { engine } = engineFor(db, server)
    const seen: string[] = []
    engine.onStatus((s) => seen.push(s.state))
    await engine.sync()
    expect(seen).toEqual(['idle', 'syncing', 'idle'])
  })
})

describe('SyncEngine on a failing device', () => {
  it('a storage error during a run is retried later, not thrown at the page', async () => {
    const db = freshDb()
    await signIn(db)
    const server = new FakeServer()
    await saveRecord(db, visitInput())
    const { engine, timers } = engineFor(db, server)
    db.meta.hook('creating', () => {
      throw new Error('QuotaExceededError')
    })
    const status = await engine.sync()
    expect(status).toMatchObject({ state: 'retrying', code: 'device_error' })
    expect(timers.size).toBe(1)
  })
})
