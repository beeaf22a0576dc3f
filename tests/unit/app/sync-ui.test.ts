// @vitest-environment jsdom
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { createMemoryHistory, createRouter, type Router } from 'vue-router'
import Vant from 'vant'
import type { LoudongDB } from '@app/db/database'
import { BUILDING, freshDb, signIn, visitBody } from './fakes'

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

const { default: SyncChip } = await import('@app/components/sync/SyncChip.vue')
const { default: OfflineBanner } = await import('@app/components/sync/OfflineBanner.vue')
const { default: NeedsAttention } = await import('@app/views/sync/NeedsAttention.vue')
const { useSyncStore } = await import('@app/stores/sync')
const { useRecordsStore } = await import('@app/stores/records')
const { useOrgStore } = await import('@app/stores/org')
const { setLocale } = await import('@app/i18n')

let pinia: Pinia
let router: Router
const stub = { template: '<div />' }

function mountWith(component: object) {
  return mount(component, { global: { plugins: [pinia, router, Vant] } })
}

describe('sync UI', () => {
  beforeEach(async () => {
    setLocale('zh-CN')
    holder.db = freshDb()
    await signIn(holder.db)
    pinia = createPinia()
    setActivePinia(pinia)
    router = createRouter({ history: createMemoryHistory(), routes: ['/visits', '/sync', '/sync/attention', '/login'].map((path) => ({ path, component: stub })) })
    await router.push('/sync')
    await useOrgStore().replace([{ path: BUILDING, kind: 'building', name: '12栋', layout: { units: 1, floors: 3, roomsPerFloor: 2 } }])
  })

  it('the chip says how many wait, or when it last synced, and shows attention with a mark', async () => {
    const sync = useSyncStore()
    sync.waiting = 3
    const chip = mountWith(SyncChip)
    expect(chip.text()).toContain('3 条待同步')
    sync.waiting = 0
    sync.lastSyncAt = Date.now() - 3 * 60_000 - 5000
    sync.attention = 2
    await chip.vm.$nextTick()
    expect(chip.text()).toContain('已同步 · 3分钟前')
    expect(chip.find('.sync-chip__badge').text()).toBe('! 2')
    expect(chip.attributes('href')).toBe('/sync')
  })

  it('the offline banner appears only offline, with the waiting count', async () => {
    const sync = useSyncStore()
    const banner = mountWith(OfflineBanner)
    expect(banner.text()).toBe('')
    sync.online = false
    sync.waiting = 3
    await banner.vm.$nextTick()
    expect(banner.text()).toBe('离线 · 3 条待同步 · 记录已保存在手机上，联网后会自动上传')
  })

  it('lists refused records with the reason in plain words and the field, and offers the right fix', async () => {
    const records = useRecordsStore()
    const rejected = await records.save('visit', BUILDING, visitBody('1-3-2'))
    const clashing = await records.save('visit', BUILDING, visitBody('1-1-1'))
    await holder.db!.outbox.update(rejected.id, { state: 'attention', code: 'future_time', reason: 'time in the future', path: 'body.visitedAt' })
    await holder.db!.outbox.update(clashing.id, { state: 'attention', code: 'conflict', reason: 'conflict', path: '' })
    const view = mountWith(NeedsAttention)
    await vi.waitFor(() => expect(view.findAll('.attention-item')).toHaveLength(2))

    const [first, second] = view.findAll('.attention-item')
    expect(first!.text()).toContain('入户走访 · 12栋 302')
    expect(first!.text()).toContain('时间不能晚于现在一天以上，请检查手机时间')
    expect(first!.text()).toContain('走访时间')
    expect(first!.text()).toContain('修改后重新上传')
    expect(second!.text()).toContain('另存为新记录')

    await first!.find('button').trigger('click')
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe(`/visits?fix=${rejected.id}`))

    await second!.find('button').trigger('click')
    await vi.waitFor(async () => expect(await holder.db!.records.get(clashing.id)).toBeUndefined())
    expect(await holder.db!.outbox.where('state').equals('pending').count()).toBe(1)
  })
})
