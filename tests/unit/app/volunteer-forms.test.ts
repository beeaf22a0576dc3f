// @vitest-environment jsdom
/**
 * The volunteer forms on the device: a half-typed form comes back from its
 * draft and saves under the draft's id; editing a volunteer saves a later
 * record of their chain, retiring one saves it inactive; a service names
 * several households of one building and the time picked; a wrong service is
 * corrected by a correction with only what changed.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { createMemoryHistory, createRouter, RouterView, type Router } from 'vue-router'
import { defineComponent, h } from 'vue'
import Vant from 'vant'
import { uuidv7, type AnyRecord } from '@shared/index'
import type { LoudongDB } from '@app/db/database'
import { freshDb } from './fakes'

const holder = vi.hoisted(() => ({ db: null as LoudongDB | null }))
vi.mock('@app/db/database', async (importOriginal) => {
  const mod = await importOriginal<typeof import('@app/db/database')>()
  return {
    ...mod,
    get db() {
      return holder.db
    },
  }
})

const { default: volunteerRoutes } = await import('@app/router/routes/volunteers')
const { useOrgStore } = await import('@app/stores/org')
const { useSessionStore } = await import('@app/stores/session')
const { setLocale } = await import('@app/i18n')
const { toLocalInput } = await import('@app/components/visits/visitTime')

const MTX = 'pl/tuodong/mtx'
const G01 = `${MTX}/g01`
const B01 = `${G01}/b01`
const STAFF = 'u-staff'

let pinia: Pinia
let router: Router
const Shell = defineComponent({ render: () => h(RouterView) })

async function open(path: string): Promise<VueWrapper> {
  await router.push(path)
  await router.isReady()
  const wrapper = mount(Shell, { global: { plugins: [pinia, router, Vant] }, attachTo: document.body })
  await flushPromises()
  return wrapper
}

/** A record already on the device (pulled), as staff wrote it. */
async function stored<T extends AnyRecord['type']>(type: T, orgPath: string, body: Record<string, unknown>, id = uuidv7()): Promise<string> {
  await holder.db!.records.put({ id, type, v: 1, orgPath, authorId: STAFF, deviceId: 'd', clientTime: new Date(Date.now() - 3_600_000).toISOString(), body, seq: 1, serverTime: new Date(Date.now() - 3_600_000).toISOString() } as unknown as AnyRecord)
  return id
}
const mine = async () => (await holder.db!.records.toArray()).filter((r) => !('seq' in r && r.seq))
const field = (w: VueWrapper, name: string) => w.find(`[name="${name}"]`)
/** vi.waitFor with room for a loaded machine: the device's database answers through fake-indexeddb's timers */
const until = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 10_000 })

describe('volunteer forms', () => {
  beforeEach(async () => {
    setLocale('zh-CN')
    document.body.innerHTML = ''
    holder.db = freshDb()
    await holder.db.setMeta('session', { token: 't', user: { id: STAFF, name: '刘主任', phone: '13800000003', role: 'community_staff', scopes: [MTX] } })
    pinia = createPinia()
    setActivePinia(pinia)
    router = createRouter({ history: createMemoryHistory(), routes: [...volunteerRoutes, { path: '/wishes', component: { template: '<div />' } }] })
    await useOrgStore().replace([
      { path: MTX, kind: 'community', name: '明通巷社区' },
      { path: G01, kind: 'group', name: '第一居民小组' },
      { path: B01, kind: 'building', name: '1栋', layout: { units: 2, floors: 6, roomsPerFloor: 2 } },
    ])
    await useSessionStore().load()
  })

  it('a half-typed team comes back from its draft, says so, and is saved under the draft’s id', async () => {
    const formId = uuidv7()
    await holder.db!.drafts.put({ key: 'volunteers.team:new', value: { formId, value: { place: MTX, name: '红帽子', kind: 'fire', leader: '' } }, updatedAt: Date.now() - 60_000 })
    const w = await open('/volunteers/team')
    await until(() => expect((field(w, 'teamName').element as HTMLInputElement).value).toBe('红帽子'))
    expect(w.find('[data-draft="restored"]').exists()).toBe(true)
    await field(w, 'teamName').setValue('红帽子消防队')
    await until(async () => expect((await holder.db!.drafts.get('volunteers.team:new'))?.value).toMatchObject({ formId, value: { name: '红帽子消防队' } }))
    await w.find('form').trigger('submit')
    await until(async () => expect(await mine()).toHaveLength(1))
    expect((await mine())[0]).toMatchObject({ id: formId, type: 'volunteer.team', orgPath: MTX, body: { name: '红帽子消防队', kind: 'fire', active: true } })
    await until(async () => expect(await holder.db!.drafts.get('volunteers.team:new')).toBeUndefined())
  })

  it('editing a volunteer saves a later record of the chain; retiring asks once more, then saves it inactive', async () => {
    const id = await stored('volunteer', G01, { name: '孙丽', phone: '13900000001', skills: '理发', availability: '周末', active: true })
    const w = await open(`/volunteers/volunteer/${id}`)
    await until(() => expect((field(w, 'name').element as HTMLInputElement).value).toBe('孙丽'))
    expect(field(w, 'place').exists()).toBe(false) // a chain stays where it began
    await field(w, 'skills').setValue('理发、量血压')
    await w.find('form').trigger('submit')
    await until(async () => expect(await mine()).toHaveLength(1))
    expect((await mine())[0]).toMatchObject({ type: 'volunteer', orgPath: G01, body: { of: id, name: '孙丽', phone: '13900000001', skills: '理发、量血压', active: true } })
    // back on the list, which shows the change
    await until(() => expect(w.find('[data-volunteer-list]').text()).toContain('理发、量血压'))

    const again = await open(`/volunteers/volunteer/${id}`)
    await until(() => expect((field(again, 'skills').element as HTMLInputElement).value).toBe('理发、量血压'))
    await again.find('[data-retire]').trigger('click')
    expect(await mine()).toHaveLength(1) // the first tap only asks
    expect(again.find('[data-retire-confirm]').exists()).toBe(true)
    await again.find('[data-retire-confirm]').trigger('click')
    await until(async () => expect(await mine()).toHaveLength(2))
    expect((await mine()).find((r) => r.type === 'volunteer' && (r.body as { active: boolean }).active === false)).toMatchObject({ body: { of: id } })
  })

  it('a service names several households of one building and the time picked', async () => {
    const v = await stored('volunteer', G01, { name: '孙丽', skills: '', availability: '', active: true })
    await stored('volunteer.pairing', B01, { volunteer: v, volunteerName: '孙丽', household: '1-3-2', startsAt: new Date().toISOString(), intervalDays: 7, active: true })
    await stored('volunteer.pairing', B01, { volunteer: v, volunteerName: '孙丽', household: '2-5-1', startsAt: new Date().toISOString(), intervalDays: 7, active: true })
    const w = await open('/volunteers/service')
    await until(() => expect(w.find('[data-service-form]').exists()).toBe(true))
    await field(w, 'volunteer').setValue(v)
    // her first pairing is ticked; she also helped the other household
    await until(() => expect(w.find(`[data-household="${B01}|1-3-2"]`).attributes('aria-pressed')).toBe('true'))
    await w.find(`[data-household="${B01}|2-5-1"]`).trigger('click')
    const when = toLocalInput(Date.now() - 2 * 3_600_000)
    await field(w, 'servedAt').setValue(when)
    await w.find('form').trigger('submit')
    await until(async () => expect(await mine()).toHaveLength(1))
    const [saved] = await mine()
    expect(saved).toMatchObject({ type: 'volunteer.service', orgPath: B01, body: { volunteer: v, households: ['1-3-2', '2-5-1'], hours: 1 } })
    expect(toLocalInput((saved!.body as { servedAt: string }).servedAt)).toBe(when)
  })

  it('a wrong service is corrected with only what changed; nothing changed saves nothing', async () => {
    const v = await stored('volunteer', G01, { name: '孙丽', skills: '', availability: '', active: true })
    const s = await stored('volunteer.service', B01, { volunteer: v, kind: 'care_visit', note: '陪老人聊天', servedAt: new Date(Date.now() - 3_600_000).toISOString(), hours: 2, households: ['1-3-2'] })
    const w = await open(`/volunteers/service/${s}`)
    await until(() => expect(w.find('[data-correct-form]').exists()).toBe(true))
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(w.find('[role="alert"]').text()).toContain('没有改动')
    expect(await mine()).toHaveLength(0)
    await w.find('button[aria-label="少半小时"]').trigger('click')
    await field(w, 'reason').setValue('时长记错了')
    await w.find('form').trigger('submit')
    await until(async () => expect(await mine()).toHaveLength(1))
    expect((await mine())[0]).toMatchObject({ type: 'correction', orgPath: B01, body: { target: s, targetType: 'volunteer.service', fields: { hours: 1.5 }, reason: '时长记错了' } })
  })

  it('a service recorded by mistake is voided, and only with a reason', async () => {
    const v = await stored('volunteer', G01, { name: '孙丽', skills: '', availability: '', active: true })
    const s = await stored('volunteer.service', B01, { volunteer: v, kind: 'chores', note: '', servedAt: new Date(Date.now() - 3_600_000).toISOString(), hours: 1, households: [] })
    const w = await open(`/volunteers/service/${s}`)
    await until(() => expect(w.find('[data-correct-form]').exists()).toBe(true))
    await w.find('[data-retire]').trigger('click')
    await w.find('[data-retire-confirm]').trigger('click')
    await flushPromises()
    expect(w.text()).toContain('请先在“原因”里写明为什么作废')
    expect(await mine()).toHaveLength(0)
    await field(w, 'reason').setValue('重复记录了')
    await w.find('[data-retire-confirm]').trigger('click')
    await until(async () => expect(await mine()).toHaveLength(1))
    expect((await mine())[0]).toMatchObject({ type: 'void', orgPath: B01, body: { target: s, reason: '重复记录了' } })
  })
})
