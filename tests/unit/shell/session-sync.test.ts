/**
 * Logout and switching person with the REAL sync store and engine running (the
 * other session tests replace the sync store with a stand-in): a pull on its
 * way when 退出 is tapped must leave nothing of the first person behind, and
 * after a switch sync must be wired again so a save is sent.
 */
import 'fake-indexeddb/auto'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { LoginResponse } from '@shared/index'
import { db } from '@app/db/database'
import { setLocale } from '@app/i18n'
import { useRecordsStore } from '@app/stores/records'
import { useSessionStore } from '@app/stores/session'
import { useSyncStore } from '@app/stores/sync'
import { BUILDING, FakeServer, json, NOW, QueueLocks, settle, visitBody } from '../app/fakes'

const A: LoginResponse = { token: 'tok-a', user: { id: 'u-a', name: '王秀英', phone: '13800000001', role: 'building_leader', scopes: [BUILDING] } }
const B: LoginResponse = { token: 'tok-b', user: { id: 'u-b', name: '李建国', phone: '13900000009', role: 'building_leader', scopes: [BUILDING] } }

/** A's records as the server sent them to A: seq 498…500. */
const aPage = () =>
  json(200, {
    records: [498, 499, 500].map((seq) => ({
      id: `01890000-0000-7000-8000-000000000${seq}`, type: 'visit', v: 1, orgPath: BUILDING, authorId: A.user.id, deviceId: 'phone-a',
      clientTime: new Date(NOW).toISOString(), body: visitBody(`1-${seq - 497}-1`), seq, serverTime: new Date(NOW).toISOString(),
    })),
    cursor: 500,
    more: false,
  })

let server: FakeServer
/** set to hold A's next pull until released */
let gate: { arrival: Promise<void>; arrived: () => void; released: Promise<void>; release: () => void } | null

function holdNextPull(): NonNullable<typeof gate> {
  let arrived = () => undefined as void
  let release = () => undefined as void
  const arrival = new Promise<void>((resolve) => (arrived = resolve))
  const released = new Promise<void>((resolve) => (release = resolve))
  gate = { arrival, arrived, released, release }
  return gate
}

async function fakeFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const path = new URL(url, 'http://device.test').pathname
  if (path === '/api/v1/auth/login') return json(200, (JSON.parse(String(init.body)) as { phone: string }).phone === A.user.phone ? A : B)
  if (path === '/api/v1/org') return json(200, { nodes: [{ path: BUILDING, kind: 'building', name: '1栋', layout: { units: 2, floors: 6, roomsPerFloor: 2 } }] })
  if (path === '/api/v1/people') return json(200, { people: [] })
  if (path === '/api/v1/auth/logout') return new Response(null, { status: 204 })
  if (path === '/api/v1/sync/pull' && gate) {
    const held = gate
    gate = null
    void server.fetch(url, init)
    held.arrived()
    await held.released
    return aPage()
  }
  return server.fetch(url, init)
}

async function signedInAsA(): Promise<void> {
  await db.setMeta('session', A)
  await db.setMeta('deviceId', 'dev-1')
  await useSessionStore().load()
}


beforeEach(async () => {
  setActivePinia(createPinia())
  setLocale('zh-CN')
  await Promise.all(db.tables.map((table) => table.clear()))
  server = new FakeServer()
  // what the server lets B see: one record of B's
  server.seed([{ id: '01890000-0000-7000-8000-00000000b001', type: 'visit', v: 1, orgPath: BUILDING, authorId: B.user.id, deviceId: 'phone-b', clientTime: new Date(NOW).toISOString(), body: visitBody('2-1-1') }])
  gate = null
  vi.stubGlobal('fetch', vi.fn(fakeFetch))
})

afterEach(() => {
  useSyncStore().stop()
  vi.unstubAllGlobals()
})

describe('logout while a pull is on its way', () => {
  it("stores none of A's records and no cursor, so B later sees none of them and pulls from the start", async () => {
    await signedInAsA()
    const held = holdNextPull()
    useSyncStore().start()
    await held.arrival

    expect(await useSessionStore().logout()).toEqual({ ok: true })
    held.release()
    await vi.waitFor(() => expect(useSyncStore().syncing).toBe(false))
    await vi.waitFor(() => expect(useSyncStore().state).toBe('signedOut'))

    expect(await db.records.count()).toBe(0)
    expect(await db.getMeta('cursor')).toBeUndefined()
    expect(await db.getMeta('lastSyncAt')).toBeUndefined()

    await useSessionStore().login(B.user.phone, 'pw')
    await vi.waitFor(() => expect(useSyncStore().state).toBe('idle'))
    // B's first pull (after A's, the one held) starts at the beginning, not at A's 500
    expect(server.pulls[1]).toBe(0)
    expect(server.pulls.slice(1).every((after) => after < 500)).toBe(true)
    expect((await db.records.toArray()).map((r) => r.authorId)).toEqual([B.user.id])
    expect(await db.getMeta('cursor')).toBe(1)
  })
})

describe('logout with Web Locks', () => {
  it('waits for the run holding the sync lock to end, then wipes what it stored', async () => {
    vi.stubGlobal('navigator', { onLine: true, locks: new QueueLocks() })
    await signedInAsA()
    const held = holdNextPull()
    useSyncStore().start()
    await held.arrival

    let done = false
    const out = useSessionStore().logout().then((r) => ((done = true), r))
    await settle(30)
    // still waiting for the run: nothing wiped under its feet
    expect(done).toBe(false)
    expect(await db.getMeta('session')).toEqual(A)

    held.release()
    expect(await out).toEqual({ ok: true })
    expect(await db.records.count()).toBe(0)
    expect(await db.getMeta('cursor')).toBeUndefined()
    expect(await db.getMeta('session')).toBeUndefined()
  })
})

describe('switching to another person', () => {
  it('leaves sync running: the counts follow the outbox and a save is sent without anyone tapping 立即同步', async () => {
    await signedInAsA()
    const sync = useSyncStore()
    sync.start()
    await vi.waitFor(() => expect(sync.state).toBe('idle'))

    await useSessionStore().login(B.user.phone, 'pw')
    await vi.waitFor(() => expect(sync.state).toBe('idle'))
    const pushesBefore = server.pushes.length

    const record = await useRecordsStore().save('visit', BUILDING, visitBody('1-2-1'))
    expect(record.authorId).toBe(B.user.id)
    await vi.waitFor(() => expect(sync.waiting).toBe(1))
    // the save's poke runs a push after the debounce (2 s)
    await vi.waitFor(() => expect(server.pushes.slice(pushesBefore)).toEqual([[record.id]]), { timeout: 6000, interval: 100 })
    await vi.waitFor(() => expect(sync.waiting).toBe(0))
  })
})
