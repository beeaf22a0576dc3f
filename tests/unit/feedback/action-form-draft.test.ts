// @vitest-environment jsdom
/**
 * The feedback action form's words survive a closed app and a double confirm is
 * one event. In a file of its own: it needs a fresh device, untouched by the
 * screens tested before it.
 */
import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter, type Router } from 'vue-router'
import Vant from 'vant'
import type { AnyRecord, Person, Role } from '@shared/index'
import type { LoudongDB } from '@app/db/database'
import { freshDb } from '../app/fakes'

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

const { default: FeedbackNew } = await import('@app/views/feedback/FeedbackNew.vue')
const { default: FeedbackDetail } = await import('@app/views/feedback/FeedbackDetail.vue')
const { useFeedbackStore } = await import('@app/stores/feedback')
const { useOrgStore } = await import('@app/stores/org')
const { useSessionStore } = await import('@app/stores/session')
const { setLocale } = await import('@app/i18n')

const G = 'pl/tudong/mtx/g01'
const B1 = `${G}/b01`
const B2 = `${G}/b02`
const ME = 'u-me'
const OTHER = 'u-other'

async function signInAs(role: Role, scopes: string[]): Promise<void> {
  await holder.db!.setMeta('session', { token: 't', user: { id: ME, name: '张秀英', phone: '13800000001', role, scopes } })
}

let seq = 0
const id = () => `0190a000-0000-7000-8000-${String(++seq).padStart(12, '0')}`
const at = (h: number) => new Date(Date.UTC(2026, 4, 1, h)).toISOString()
function feedback(orgPath: string, authorId: string, hour: number, urgency: 'normal' | 'urgent' = 'normal'): AnyRecord {
  return { id: id(), type: 'feedback', v: 1, orgPath, authorId, deviceId: 'd', clientTime: at(hour), seq, serverTime: at(hour), body: { category: 'repair', description: `灯坏了 ${seq}`, urgency, channel: 'visit', raisedAt: at(hour) } } as AnyRecord
}

async function start(role: Role, scopes: string[], records: AnyRecord[] = [], people: Person[] = []) {
  setLocale('zh-CN')
  holder.db = freshDb()
  await signInAs(role, scopes)
  await holder.db.records.bulkAdd(records)
  if (people.length) await holder.db.setMeta('people', people)
  setActivePinia(createPinia())
  await useOrgStore().replace([
    { path: G, kind: 'group', name: '第一居民小组' },
    { path: B1, kind: 'building', name: '1栋', layout: { units: 2, floors: 6, roomsPerFloor: 2 } },
    { path: B2, kind: 'building', name: '2栋', layout: { units: 1, floors: 6, roomsPerFloor: 2 } },
  ])
  await useSessionStore().load()
  const store = useFeedbackStore()
  await vi.waitFor(() => expect(store.loaded).toBe(true))
  return store
}

function routerAt(): Router {
  const stub = { template: '<div />' }
  return createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/feedback/new', component: FeedbackNew },
      { path: '/feedback/:id', component: FeedbackDetail },
      { path: '/feedback', component: stub },
      { path: '/visits', component: stub },
    ],
  })
}

async function mountAt(component: object, path: string) {
  const router = routerAt()
  await router.push(path)
  await router.isReady()
  const wrapper = mount(component, { global: { plugins: [router, Vant] } })
  await flushPromises()
  return { wrapper, router }
}

describe('the action form’s words', () => {
  it('survive a closed app on every keystroke, come back with a notice, and a double confirm is one event', async () => {
    const item = feedback(B1, OTHER, 1)
    await start('building_leader', [B1], [item])
    const first = await mountAt(FeedbackDetail, `/feedback/${item.id}`)
    // the actions show once the item and who I am are read (slow on a loaded machine)
    await vi.waitFor(() => expect(first.wrapper.find('[data-action="resolve"]').exists()).toBe(true), { timeout: 10_000 })
    await first.wrapper.find('[data-action="resolve"]').trigger('click')
    await first.wrapper.find('[data-action-form] textarea').setValue('已联系物业换灯')
    await vi.waitFor(async () => expect((await holder.db!.drafts.get(`feedback.action:${item.id}`))?.value).toMatchObject({ value: { action: 'resolve', text: '已联系物业换灯' } }))
    first.wrapper.unmount()

    const second = await mountAt(FeedbackDetail, `/feedback/${item.id}`)
    await vi.waitFor(() => expect((second.wrapper.find('[data-action-form] textarea').element as HTMLTextAreaElement).value).toBe('已联系物业换灯'))
    expect(second.wrapper.find('[data-draft="restored"]').text()).toContain('已恢复上次未保存的内容')
    const form = second.wrapper.find('[data-action-form]')
    await form.trigger('submit')
    await form.trigger('submit')
    await vi.waitFor(async () => expect(await holder.db!.records.where('type').equals('feedback.event').count()).toBe(1))
    await flushPromises()
    expect(await holder.db!.records.where('type').equals('feedback.event').count()).toBe(1)
    await vi.waitFor(async () => expect(await holder.db!.drafts.get(`feedback.action:${item.id}`)).toBeUndefined())
  })
})
