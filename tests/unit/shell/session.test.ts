import 'fake-indexeddb/auto'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { reactive } from 'vue'
import { createPinia, setActivePinia } from 'pinia'
import type { LoginResponse, OrgNode } from '@shared/index'
import { db } from '@app/db/database'
import { setLocale, t } from '@app/i18n'
import { tn } from '@app/i18n/plural'

/* the real sync store runs an engine; here only its counts and lifecycle calls matter */
const sync = reactive({
  waiting: 0,
  attention: 0,
  paused: null as 'login' | null,
  start: vi.fn(),
  stop: vi.fn(),
  resume: vi.fn(async () => undefined),
})
vi.mock('@app/stores/sync', () => ({ useSyncStore: () => sync }))

const { useSessionStore } = await import('@app/stores/session')
const { useOrgStore } = await import('@app/stores/org')
const { RUNNING_KEY } = await import('@app/stores/reading')

const USER: LoginResponse = {
  token: 'tok-1',
  user: { id: 'u1', name: '王秀英', phone: '13800000001', role: 'building_leader', scopes: ['pl/tudong/mtx/g01/b01'] },
}
const OTHER: LoginResponse = {
  token: 'tok-2',
  user: { id: 'u2', name: '李建国', phone: '13900000009', role: 'building_leader', scopes: ['pl/tudong/mtx/g01/b01'] },
}
const NODES: OrgNode[] = [
  { path: 'pl', kind: 'district', name: '盘龙区' },
  { path: 'pl/tudong/mtx/g01/b01', kind: 'building', name: '1栋', layout: { units: 2, floors: 6, roomsPerFloor: 2 } },
]

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

const fetchMock = vi.fn<typeof fetch>()

async function seedLoggedIn(): Promise<void> {
  await db.setMeta('session', USER)
  await db.setMeta('deviceId', 'dev-1')
  await db.setMeta('cursor', 42)
  await db.org.bulkPut(NODES)
  await db.drafts.put({ key: 'visit-form', value: { note: 'x' }, updatedAt: 1 })
  await db.records.put({
    id: '01890000-0000-7000-8000-000000000001', type: 'visit', v: 1, orgPath: 'pl/tudong/mtx/g01/b01', authorId: 'u1',
    deviceId: 'dev-1', clientTime: '2026-01-01T00:00:00Z', seq: 1, serverTime: '2026-01-01T00:00:00Z',
    body: { household: '1-1-1', outcome: 'met', purposes: [], note: '', visitedAt: '2026-01-01T00:00:00Z' },
  })
  await useSessionStore().load()
}

beforeEach(async () => {
  setActivePinia(createPinia())
  setLocale('zh-CN')
  await Promise.all(db.tables.map((table) => table.clear()))
  Object.assign(sync, { waiting: 0, attention: 0, paused: null })
  sync.start.mockClear()
  sync.stop.mockClear()
  sync.resume.mockClear()
  fetchMock.mockReset()
  vi.stubGlobal('fetch', fetchMock)
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('logout', () => {
  it('is refused while a record waits in the outbox, and nothing is wiped or sent', async () => {
    await seedLoggedIn()
    await db.outbox.put({ id: '01890000-0000-7000-8000-000000000002', state: 'pending', queuedAt: 1, attempts: 0 })

    const result = await useSessionStore().logout()

    expect(result).toEqual({ ok: false, unsynced: 1 })
    expect(fetchMock).not.toHaveBeenCalled()
    expect(sync.stop).not.toHaveBeenCalled()
    expect(useSessionStore().loggedIn).toBe(true)
    expect(await db.getMeta('session')).toEqual(USER)
    expect(await db.records.count()).toBe(1)
    expect(await db.org.count()).toBe(2)
  })

  it('is refused while a reading session is running, saying so, and the session is kept', async () => {
    await seedLoggedIn()
    const running = { id: '01890000-0000-7000-8000-0000000000aa', pointPath: 'pl/tudong/mtx/g01/rp1', headCount: 5 }
    await db.drafts.put({ key: RUNNING_KEY, value: running, updatedAt: 1 })

    const result = await useSessionStore().logout()

    expect(result).toEqual({ ok: false, unsynced: 0, running: true })
    expect(await useSessionStore().logoutBlockers()).toEqual({ ok: false, unsynced: 0, running: true })
    expect(fetchMock).not.toHaveBeenCalled()
    expect(sync.stop).not.toHaveBeenCalled()
    expect((await db.drafts.get(RUNNING_KEY))?.value).toEqual(running)
    expect(await db.getMeta('session')).toEqual(USER)
    expect(t('me.logout.running')).toBe('还有一场读报活动正在进行，请先结束活动再退出，否则活动记录会丢失')
    await setLocale('en')
    expect(t('me.logout.running')).toMatch(/reading session is still in progress/)
  })

  it('a running-session draft left over from one already saved does not block (the reading store clears it on load)', async () => {
    await seedLoggedIn()
    await db.drafts.put({ key: RUNNING_KEY, value: { id: '01890000-0000-7000-8000-000000000001' }, updatedAt: 1 })
    fetchMock.mockResolvedValue(new Response(null, { status: 204 }))
    expect(await useSessionStore().logout()).toEqual({ ok: true })
    expect(await db.drafts.count()).toBe(0)
  })

  it('the wipe itself refuses when a reading session started after the check', async () => {
    await seedLoggedIn()
    fetchMock.mockImplementation(async () => {
      // the session starts while the logout request is on its way
      await db.drafts.put({ key: RUNNING_KEY, value: { id: 'r1' }, updatedAt: 1 })
      return new Response(null, { status: 204 })
    })
    expect(await useSessionStore().logout()).toEqual({ ok: false, unsynced: 0, running: true })
    expect(sync.start).toHaveBeenCalled()
    expect(await db.drafts.get(RUNNING_KEY)).toBeDefined()
    expect(await db.records.count()).toBe(1)
  })

  it('is refused while records need attention, counting what the sync store reports', async () => {
    await seedLoggedIn()
    sync.waiting = 2
    sync.attention = 1
    expect(await useSessionStore().logout()).toEqual({ ok: false, unsynced: 3 })
    expect(tn('me.logout.refused', 3)).toBe('还有 3 条记录未同步，请联网同步后再退出')
  })

  it('when everything is synced, tells the server and wipes personal data but keeps the device id', async () => {
    await seedLoggedIn()
    fetchMock.mockResolvedValue(new Response(null, { status: 204 }))

    const result = await useSessionStore().logout()

    expect(result).toEqual({ ok: true })
    expect(sync.stop).toHaveBeenCalled()
    const [url, init] = fetchMock.mock.calls[0]!
    expect(url).toBe('/api/v1/auth/logout')
    expect((init?.headers as Record<string, string>).Authorization).toBe('Bearer tok-1')
    expect(useSessionStore().loggedIn).toBe(false)
    expect(await db.getMeta('session')).toBeUndefined()
    expect(await db.getMeta('cursor')).toBeUndefined()
    expect(await db.getMeta('deviceId')).toBe('dev-1')
    expect(await db.records.count()).toBe(0)
    expect(await db.org.count()).toBe(0)
    expect(await db.drafts.count()).toBe(0)
    expect(useOrgStore().loaded).toBe(false)
  })

  it('still logs out on the device when the server cannot be reached', async () => {
    await seedLoggedIn()
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'))
    expect(await useSessionStore().logout()).toEqual({ ok: true })
    expect(await db.getMeta('session')).toBeUndefined()
  })
})

describe('login', () => {
  it('stores the session and the org tree, then resumes sync', async () => {
    fetchMock.mockImplementation(async (url) => (String(url).endsWith('/auth/login') ? json(200, USER) : json(200, { nodes: NODES })))
    const session = useSessionStore()

    await session.login('13800000001', 'pw')

    expect(session.user?.name).toBe('王秀英')
    expect(await db.getMeta('session')).toEqual(USER)
    expect((await db.org.toArray()).map((n) => n.path).sort()).toEqual(NODES.map((n) => n.path).sort())
    const [, orgInit] = fetchMock.mock.calls[1]!
    expect((orgInit?.headers as Record<string, string>).Authorization).toBe('Bearer tok-1')
    expect((orgInit?.headers as Record<string, string>)['Accept-Language']).toMatch(/^zh-CN/)
    expect(sync.start).toHaveBeenCalled()
    expect(sync.resume).toHaveBeenCalled()
  })

  it("shows the server's own words when it refuses", async () => {
    fetchMock.mockResolvedValue(json(401, { error: { code: 'wrong_password', message: '手机号或密码不正确' } }))
    await expect(useSessionStore().login('13800000001', 'bad')).rejects.toThrow('手机号或密码不正确')
    expect(await db.getMeta('session')).toBeUndefined()
  })

  it('says plainly when there is no network, in the chosen language', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'))
    await expect(useSessionStore().login('13800000001', 'pw')).rejects.toThrow('网络未连接，请联网后登录')
    await setLocale('en')
    await expect(useSessionStore().login('13800000001', 'pw')).rejects.toThrow(/No network connection/)
    expect((fetchMock.mock.calls[1]![1]?.headers as Record<string, string>)['Accept-Language']).toBe('en')
  })

  it("refuses a different account while another person's records are unsynced, dropping the new token", async () => {
    await seedLoggedIn()
    await db.outbox.put({ id: '01890000-0000-7000-8000-000000000002', state: 'pending', queuedAt: 1, attempts: 0 })
    fetchMock.mockImplementation(async (url) => (String(url).endsWith('/auth/login') ? json(200, OTHER) : json(204, null)))
    await expect(useSessionStore().login('13900000009', 'pw')).rejects.toThrow(/王秀英/)
    // who it is is only known from the server's answer; the token it gave is handed back at once
    expect(fetchMock.mock.calls.map(([url]) => String(url))).toEqual(['/api/v1/auth/login', '/api/v1/auth/logout'])
    expect((fetchMock.mock.calls[1]![1]?.headers as Record<string, string>).Authorization).toBe('Bearer tok-2')
    expect(sync.stop).not.toHaveBeenCalled()
    expect(await db.getMeta('session')).toEqual(USER)
    expect(await db.records.count()).toBe(1)
    expect(await db.outbox.count()).toBe(1)
  })

  it('the same person typing the phone differently (+86, spaces) is not another person: nothing is refused or wiped', async () => {
    await seedLoggedIn()
    await db.outbox.put({ id: '01890000-0000-7000-8000-000000000002', state: 'pending', queuedAt: 1, attempts: 0 })
    fetchMock.mockImplementation(async (url) => (String(url).endsWith('/auth/login') ? json(200, { ...USER, token: 'tok-1b' }) : json(200, { nodes: NODES })))

    await useSessionStore().login('+86 138 0000 0001', 'pw')

    expect(useSessionStore().session?.token).toBe('tok-1b')
    expect(sync.stop).not.toHaveBeenCalled()
    expect(await db.outbox.count()).toBe(1)
    expect(await db.records.count()).toBe(1)
    expect(await db.getMeta('cursor')).toBe(42)
  })

  it('a disabled account typed as +86 … is still this phone’s account, so the device wipes itself', async () => {
    await seedLoggedIn()
    fetchMock.mockResolvedValue(json(403, { error: { code: 'account_disabled', message: '此账号已停用' } }))
    await expect(useSessionStore().login('+86 138-0000-0001', 'pw')).rejects.toThrow('此账号已停用')
    expect(await db.getMeta('session')).toBeUndefined()
    expect(await db.records.count()).toBe(0)
    expect(useSessionStore().endedBecause).toBe('disabled')
  })

  it("refuses a different account while the other person's reading session is running", async () => {
    await seedLoggedIn()
    await db.drafts.put({ key: RUNNING_KEY, value: { id: 'r1' }, updatedAt: 1 })
    fetchMock.mockImplementation(async (url) => (String(url).endsWith('/auth/login') ? json(200, OTHER) : json(204, null)))
    await expect(useSessionStore().login('13900000009', 'pw')).rejects.toThrow('王秀英 在这部手机上还有一场读报活动正在进行，请先用该账号登录并结束活动')
    expect(await db.drafts.get(RUNNING_KEY)).toBeDefined()
    expect(await db.getMeta('session')).toEqual(USER)
  })

  it('switching to another person wipes the first one and starts sync again', async () => {
    await seedLoggedIn()
    fetchMock.mockImplementation(async (url) => (String(url).endsWith('/auth/login') ? json(200, OTHER) : json(200, { nodes: NODES })))
    await useSessionStore().login('13900000009', 'pw')
    expect(sync.stop).toHaveBeenCalled()
    expect(sync.start).toHaveBeenCalledTimes(1)
    expect(sync.start.mock.invocationCallOrder[0]!).toBeGreaterThan(sync.stop.mock.invocationCallOrder[0]!)
    expect(await db.getMeta('session')).toEqual(OTHER)
    expect(await db.records.count()).toBe(0)
    expect(await db.getMeta('cursor')).toBeUndefined()
  })
})

describe('load', () => {
  it('restores the saved session and tree with no network', async () => {
    await db.setMeta('session', USER)
    await db.org.bulkPut(NODES)
    const session = useSessionStore()
    await session.load()
    expect(session.loggedIn).toBe(true)
    expect(useOrgStore().trail('pl/tudong/mtx/g01/b01')).toEqual(['盘龙区', '1栋'])
    expect(fetchMock).not.toHaveBeenCalled()
  })
})
