// @vitest-environment jsdom
/**
 * Drafts and saving once on the visit form: a draft comes back and says so, an
 * old one is only offered, discarding empties the form, a draft's untouched
 * time is now, and two submits of one form are one visit.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { createMemoryHistory, createRouter, RouterView, type Router } from 'vue-router'
import { defineComponent, h } from 'vue'
import Vant from 'vant'
import { DAY_MS, uuidv7 } from '@shared/index'
import type { LoudongDB } from '@app/db/database'
import { BUILDING, freshDb, signIn } from './fakes'

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

const { default: visitRoutes } = await import('@app/router/routes/visits')
const { useOrgStore } = await import('@app/stores/org')
const { useSessionStore } = await import('@app/stores/session')
const { setLocale } = await import('@app/i18n')
const { draftKey } = await import('@app/components/visits/useVisitRecord')
const { toLocalInput } = await import('@app/components/visits/visitTime')

let pinia: Pinia
let router: Router
const Shell = defineComponent({ render: () => h(RouterView) })
const KEY = draftKey(BUILDING, '1-2-1')
const PATH = `/visits/record?building=${BUILDING}&household=1-2-1`

async function open(path: string): Promise<VueWrapper> {
  await router.push(path)
  await router.isReady()
  const wrapper = mount(Shell, { global: { plugins: [pinia, router, Vant] }, attachTo: document.body })
  await flushPromises()
  return wrapper
}

/** A visit draft as the form keeps it, written `ageMs` ago. */
async function keptDraft(ageMs: number, value: Record<string, unknown>, formId = uuidv7()): Promise<string> {
  await holder.db!.drafts.put({ key: KEY, value: { formId, value: { outcome: 'declined', purposes: ['care'], note: '上次没写完的话', visitedAt: '2020-01-02T09:00', timeTouched: false, ...value } }, updatedAt: Date.now() - ageMs })
  return formId
}

const textarea = (w: VueWrapper) => w.find('textarea').element as HTMLTextAreaElement
const outcomeOn = (w: VueWrapper) => w.find('.outcome-buttons [aria-checked="true"]').text()

describe('form drafts', () => {
  beforeEach(async () => {
    setLocale('zh-CN')
    document.body.innerHTML = ''
    holder.db = freshDb()
    await signIn(holder.db)
    pinia = createPinia()
    setActivePinia(pinia)
    router = createRouter({ history: createMemoryHistory(), routes: [...visitRoutes, { path: '/feedback/new', component: { template: '<div />' } }] })
    await useOrgStore().replace([{ path: BUILDING, kind: 'building', name: '12栋', layout: { units: 2, floors: 3, roomsPerFloor: 2 } }])
    await useSessionStore().load()
  })

  it('writes the draft on every keystroke, not after a pause', async () => {
    const w = await open(PATH)
    await w.find('textarea').setValue('老')
    await w.find('textarea').setValue('老人')
    // no timer runs here: the write was started by the input itself
    await vi.waitFor(async () => expect((await holder.db!.drafts.get(KEY))?.value).toMatchObject({ value: { note: '老人' } }))
  })

  it('brings back a recent draft, says so, sets its untouched time to now, and saves under the draft’s id', async () => {
    const formId = await keptDraft(60_000, {})
    const before = Date.now()
    const w = await open(PATH)
    await vi.waitFor(() => expect(textarea(w).value).toBe('上次没写完的话'))
    expect(w.find('[data-draft="restored"]').text()).toContain('已恢复上次未保存的内容')
    const time = (w.find('input[name="visitedAt"]').element as HTMLInputElement).value
    expect(time >= toLocalInput(before).slice(0, 16)).toBe(true) // not 2020: the person never set it
    await w.find('form').trigger('submit')
    await vi.waitFor(async () => expect(await holder.db!.records.count()).toBe(1))
    expect((await holder.db!.records.toArray())[0]).toMatchObject({ id: formId, body: { outcome: 'declined', note: '上次没写完的话' } })
    await vi.waitFor(async () => expect(await holder.db!.drafts.get(KEY)).toBeUndefined())
  })

  it('keeps a time the person set', async () => {
    await keptDraft(60_000, { visitedAt: '2024-05-01T09:00', timeTouched: true })
    const w = await open(PATH)
    await vi.waitFor(() => expect(textarea(w).value).toBe('上次没写完的话'))
    expect((w.find('input[name="visitedAt"]').element as HTMLInputElement).value).toBe('2024-05-01T09:00')
  })

  it('only offers a draft older than a day: the form stays empty until the person takes it', async () => {
    await keptDraft(DAY_MS + 60_000, {})
    const w = await open(PATH)
    await vi.waitFor(() => expect(w.find('[data-draft="offered"]').exists()).toBe(true))
    expect(w.find('[data-draft="offered"]').text()).toContain('未保存的内容，要恢复吗')
    expect(textarea(w).value).toBe('')
    expect(w.find('[data-draft="offered"]').exists()).toBe(true)
    expect(outcomeOn(w)).toContain('见到住户') // not the draft's 拒绝
    // nothing was applied, so nothing wrong can be saved: the offered draft is still kept
    expect(await holder.db!.drafts.get(KEY)).toBeDefined()
    await w.find('[data-draft-use]').trigger('click')
    await flushPromises()
    expect(textarea(w).value).toBe('上次没写完的话')
    expect(outcomeOn(w)).toContain('拒绝')
    expect(w.find('[data-draft="restored"]').exists()).toBe(true)
  })

  it('discarding empties the form and forgets the draft', async () => {
    await keptDraft(60_000, {})
    const w = await open(PATH)
    await vi.waitFor(() => expect(textarea(w).value).toBe('上次没写完的话'))
    await w.find('[data-draft-discard]').trigger('click')
    await flushPromises()
    expect(textarea(w).value).toBe('')
    expect(w.find('[data-draft]').exists()).toBe(false)
    await vi.waitFor(async () => expect(await holder.db!.drafts.get(KEY)).toBeUndefined())
  })

  it('forgets a draft whose visit was already saved (the drop after saving was lost)', async () => {
    const formId = await keptDraft(60_000, {})
    await holder.db!.records.put({ id: formId, type: 'visit', v: 1, orgPath: BUILDING, authorId: 'u-leader', deviceId: 'd', clientTime: new Date().toISOString(), body: { household: '1-2-1', outcome: 'declined', purposes: ['care'], note: '上次没写完的话', visitedAt: new Date().toISOString() } })
    const w = await open(PATH)
    await vi.waitFor(async () => expect(await holder.db!.drafts.get(KEY)).toBeUndefined())
    expect(textarea(w).value).toBe('')
    expect(w.find('[data-draft]').exists()).toBe(false)
  })

  it('two submits of one form, 50 ms apart, are one visit and one outbox entry', async () => {
    const w = await open(PATH)
    // the next screen is slow to come (a lazy chunk on a cheap phone): the form stays under the finger
    let go: () => void = () => undefined
    router.beforeEach(() => new Promise<void>((resolve) => (go = resolve)))
    await w.find('textarea').setValue('送了米和油')
    await w.find('form').trigger('submit')
    await vi.waitFor(async () => expect(await holder.db!.records.count()).toBe(1))
    await new Promise((r) => setTimeout(r, 50))
    await w.find('form').trigger('submit')
    await vi.waitFor(async () => expect(await holder.db!.records.count()).toBe(1))
    await flushPromises()
    expect(await holder.db!.records.count()).toBe(1)
    expect(await holder.db!.outbox.count()).toBe(1)
    expect(w.find('button[type="submit"]').attributes('disabled')).toBeDefined()
    go()
  })
})
