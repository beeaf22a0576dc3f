/**
 * The 意见 screens' test device, shared by the files that mount them: a fresh fake
 * database per test (through the caller's `holder`, which its own `vi.mock` of
 * `@app/db/database` reads), a signed-in person, the group's org, and the routes the
 * screens go to. Import it after `vi.mock` in the test file (vitest hoists the mock).
 */
// first: it installs the fake IndexedDB before Dexie loads
import { freshDb } from '../app/fakes'
import { expect, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter, type Router } from 'vue-router'
import Vant from 'vant'
import type { AnyRecord, Person, Role } from '@shared/index'
import type { LoudongDB } from '@app/db/database'
import FeedbackNew from '@app/views/feedback/FeedbackNew.vue'
import FeedbackDetail from '@app/views/feedback/FeedbackDetail.vue'
import { useFeedbackStore } from '@app/stores/feedback'
import { useOrgStore } from '@app/stores/org'
import { useSessionStore } from '@app/stores/session'
import { setLocale } from '@app/i18n'

export { FeedbackNew, FeedbackDetail }

export const G = 'pl/tudong/mtx/g01'
export const B1 = `${G}/b01`
export const B2 = `${G}/b02`
export const ME = 'u-me'
export const OTHER = 'u-other'

let seq = 0
const id = () => `0190a000-0000-7000-8000-${String(++seq).padStart(12, '0')}`
const at = (h: number) => new Date(Date.UTC(2026, 4, 1, h)).toISOString()

/** A pulled feedback item raised at `orgPath` by `authorId` at 2026-05-01 `hour`:00 UTC. */
export function feedback(orgPath: string, authorId: string, hour: number, urgency: 'normal' | 'urgent' = 'normal'): AnyRecord {
  return { id: id(), type: 'feedback', v: 1, orgPath, authorId, deviceId: 'd', clientTime: at(hour), seq, serverTime: at(hour), body: { category: 'repair', description: `灯坏了 ${seq}`, urgency, channel: 'visit', raisedAt: at(hour) } } as AnyRecord
}

/** A pulled event on `target` by `authorId` at 12:00 UTC; `body` adds the action and its fields. */
export function event(target: AnyRecord, authorId: string, body: Record<string, unknown>): AnyRecord {
  return { id: id(), type: 'feedback.event', v: 1, orgPath: target.orgPath, authorId, deviceId: 'd', clientTime: at(12), seq, serverTime: at(12), body: { feedback: target.id, text: '说明', ...body } } as AnyRecord
}

/**
 * A fresh device holding `records` (and `people`), signed in as ME with `role` over
 * `scopes`; resolves with the feedback store once it has folded them.
 */
export async function startDevice(holder: { db: LoudongDB | null }, role: Role, scopes: string[], records: AnyRecord[] = [], people: Person[] = []) {
  setLocale('zh-CN')
  const db = freshDb()
  holder.db = db
  await db.setMeta('session', { token: 't', user: { id: ME, name: '张秀英', phone: '13800000001', role, scopes } })
  await db.records.bulkAdd(records)
  if (people.length) await db.setMeta('people', people)
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

/** Mounts `component` at `path` with the screens' routes and Vant; resolves once settled. */
export async function mountAt(component: object, path: string): Promise<{ wrapper: VueWrapper; router: Router }> {
  const router = routerAt()
  await router.push(path)
  await router.isReady()
  const wrapper = mount(component, { global: { plugins: [router, Vant] } })
  await flushPromises()
  return { wrapper, router }
}
