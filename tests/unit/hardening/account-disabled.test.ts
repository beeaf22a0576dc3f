// @vitest-environment jsdom
/**
 * Issue 7, lost phone: community staff disable the account; on its next contact
 * with the server the device wipes everything personal — unsynced records too,
 * deliberately — keeps its device id, and shows the login screen with words.
 */
import 'fake-indexeddb/auto'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import Vant from 'vant'
import { db } from '@app/db/database'
import { setLocale } from '@app/i18n'
import { useSessionStore } from '@app/stores/session'
import { useSyncStore } from '@app/stores/sync'
import SafetyAccountEnded from '@app/components/safety/SafetyAccountEnded.vue'

const B01 = 'pl/tudong/mtx/g01/b01'
const USER = { id: 'u1', name: '王秀英', phone: '13800000001', role: 'building_leader' as const, scopes: [B01] }

function visit(id: string, synced: boolean) {
  return {
    id, type: 'visit' as const, v: 1, orgPath: B01, authorId: 'u1', deviceId: 'dev-1', clientTime: '2026-01-01T00:00:00Z',
    body: { household: '1-1-1', outcome: 'met' as const, purposes: [], note: '住户说楼道灯坏了', visitedAt: '2026-01-01T00:00:00Z' },
    ...(synced ? { seq: 1, serverTime: '2026-01-01T00:00:00Z' } : {}),
  }
}

const disabled = () => new Response(JSON.stringify({ error: { code: 'account_disabled', message: '此账号已停用' } }), { status: 403, headers: { 'content-type': 'application/json' } })
const fetchMock = vi.fn<typeof fetch>()

async function seedDevice(): Promise<void> {
  await db.setMeta('session', { token: 'tok-1', user: USER })
  await db.setMeta('deviceId', 'dev-1')
  await db.setMeta('cursor', 42)
  await db.org.put({ path: B01, kind: 'building', name: '1栋' })
  await db.drafts.put({ key: 'visit-form', value: { note: '写了一半' }, updatedAt: 1 })
  await db.records.bulkPut([visit('01890000-0000-7000-8000-000000000001', true), visit('01890000-0000-7000-8000-000000000002', false)])
  await db.outbox.put({ id: '01890000-0000-7000-8000-000000000002', state: 'pending', queuedAt: 1, attempts: 0 })
}

async function everythingLeft(): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const table of db.tables) out[table.name] = await table.count()
  return out
}

beforeEach(async () => {
  setActivePinia(createPinia())
  setLocale('zh-CN')
  await Promise.all(db.tables.map((t) => t.clear()))
  fetchMock.mockReset()
  fetchMock.mockImplementation(async () => disabled())
  vi.stubGlobal('fetch', fetchMock)
  await seedDevice()
})
afterEach(() => {
  useSyncStore().stop()
  vi.unstubAllGlobals()
})

describe('a disabled account', () => {
  it('a sync run answered 403 account_disabled wipes records, outbox (unsynced too), org, drafts and session, keeping the device id', async () => {
    const session = useSessionStore()
    await session.load()
    expect(session.loggedIn).toBe(true)
    useSyncStore().start()
    await expect.poll(() => session.endedBecause, { timeout: 5000 }).toBe('disabled')
    expect(session.loggedIn).toBe(false)
    expect(await everythingLeft()).toEqual({ records: 0, outbox: 0, meta: 1, org: 0, drafts: 0, doors: 0, doorEntries: 0 })
    expect(await db.getMeta('deviceId')).toBe('dev-1')
    expect(fetchMock.mock.calls.some(([url]) => String(url).includes('/sync/push'))).toBe(true)
  })

  it('so does the org refresh at start-up answered 403', async () => {
    const session = useSessionStore()
    await session.load()
    await expect(session.refreshOrg()).rejects.toMatchObject({ code: 'account_disabled' })
    expect(session.endedBecause).toBe('disabled')
    expect(await everythingLeft()).toEqual({ records: 0, outbox: 0, meta: 1, org: 0, drafts: 0, doors: 0, doorEntries: 0 })
  })

  it('takes the person to the login screen and says plainly what happened', async () => {
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/visits', component: { template: '<p/>' } }, { path: '/login', component: { template: '<p/>' } }] })
    await router.push('/visits')
    const pinia = createPinia()
    setActivePinia(pinia)
    const wrapper = mount(SafetyAccountEnded, { global: { plugins: [pinia, router, Vant] }, attachTo: document.body })
    await useSessionStore().load()
    await useSessionStore().accountDisabled()
    await expect.poll(() => router.currentRoute.value.path).toBe('/login')
    await expect.poll(() => document.body.textContent ?? '').toContain('此账号已停用')
    expect(document.body.textContent).toContain('这部手机上的记录已清除')
    wrapper.unmount()
  })

  it('a 401 (expired login) wipes nothing', async () => {
    fetchMock.mockImplementation(async () => new Response(JSON.stringify({ error: { code: 'unauthorized', message: '' } }), { status: 401 }))
    const session = useSessionStore()
    await session.load()
    useSyncStore().start()
    await expect.poll(() => useSyncStore().state, { timeout: 5000 }).toBe('paused')
    expect(session.loggedIn).toBe(true)
    expect((await everythingLeft()).outbox).toBe(1)
  })
})
