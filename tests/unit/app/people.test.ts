// @vitest-environment jsdom
/**
 * Names for other people: fetched with the org tree, kept in `db.meta` for use
 * offline, wiped with everything personal, and shown where the device used to
 * say 其他人员 / 其他人 — falling back to those words when it has no name.
 */
import 'fake-indexeddb/auto'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { reactive } from 'vue'
import { mount } from '@vue/test-utils'
import { createPinia, getActivePinia, setActivePinia } from 'pinia'
import type { ChangeEntry, FeedbackTimelineEntry, LoginResponse, OrgNode, Person } from '@shared/index'
import { db } from '@app/db/database'
import { setLocale } from '@app/i18n'

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
const { usePeopleStore } = await import('@app/stores/people')
const { useOrgStore } = await import('@app/stores/org')
const { usePeople } = await import('@app/composables/usePeople')
const { default: FeedbackTimelineEntryItem } = await import('@app/components/feedback/FeedbackTimelineEntry.vue')
const { default: RoundsChangeLine } = await import('@app/components/rounds/RoundsChangeLine.vue')

const B01 = 'pl/tudong/mtx/g01/b01'
const USER: LoginResponse = { token: 'tok-1', user: { id: 'u1', name: '张秀英', phone: '13800000001', role: 'building_leader', scopes: [B01] } }
const NODES: OrgNode[] = [{ path: B01, kind: 'building', name: '1栋', layout: { units: 2, floors: 6, roomsPerFloor: 2 } }]
const LIU: Person = { id: 'u-liu', name: '刘敏', role: 'community_staff' }
const WANG: Person = { id: 'u-wang', name: '王志强', role: 'group_leader' }
const PEOPLE: Person[] = [{ id: 'u1', name: '张秀英', role: 'building_leader' }, WANG, LIU]

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}
const fetchMock = vi.fn<typeof fetch>()
/** a server answering login, org and people; `people` replaces the /people answer */
function serve(people: () => Response = () => json(200, { people: PEOPLE })): void {
  fetchMock.mockImplementation(async (url) => {
    const u = String(url)
    if (u.endsWith('/auth/login')) return json(200, USER)
    if (u.endsWith('/org')) return json(200, { nodes: NODES })
    if (u.endsWith('/people')) return people()
    return json(204, null)
  })
}

async function loggedInWith(people: Person[] | null): Promise<void> {
  await db.setMeta('session', USER)
  await db.setMeta('deviceId', 'dev-1')
  if (people) await db.setMeta('people', people)
  await useSessionStore().load()
}

beforeEach(async () => {
  setActivePinia(createPinia())
  setLocale('zh-CN')
  await Promise.all(db.tables.map((table) => table.clear()))
  fetchMock.mockReset()
  vi.stubGlobal('fetch', fetchMock)
})
afterEach(() => {
  vi.unstubAllGlobals()
})

describe('people on the device', () => {
  it('are fetched at login beside the org tree and kept in meta', async () => {
    serve()
    await useSessionStore().login('13800000001', 'pw')
    expect(fetchMock.mock.calls.map(([u]) => String(u))).toContain('/api/v1/people')
    const [, init] = fetchMock.mock.calls.find(([u]) => String(u).endsWith('/people'))!
    expect((init?.headers as Record<string, string>).Authorization).toBe('Bearer tok-1')
    expect(await db.getMeta('people')).toEqual(PEOPLE)
    expect(usePeople().nameOf('u-liu')).toBe('刘敏')
  })

  it('are there after a restart with no network', async () => {
    await loggedInWith(PEOPLE)
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'))
    await expect(useSessionStore().refreshOrg()).rejects.toThrow()
    expect(usePeople().personOf('u-wang')).toEqual(WANG)
    expect(usePeople().nameOf('u-nobody')).toBeUndefined()
  })

  it('the org tree is still stored when only /people fails, and the names already here stay', async () => {
    await loggedInWith([LIU])
    serve(() => json(404, { error: { code: 'not_found', message: 'not found' } }))
    await useSessionStore().refreshOrg()
    expect(useOrgStore().nodes.has(B01)).toBe(true)
    expect(await db.getMeta('people')).toEqual([LIU])
    expect(usePeople().nameOf('u-liu')).toBe('刘敏')
  })

  it('a refresh replaces the list: someone no longer around loses their name', async () => {
    await loggedInWith(PEOPLE)
    serve(() => json(200, { people: [LIU] }))
    await useSessionStore().refreshOrg()
    expect(usePeople().nameOf('u-wang')).toBeUndefined()
    expect(usePeople().nameOf('u-liu')).toBe('刘敏')
  })

  it('keeps only id, name and a known role of well-formed entries', async () => {
    await usePeopleStore().replace([LIU, { id: 'x', name: '', role: 'group_leader' }, { id: 'y', name: '某人', role: 'resident' }, null, { ...WANG, phone: '13800000002' }])
    expect(await db.getMeta('people')).toEqual([LIU, WANG])
    await usePeopleStore().replace({ nodes: [] })
    expect(await db.getMeta('people')).toEqual([LIU, WANG])
  })

  it('keeps a leader’s scopes when they are a list of paths, and lists those leaders for the tablet’s ledger', async () => {
    const zhang = { id: 'demo-13800000001', name: '张秀英', role: 'building_leader' as const, scopes: ['pl/tuodong/mingtongxiang/g01/b01'] }
    await usePeopleStore().replace([LIU, zhang, { ...WANG, scopes: 'pl/tuodong/mingtongxiang/g01' }, { id: 'z', name: '赵', role: 'building_leader', scopes: [1] }])
    expect(await db.getMeta('people')).toEqual([LIU, zhang, WANG, { id: 'z', name: '赵', role: 'building_leader' }])
    expect(usePeopleStore().leaders()).toEqual([zhang])
  })

  it('the signed-in person is named from the session even before the list arrives', async () => {
    await loggedInWith(null)
    expect(usePeople().personOf('u1')).toEqual({ id: 'u1', name: '张秀英', role: 'building_leader' })
  })

  it('logout wipes them from the database and from memory, keeping the device id', async () => {
    await loggedInWith(PEOPLE)
    serve()
    expect(await useSessionStore().logout()).toEqual({ ok: true })
    expect(await db.getMeta('people')).toBeUndefined()
    expect(await db.getMeta('deviceId')).toBe('dev-1')
    expect(usePeople().nameOf('u-liu')).toBeUndefined()
  })

  it('a disabled account wipes them too, even when /people is what answered 403', async () => {
    await loggedInWith(PEOPLE)
    serve(() => json(403, { error: { code: 'account_disabled', message: '此账号已停用' } }))
    await expect(useSessionStore().refreshOrg()).rejects.toMatchObject({ code: 'account_disabled' })
    expect(useSessionStore().endedBecause).toBe('disabled')
    expect(await db.getMeta('people')).toBeUndefined()
    expect(usePeopleStore().byId.size).toBe(0)
  })
})

describe('names where people acted', () => {
  const step = (over: Partial<FeedbackTimelineEntry>): FeedbackTimelineEntry => ({
    recordId: '0190a000-0000-7000-8000-000000000001', action: 'escalate', authorId: 'u-wang', clientTime: '2026-05-01T02:00:00Z',
    text: '楼栋解决不了', toLevel: 'community', effective: true, level: 'community', status: 'open', ...over,
  })
  const change = (authorId: string): ChangeEntry => ({ recordId: '0190a000-0000-7000-8000-000000000002', kind: 'correction', authorId, clientTime: '2026-11-27T02:00:00Z', changes: { note: ['', '见到了'] } })

  it('the feedback timeline says 王志强(居民小组长), and 我(张秀英) for me', async () => {
    await loggedInWith(PEOPLE)
    const pinia = getActivePinia()!
    const other = mount(FeedbackTimelineEntryItem, { props: { entry: step({}) }, global: { plugins: [pinia] } })
    expect(other.find('[data-who]').text()).toBe('王志强(居民小组长)')
    const mine = mount(FeedbackTimelineEntryItem, { props: { entry: step({ authorId: 'u1' }) }, global: { plugins: [pinia] } })
    expect(mine.find('[data-who]').text()).toBe('我(张秀英)')
    await setLocale('en')
    await other.vm.$nextTick()
    expect(other.find('[data-who]').text()).toBe('王志强 (Resident group leader)')
  })

  it('without a name the timeline keeps its words: 其他人员, or the resolver’s level', async () => {
    await loggedInWith(null)
    const pinia = getActivePinia()!
    const other = mount(FeedbackTimelineEntryItem, { props: { entry: step({}) }, global: { plugins: [pinia] } })
    expect(other.find('[data-who]').text()).toBe('其他人员')
    const resolve = mount(FeedbackTimelineEntryItem, { props: { entry: step({ action: 'resolve', authorId: 'u-liu', atLevel: 'community', status: 'resolved' }) }, global: { plugins: [pinia] } })
    expect(resolve.find('[data-who]').text()).toBe('社区工作人员')
  })

  it('the visit history says who corrected it: 王志强 于 11/27, 我 于 …, else 其他人', async () => {
    await loggedInWith(PEOPLE)
    const pinia = getActivePinia()!
    const line = (authorId: string) => mount(RoundsChangeLine, { props: { entry: change(authorId) }, global: { plugins: [pinia] } }).find('.change-line__head').text()
    expect(line('u-wang')).toMatch(/^王志强 于 11\D{1,2}27/)
    expect(line('u1')).toMatch(/^我 于/)
    expect(line('u-stranger')).toMatch(/^其他人 于/)
  })
})
