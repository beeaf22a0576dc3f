/**
 * A logout (or another person's login) can land while a sync run or a save is
 * under way. Whatever the run or save was about to write belongs to nobody on
 * the device any more: it must write nothing, and the engine must treat that as
 * "stopped", not as a failure to retry. The logout wipe also waits for a run
 * holding the sync lock, so it never interleaves with one.
 */
import { describe, expect, it, vi } from 'vitest'
import { uuidv7, type LocalRecord, type StoredRecord } from '@shared/index'
import { SyncEngine } from '@app/sync/engine'
import { SessionChangedError } from '@app/sync/errors'
import { afterSyncRuns } from '@app/sync/locks'
import { saveAsNewRecord, saveRecord } from '@app/sync/outbox'
import { applyResults } from '@app/sync/push'
import { storePage } from '@app/sync/pull'
import { BUILDING, FakeServer, ManualTimers, NOW, QueueLocks, USER_ID, apiError, freshDb, json, settle, signIn, visitBody, visitInput } from './fakes'

type Db = ReturnType<typeof freshDb>

/** A's records as the server holds them, seq 498…500. */
function serverPage(): StoredRecord[] {
  return [498, 499, 500].map((seq) => ({
    id: uuidv7(NOW + seq), type: 'visit' as const, v: 1, orgPath: BUILDING, authorId: USER_ID, deviceId: 'other-phone',
    clientTime: new Date(NOW).toISOString(), body: visitBody(`1-${seq - 497}-1`), seq, serverTime: new Date(NOW).toISOString(),
  }))
}

/** A's page as the server answers it: seq 498…500, cursor 500. */
const aPage = () => json(200, { records: serverPage(), cursor: 500, more: false })

/**
 * Holds the first request matching `path` until `release()`, then answers it
 * with `answer` (or as the fake server would); the rest go to the fake server.
 */
function gated(server: FakeServer, path: string, answer?: () => Response) {
  let open: () => void = () => undefined
  const released = new Promise<void>((resolve) => (open = resolve))
  let held = false
  let arrived: () => void = () => undefined
  const arrival = new Promise<void>((resolve) => (arrived = resolve))
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    if (!held && new URL(url, 'http://device.test').pathname === path) {
      held = true
      const served = server.fetch(url, init)
      arrived()
      await released
      return answer ? answer() : served
    }
    return server.fetch(url, init)
  }
  return { fetch, release: () => open(), arrival }
}

/** What a logout does to the device (session.ts wipePersonalData), done directly. */
async function wipe(db: Db): Promise<void> {
  await db.transaction('rw', [db.records, db.outbox, db.org, db.drafts, db.meta], async () => {
    await db.outbox.clear()
    await db.records.clear()
    await db.org.clear()
    await db.drafts.clear()
    await db.meta.where('key').notEqual('deviceId').delete()
  })
}

async function signInAs(db: Db, id: string, token: string): Promise<void> {
  await db.setMeta('session', { token, user: { id, name: id, phone: '13900000009', role: 'building_leader', scopes: [BUILDING] } })
}

describe('a logout during a sync run', () => {
  it('stores nothing of the pull that was on its way: no records, no cursor; the engine stops without a retry', async () => {
    const db = freshDb()
    await signIn(db)
    const server = new FakeServer()
    const gate = gated(server, '/api/v1/sync/pull', aPage)
    const timers = new ManualTimers()
    const engine = new SyncEngine({ db, fetch: gate.fetch, now: () => NOW, timers, locks: null })

    const run = engine.sync()
    await gate.arrival
    await wipe(db)
    gate.release()
    const status = await run

    expect(status.state).toBe('signedOut')
    expect(await db.records.count()).toBe(0)
    expect(await db.getMeta('cursor')).toBeUndefined()
    expect(await db.getMeta('lastSyncAt')).toBeUndefined()
    // not a failure: nothing scheduled, no backoff for whoever logs in next
    expect(timers.size).toBe(0)
    await signInAs(db, 'u-b', 'token-b')
    expect((await engine.sync()).state).toBe('idle')
    expect(server.pulls).toEqual([0, 0])
  })

  it("another person logged in meanwhile: the first person's page is not stored, and the run asked for meanwhile is the new person's from seq 0", async () => {
    const db = freshDb()
    await signIn(db)
    const server = new FakeServer()
    // what B may see: one record
    server.seed([{ ...serverPage()[0]!, authorId: 'u-b' }])
    const gate = gated(server, '/api/v1/sync/pull', aPage)
    const engine = new SyncEngine({ db, fetch: gate.fetch, now: () => NOW, timers: new ManualTimers(), locks: null })

    const run = engine.sync()
    await gate.arrival
    await wipe(db)
    await signInAs(db, 'u-b', 'token-b')
    // the new login asks for a run while the old one is still going
    void engine.sync({ force: true })
    gate.release()
    await run
    await vi.waitFor(() => expect(server.pulls).toEqual([0, 0]))
    await settle()

    const auth = server.headers.map((h) => h.get('authorization'))
    expect(auth).toEqual(['Bearer token-1', 'Bearer token-b'])
    // only what the second (B's) pull stored; the first one's answer (A's, up to 500) was dropped
    expect(await db.getMeta('cursor')).toBe(1)
    expect((await db.records.toArray()).map((r) => r.authorId)).toEqual(['u-b'])
  })

  it('applies no push answer once the session changed: the entry stays pending, the record learns no seq', async () => {
    const db = freshDb()
    await signIn(db)
    const record = await saveRecord(db, visitInput())
    const server = new FakeServer()
    const gate = gated(server, '/api/v1/sync/push')
    const engine = new SyncEngine({ db, fetch: gate.fetch, now: () => NOW, timers: new ManualTimers(), locks: null })

    const run = engine.sync()
    await gate.arrival
    await signInAs(db, 'u-b', 'token-b')
    gate.release()

    expect((await run).state).toBe('signedOut')
    expect(await db.outbox.get(record.id)).toMatchObject({ state: 'pending', attempts: 0 })
    expect((await db.records.get(record.id))?.seq).toBeUndefined()
  })

  it("a 401 or account_disabled answered to the first person's request does not pause or disable the next person's sync", async () => {
    for (const refusal of [apiError(401, 'unauthorized'), apiError(403, 'account_disabled')]) {
      const db = freshDb()
      await signIn(db)
      const server = new FakeServer()
      server.overrides.push(() => refusal)
      const gate = gated(server, '/api/v1/sync/push')
      await saveRecord(db, visitInput())
      const engine = new SyncEngine({ db, fetch: gate.fetch, now: () => NOW, timers: new ManualTimers(), locks: null })
      const states: string[] = []
      engine.onStatus((s) => states.push(s.state))

      const run = engine.sync()
      await gate.arrival
      await signInAs(db, 'u-b', 'token-b')
      gate.release()

      expect((await run).state).toBe('signedOut')
      expect(states).not.toContain('disabled')
      expect(await db.getMeta('syncPaused')).toBeUndefined()
    }
  })

  it('storePage and applyResults check the owner inside their transaction', async () => {
    const db = freshDb()
    await signIn(db, 'token-1')
    const saved = await saveRecord(db, visitInput())
    const stale = { userId: USER_ID, token: 'token-old' }
    await expect(storePage(db, serverPage(), 500, stale)).rejects.toBeInstanceOf(SessionChangedError)
    await expect(applyResults(db, [saved], [{ id: saved.id, status: 'accepted', seq: 7, serverTime: new Date(NOW).toISOString() }], stale)).rejects.toBeInstanceOf(SessionChangedError)
    expect(await db.getMeta('cursor')).toBeUndefined()
    expect(await db.records.count()).toBe(1)
    expect(await db.outbox.get(saved.id)).toMatchObject({ state: 'pending' })
    // the same owner writes as before
    expect(await storePage(db, serverPage(), 500, { userId: USER_ID, token: 'token-1' })).toBe(3)
  })
})

describe('the wipe waits for the sync lock', () => {
  it('a run in progress finishes first, then the wipe takes everything, including what the run stored', async () => {
    const db = freshDb()
    await signIn(db)
    const server = new FakeServer()
    server.seed(serverPage())
    const gate = gated(server, '/api/v1/sync/pull')
    const locks = new QueueLocks()
    const engine = new SyncEngine({ db, fetch: gate.fetch, now: () => NOW, timers: new ManualTimers(), locks })

    const run = engine.sync()
    await gate.arrival
    let wiped = false
    const wiping = afterSyncRuns(async () => {
      await wipe(db)
      wiped = true
    }, locks)
    await settle(20)
    expect(wiped).toBe(false)
    // a tab asking meanwhile does not jump the queue
    const other = new SyncEngine({ db, fetch: server.fetch, now: () => NOW, timers: null, locks })
    expect((await other.sync()).state).toBe('busy')

    gate.release()
    expect((await run).state).toBe('idle')
    await wiping
    expect(wiped).toBe(true)
    expect(await db.records.count()).toBe(0)
    expect(await db.getMeta('cursor')).toBeUndefined()
    expect(await db.getMeta('lastSyncAt')).toBeUndefined()
  })

  it('gives up waiting on a run that hangs and wipes anyway; the run then stores nothing', async () => {
    const db = freshDb()
    await signIn(db)
    const server = new FakeServer()
    server.seed(serverPage())
    const gate = gated(server, '/api/v1/sync/pull')
    const locks = new QueueLocks()
    const engine = new SyncEngine({ db, fetch: gate.fetch, now: () => NOW, timers: new ManualTimers(), locks })

    const run = engine.sync()
    await gate.arrival
    await afterSyncRuns(() => wipe(db), locks, 30)
    expect(await db.getMeta('session')).toBeUndefined()
    gate.release()
    expect((await run).state).toBe('signedOut')
    expect(await db.records.count()).toBe(0)
    expect(await db.getMeta('cursor')).toBeUndefined()
  })

  it("the task's own error passes through, and without Web Locks the task just runs", async () => {
    await expect(afterSyncRuns(async () => Promise.reject(new Error('refused')), new QueueLocks())).rejects.toThrow('refused')
    expect(await afterSyncRuns(async () => 7, null)).toBe(7)
  })
})

describe('a save whose session changed on the way', () => {
  it('writes nothing when the person it was read for is no longer signed in', async () => {
    const db = freshDb()
    await signInAs(db, 'u-b', 'token-b')
    const error = await saveRecord(db, { ...visitInput(), owner: { userId: USER_ID } }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SessionChangedError)
    expect(await db.records.count()).toBe(0)
    expect(await db.outbox.count()).toBe(0)

    await wipe(db)
    await expect(saveRecord(db, { ...visitInput(), owner: { userId: USER_ID } })).rejects.toBeInstanceOf(SessionChangedError)
    expect(await db.outbox.count()).toBe(0)
  })

  it('saves as before for the same person, even with a new token', async () => {
    const db = freshDb()
    await signIn(db, 'token-new')
    const saved: LocalRecord = await saveRecord(db, { ...visitInput(), owner: { userId: USER_ID } })
    expect(await db.outbox.get(saved.id)).toMatchObject({ state: 'pending' })
  })

  it('另存为新记录 checks too: the conflicting record stays as it was', async () => {
    const db = freshDb()
    await signIn(db)
    const saved = await saveRecord(db, visitInput())
    await db.outbox.update(saved.id, { state: 'attention', code: 'conflict' })
    await signInAs(db, 'u-b', 'token-b')
    await expect(saveAsNewRecord(db, saved.id, { authorId: USER_ID, deviceId: 'd', now: NOW, owner: { userId: USER_ID } })).rejects.toBeInstanceOf(SessionChangedError)
    expect((await db.outbox.toArray()).map((e) => e.id)).toEqual([saved.id])
    expect(await db.records.count()).toBe(1)
  })
})
