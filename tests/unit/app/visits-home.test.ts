// @vitest-environment jsdom
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { createMemoryHistory, createRouter, type Router } from 'vue-router'
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

const { default: VisitsHome } = await import('@app/views/visits/VisitsHome.vue')
const { useOrgStore } = await import('@app/stores/org')
const { useSessionStore } = await import('@app/stores/session')
const { setLocale } = await import('@app/i18n')

let pinia: Pinia
let router: Router

async function mountHome(path = '/visits') {
  await router.push(path)
  await router.isReady()
  const wrapper = mount(VisitsHome, { global: { plugins: [pinia, router, Vant] } })
  await flushPromises()
  return wrapper
}

function button(wrapper: Awaited<ReturnType<typeof mountHome>>, text: string) {
  const found = wrapper.findAll('button').find((b) => b.text().replace('✓', '').trim() === text)
  if (!found) throw new Error(`no button "${text}" in: ${wrapper.findAll('button').map((b) => b.text()).join(' | ')}`)
  return found
}

describe('VisitsHome', () => {
  beforeEach(async () => {
    setLocale('zh-CN')
    holder.db = freshDb()
    await signIn(holder.db)
    pinia = createPinia()
    setActivePinia(pinia)
    router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/visits', component: { template: '<div />' } }, { path: '/sync', component: { template: '<div />' } }] })
    await useOrgStore().replace([{ path: BUILDING, kind: 'building', name: '12栋', layout: { units: 2, floors: 3, roomsPerFloor: 2 } }])
    await useSessionStore().load()
  })

  it('saves a visit in a few taps, says 已保存 and lists it as 待同步 at once', async () => {
    const wrapper = await mountHome()
    await button(wrapper, '2单元').trigger('click')
    await button(wrapper, '302').trigger('click')
    expect(wrapper.text()).toContain('12栋 2单元 302')
    await button(wrapper, '无人在家').trigger('click')
    await wrapper.find('form').trigger('submit')
    await vi.waitFor(() => expect(wrapper.text()).toContain('已保存 · 302 无人在家'))
    const item = wrapper.find('.visit-item')
    expect(item.text()).toContain('12栋 2单元 302')
    expect(item.text()).toContain('无人在家')
    expect(item.text()).toContain('待同步')
    const [record] = await holder.db!.records.toArray()
    expect(record).toMatchObject({ orgPath: BUILDING, body: { household: '2-3-2', outcome: 'nobody_home' } })
    expect(await holder.db!.outbox.count()).toBe(1)
  })

  it('shows a shape error in Chinese next to the field and keeps what was typed', async () => {
    const wrapper = await mountHome()
    await button(wrapper, '1单元').trigger('click')
    await button(wrapper, '101').trigger('click')
    const long = '住户反映楼道灯坏了。'.repeat(201)
    await wrapper.find('textarea').setValue(long)
    await wrapper.find('form').trigger('submit')
    await vi.waitFor(() => expect(wrapper.text()).toContain('备注:备注太长,最多 2000 字'))
    expect((wrapper.find('textarea').element as HTMLTextAreaElement).value).toBe(long)
    expect(await holder.db!.records.count()).toBe(0)
  })

  it('keeps a half-typed visit when the app is closed and brings it back', async () => {
    const first = await mountHome()
    await button(first, '1单元').trigger('click')
    await button(first, '201').trigger('click')
    await first.find('textarea').setValue('老人说药快吃完了')
    await vi.waitFor(async () => expect((await holder.db!.drafts.get('visits.quick'))?.value).toMatchObject({ note: '老人说药快吃完了' }))
    first.unmount()

    setActivePinia((pinia = createPinia()))
    await useSessionStore().load()
    const second = await mountHome()
    await vi.waitFor(() => expect((second.find('textarea').element as HTMLTextAreaElement).value).toBe('老人说药快吃完了'))
    expect(second.text()).toContain('12栋 1单元 201')

    await second.find('form').trigger('submit')
    await vi.waitFor(async () => expect(await holder.db!.records.count()).toBe(1))
    await vi.waitFor(async () => expect((await holder.db!.drafts.get('visits.quick'))?.value).toMatchObject({ note: '', household: null }))
  })

  it('reopens a refused visit filled in and sends it again under the same id', async () => {
    const { useRecordsStore } = await import('@app/stores/records')
    const visit = await useRecordsStore().save('visit', BUILDING, { household: '1-2-1', outcome: 'declined', purposes: ['care'], note: '原来的备注', visitedAt: new Date().toISOString() })
    await holder.db!.outbox.update(visit.id, { state: 'attention', code: 'unknown_household', reason: '该户不在此楼栋', path: 'body.household' })

    const wrapper = await mountHome(`/visits?fix=${visit.id}`)
    expect(wrapper.text()).toContain('修改后重新上传')
    expect((wrapper.find('textarea').element as HTMLTextAreaElement).value).toBe('原来的备注')
    await button(wrapper, '202').trigger('click')
    await wrapper.find('form').trigger('submit')
    await vi.waitFor(() => expect(router.currentRoute.value.query.fix).toBeUndefined())
    expect(await holder.db!.records.count()).toBe(1)
    expect(await holder.db!.records.get(visit.id)).toMatchObject({ body: { household: '1-2-2', outcome: 'declined', note: '原来的备注' } })
    expect(await holder.db!.outbox.get(visit.id)).toMatchObject({ state: 'pending' })
    expect(router.currentRoute.value.query.fix).toBeUndefined()
  })
})
