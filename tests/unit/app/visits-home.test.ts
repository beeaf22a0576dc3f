// @vitest-environment jsdom
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { createMemoryHistory, createRouter, RouterView, type Router } from 'vue-router'
import { defineComponent, h } from 'vue'
import Vant from 'vant'
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
const { useRecordsStore } = await import('@app/stores/records')
const { setLocale } = await import('@app/i18n')

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

function button(wrapper: VueWrapper, text: string) {
  const found = wrapper.findAll('button').find((b) => b.text().replace('✓', '').trim() === text)
  if (!found) throw new Error(`no button "${text}" in: ${wrapper.findAll('button').map((b) => b.text()).join(' | ')}`)
  return found
}

const door = (wrapper: VueWrapper, household: string) => wrapper.find(`.door[data-household="${household}"]`)

describe('走访 screens', () => {
  beforeEach(async () => {
    setLocale('zh-CN')
    document.body.innerHTML = ''
    holder.db = freshDb()
    await signIn(holder.db)
    pinia = createPinia()
    setActivePinia(pinia)
    router = createRouter({
      history: createMemoryHistory(),
      routes: [...visitRoutes, { path: '/feedback/new', component: { template: '<div class="feedback-new" />' } }, { path: '/sync', component: { template: '<div />' } }],
    })
    await useOrgStore().replace([{ path: BUILDING, kind: 'building', name: '12栋', layout: { units: 2, floors: 3, roomsPerFloor: 2 } }])
    await useSessionStore().load()
  })

  it('logs 无人在家 in two taps from the grid: 已保存 at once, 待同步, and the door says 未见到, not covered', async () => {
    const wrapper = await open('/visits')
    // the grid is drawn once the doors' summaries are read
    await vi.waitFor(() => expect(wrapper.find('.unit-tabs').exists()).toBe(true))
    // no layout engine here, so the units come as tabs (see grid-shape.test.ts)
    await wrapper.find('.unit-tabs').findAll('button')[1]!.trigger('click')
    expect(door(wrapper, '2-3-2').attributes('data-status')).toBe('never')
    expect(door(wrapper, '2-3-2').text()).toContain('未访')
    await door(wrapper, '2-3-2').trigger('click') // tap 1
    await flushPromises()
    await wrapper.find('.door-sheet [data-outcome="nobody_home"]').trigger('click') // tap 2
    await vi.waitFor(() => expect(wrapper.find('.saved-bar').text()).toContain('已保存 · 2单元 302 无人在家'))
    expect(wrapper.find('.saved-bar').text()).toContain('待同步')
    expect(door(wrapper, '2-3-2').attributes('data-status')).toBe('attempted')
    expect(door(wrapper, '2-3-2').text()).toContain('未见到')
    expect(wrapper.find('.coverage').text()).toContain('本月已见 0/12 户')
    expect(wrapper.find('.coverage').text()).toContain('另有 1 户去过未见到')
    const [record] = await holder.db!.records.toArray()
    expect(record).toMatchObject({ orgPath: BUILDING, body: { household: '2-3-2', outcome: 'nobody_home', note: '' } })
    expect(await holder.db!.outbox.count()).toBe(1)

    // a mistaken tap is taken back with 撤回: a void, and the door is unvisited again
    await button(wrapper, '撤回').trigger('click')
    await vi.waitFor(() => expect(door(wrapper, '2-3-2').attributes('data-status')).toBe('never'))
    expect(await holder.db!.records.where('type').equals('void').count()).toBe(1)
  })

  it('shows a shape error in Chinese next to the note and keeps what was typed', async () => {
    const wrapper = await open(`/visits/record?building=${BUILDING}&household=1-1-1`)
    const long = '住户反映楼道灯坏了。'.repeat(201)
    await wrapper.find('textarea').setValue(long)
    await wrapper.find('form').trigger('submit')
    await vi.waitFor(() => expect(wrapper.text()).toContain('备注：备注太长，最多 2000 字'))
    expect(wrapper.find('[data-count]').classes()).toContain('text-box__count--over')
    expect((wrapper.find('textarea').element as HTMLTextAreaElement).value).toBe(long)
    expect(await holder.db!.records.count()).toBe(0)
  })

  it('keeps a half-typed full visit when the app is closed and brings it back', async () => {
    const first = await open(`/visits/record?building=${BUILDING}&household=1-2-1`)
    await button(first, '关爱探访').trigger('click')
    await first.find('textarea').setValue('老人说药快吃完了')
    const key = `visits.record:${BUILDING}:1-2-1`
    await vi.waitFor(async () => expect((await holder.db!.drafts.get(key))?.value).toMatchObject({ value: { note: '老人说药快吃完了', purposes: ['care'] } }))
    first.unmount()

    setActivePinia((pinia = createPinia()))
    await useSessionStore().load()
    await useOrgStore().load()
    const second = await open(`/visits/record?building=${BUILDING}&household=1-2-1`)
    await vi.waitFor(() => expect((second.find('textarea').element as HTMLTextAreaElement).value).toBe('老人说药快吃完了'))
    expect(second.text()).toContain('12栋 1单元 201')
    expect(second.find('[data-draft="restored"]').text()).toContain('已恢复上次未保存的内容')
    await second.find('form').trigger('submit')
    await vi.waitFor(async () => expect(await holder.db!.records.count()).toBe(1))
    expect(await holder.db!.records.toArray()).toMatchObject([{ body: { household: '1-2-1', purposes: ['care'], note: '老人说药快吃完了' } }])
    await vi.waitFor(async () => expect(await holder.db!.drafts.get(key)).toBeUndefined())
  })

  it('"save and note resident feedback" hands the new visit to the feedback form', async () => {
    const wrapper = await open(`/visits/record?building=${BUILDING}&household=2-1-2`)
    await button(wrapper, '保存并记下居民意见').trigger('click')
    await vi.waitFor(() => expect(router.currentRoute.value.path).toBe('/feedback/new'))
    const [visit] = await holder.db!.records.toArray()
    expect(router.currentRoute.value.query).toEqual({ orgPath: BUILDING, household: '2-1-2', channel: 'visit', sourceType: 'visit', sourceId: visit!.id })
  })

  it('reopens a refused visit from 需处理 filled in and sends it again under the same id', async () => {
    const visit = await useRecordsStore().save('visit', BUILDING, { household: '1-2-1', outcome: 'declined', purposes: ['care'], note: '原来的备注', visitedAt: new Date().toISOString() })
    await holder.db!.outbox.update(visit.id, { state: 'attention', code: 'bad_value', reason: '填写的内容不正确', path: 'body.note' })

    const wrapper = await open(`/visits?fix=${visit.id}`)
    expect(router.currentRoute.value.path).toBe(`/visits/fix/${visit.id}`)
    expect(wrapper.text()).toContain('修改后重新上传')
    await vi.waitFor(() => expect((wrapper.find('textarea').element as HTMLTextAreaElement).value).toBe('原来的备注'))
    await wrapper.find('textarea').setValue('改好的备注')
    await wrapper.find('form').trigger('submit')
    // the household page loads its cards on first use (the privacy card among them): allow it the time
    await vi.waitFor(() => expect(router.currentRoute.value.path).toBe(`/visits/h/1-2-1/${BUILDING}`), { timeout: 5000 })
    expect(await holder.db!.records.count()).toBe(1)
    expect(await holder.db!.records.get(visit.id)).toMatchObject({ body: { household: '1-2-1', outcome: 'declined', note: '改好的备注' } })
    expect(await holder.db!.outbox.get(visit.id)).toMatchObject({ state: 'pending' })
  })

  it('the household page shows each correction as before → after, by whom, and a withdrawn visit struck through with its reason', async () => {
    const { useRoundsStore } = await import('@app/stores/rounds')
    const rounds = useRoundsStore()
    const first = await rounds.logVisit(BUILDING, { household: '1-3-1', outcome: 'nobody_home', purposes: [], note: '', visitedAt: new Date(Date.now() - 60_000).toISOString() })
    const second = await rounds.logVisit(BUILDING, { household: '1-3-1', outcome: 'met', purposes: [], note: '', visitedAt: new Date().toISOString() })
    await rounds.correctVisit(second.id, { note: '王阿姨身体很好' }, '补充')
    await rounds.voidVisit(first.id, '敲错了门')
    await rounds.saveProfile(BUILDING, '1-3-1', { displayName: '王阿姨' })

    const wrapper = await open(`/visits/h/1-3-1/${BUILDING}`)
    await vi.waitFor(() => expect(wrapper.findAll('.visit-item')).toHaveLength(2))
    expect(wrapper.text()).toContain('12栋 1单元 301')
    expect(wrapper.find('.profile').text()).toContain('王阿姨')
    const [newest, withdrawn] = wrapper.findAll('.visit-item')
    expect(newest!.text()).toMatch(/我 于 .+ 更正/)
    expect(newest!.text()).toContain('备注：（空） → “王阿姨身体很好”')
    expect(newest!.text()).toContain('原因：补充')
    expect(newest!.text()).toContain('待同步')
    expect(withdrawn!.classes()).toContain('visit-item--void')
    expect(withdrawn!.text()).toContain('已撤回，不计入统计')
    expect(withdrawn!.text()).toContain('原因：敲错了门')
    expect(withdrawn!.text()).not.toContain('更正')
  })

  it('a group leader sees every building with its coverage, then one building beside the list', async () => {
    await holder.db!.setMeta('session', { token: 't', user: { id: 'u-group', name: '王志强', phone: '13800000002', role: 'group_leader', scopes: ['pl/tudong/mtx/g01'] } })
    await useOrgStore().replace([
      { path: 'pl/tudong/mtx/g01', kind: 'group', name: '第一居民小组' },
      { path: BUILDING, kind: 'building', name: '12栋', layout: { units: 2, floors: 3, roomsPerFloor: 2 } },
      { path: 'pl/tudong/mtx/g01/b02', kind: 'building', name: '13栋', layout: { units: 1, floors: 2, roomsPerFloor: 2 } },
    ])
    await useSessionStore().load()
    const { useRoundsStore } = await import('@app/stores/rounds')
    await useRoundsStore().logVisit(BUILDING, { household: '1-1-1', outcome: 'met', purposes: [], note: '', visitedAt: new Date().toISOString() })

    const wrapper = await open('/visits')
    const items = wrapper.findAll('.overview-list__item')
    expect(items.map((i) => i.text().replace(/\s+/g, ''))).toEqual(['12栋第一居民小组本月已见1/12户·8%', '13栋第一居民小组本月已见0/4户·0%'])
    await items[0]!.trigger('click')
    await vi.waitFor(() => expect(wrapper.find('.building-panel').exists()).toBe(true))
    expect(router.currentRoute.value.query.building).toBe(BUILDING)
    expect(door(wrapper, '1-1-1').attributes('data-status')).toBe('this_month')
  })
})
