/**
 * A logout made offline still ends the login on the server: the device remembers the
 * token (through the wipe) and sends it at the next contact: the next start, the next
 * login, the network coming back. And one's own password change keeps this device's
 * session, no longer marked "must change".
 */
import 'fake-indexeddb/auto'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { reactive } from 'vue'
import { createPinia, setActivePinia } from 'pinia'
import type { LoginResponse } from '@shared/index'
import { db } from '@app/db/database'
import { setLocale } from '@app/i18n'

const sync = reactive({ waiting: 0, attention: 0, paused: null as 'login' | null, start: vi.fn(), stop: vi.fn(), resume: vi.fn(async () => undefined) })
vi.mock('@app/stores/sync', () => ({ useSyncStore: () => sync }))

const { useSessionStore, flushRevocations } = await import('@app/stores/session')

const USER: LoginResponse = {
  token: 'tok-offline-1',
  user: { id: 'u1', name: '王秀英', phone: '13800000001', role: 'building_leader', scopes: ['pl/tudong/mtx/g01/b01'] },
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
const fetchMock = vi.fn<typeof fetch>()
/** the bearer tokens of every logout the server was sent */
const logoutsSent = () =>
  fetchMock.mock.calls
    .filter(([url]) => String(url).endsWith('/auth/logout'))
    .map(([, init]) => (init?.headers as Record<string, string>).Authorization)

beforeEach(async () => {
  setActivePinia(createPinia())
  await setLocale('zh-CN')
  await Promise.all(db.tables.map((table) => table.clear()))
  fetchMock.mockReset()
  vi.stubGlobal('fetch', fetchMock)
  await db.setMeta('session', USER)
  await db.setMeta('deviceId', 'dev-1')
  await useSessionStore().load()
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('a logout made offline', () => {
  it('wipes the device at once and keeps the token to revoke, which the next start sends', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'))
    expect(await useSessionStore().logout()).toEqual({ ok: true })
    expect(await db.getMeta('session')).toBeUndefined()
    expect(await db.getMeta('revokeLater')).toEqual(['tok-offline-1'])
    expect(await db.getMeta('deviceId')).toBe('dev-1')

    // still offline at the next start: kept
    setActivePinia(createPinia())
    await useSessionStore().load()
    await flushRevocations()
    expect(await db.getMeta('revokeLater')).toEqual(['tok-offline-1'])

    // online again: sent once, then forgotten
    fetchMock.mockReset()
    fetchMock.mockResolvedValue(json(200, { ok: true }))
    await flushRevocations()
    expect(logoutsSent()).toEqual(['Bearer tok-offline-1'])
    expect(await db.getMeta('revokeLater')).toEqual([])
  })

  it('is sent when the next person logs in on the phone; a token the server already ended is forgotten, a server error keeps it', async () => {
    await db.setMeta('revokeLater', ['tok-old-a', 'tok-old-b'])
    fetchMock.mockImplementation(async (url, init) => {
      const auth = (init?.headers as Record<string, string>).Authorization
      if (String(url).endsWith('/auth/login')) return json(200, { token: 'tok-new', user: { ...USER.user, id: 'u1' } })
      if (String(url).endsWith('/auth/logout')) return auth === 'Bearer tok-old-a' ? json(401, { error: { code: 'unauthorized', message: 'x' } }) : json(503, { error: { code: 'server_error', message: 'x' } })
      return json(200, { nodes: [], people: [] })
    })
    await useSessionStore().login('13800000001', 'demo-1234')
    await flushRevocations()
    expect(logoutsSent()).toEqual(expect.arrayContaining(['Bearer tok-old-a', 'Bearer tok-old-b']))
    expect(await db.getMeta('revokeLater')).toEqual(['tok-old-b'])
  })

  it('online, the logout reaches the server at once and nothing is kept', async () => {
    fetchMock.mockResolvedValue(json(200, { ok: true }))
    expect(await useSessionStore().logout()).toEqual({ ok: true })
    expect(logoutsSent()).toEqual(['Bearer tok-offline-1'])
    expect(await db.getMeta('revokeLater')).toBeUndefined()
  })
})

describe('one\'s own password change', () => {
  it('keeps this session and stores the user without the must-change mark', async () => {
    await db.setMeta('session', { ...USER, user: { ...USER.user, mustChangePassword: true } })
    setActivePinia(createPinia())
    await useSessionStore().load()
    expect(useSessionStore().user?.mustChangePassword).toBe(true)
    fetchMock.mockResolvedValue(json(200, { user: USER.user }))
    await useSessionStore().changePassword(undefined, 'wang-xiuying-2')
    const [url, init] = fetchMock.mock.calls[0]!
    expect(String(url)).toMatch(/\/api\/v1\/auth\/password$/)
    expect(JSON.parse(String(init?.body))).toEqual({ next: 'wang-xiuying-2' })
    expect(useSessionStore().user?.mustChangePassword).toBeUndefined()
    expect((await db.getMeta('session'))?.token).toBe('tok-offline-1')
  })
})
