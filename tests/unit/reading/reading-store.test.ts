import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { OrgNode } from '@shared/index'
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

const { useReadingStore, RUNNING_KEY } = await import('@app/stores/reading')
const { useSessionStore } = await import('@app/stores/session')
const { useOrgStore } = await import('@app/stores/org')

const GROUP = 'pl/tuodong/zhuangyuanlou/g01'
const POINT = `${GROUP}/rp-tiyu`
const B1 = `${GROUP}/b01`
const NODES: OrgNode[] = [
  { path: GROUP, kind: 'group', name: '第一居民小组' },
  { path: B1, kind: 'building', name: '1栋', layout: { units: 2, floors: 6, roomsPerFloor: 2 } },
  { path: POINT, kind: 'reading_point', name: '体育小区小广场', place: '小广场凉亭', usualTime: '每天 8:30' },
  { path: 'pl/tuodong/zhuangyuanlou/g02/rp-tidiansuo', kind: 'reading_point', name: '体电所宿舍' },
]
const LEADER = { id: 'u-group', name: '赵小组长', phone: '13800000012', role: 'group_leader' as const, scopes: [GROUP] }

/** A store as the app has it after (re)opening: session and tree read from the device database. */
async function openApp() {
  setActivePinia(createPinia())
  await useSessionStore().load()
  await useOrgStore().load()
  const store = useReadingStore()
  await store.whenReady()
  return store
}

async function storedDraft() {
  return (await holder.db!.drafts.get(RUNNING_KEY))?.value
}

describe('reading store: the running session', () => {
  beforeEach(async () => {
    holder.db = freshDb()
    await holder.db.setMeta('session', { token: 't', user: LEADER })
    await holder.db.org.bulkPut(NODES)
  })

  it('keeps the running session across a reload, with every change written', async () => {
    const store = await openApp()
    expect(await store.start(POINT)).toEqual({ ok: true })
    for (let i = 0; i < 12; i++) await store.adjust(+1)
    await store.checkIn({ building: B1, household: '1-3-2' })
    await store.toggleMaterial('人民日报')
    await store.setNotes('张大爷问电梯加装')
    const before = store.running
    expect(before).toMatchObject({ pointPath: POINT, reader: '赵小组长', readerId: 'u-group', headCount: 12, materials: ['人民日报'] })

    const reopened = await openApp()
    expect(reopened).not.toBe(store)
    expect(reopened.running).toEqual(before)
    expect(reopened.running?.households).toEqual([{ building: B1, household: '1-3-2' }])
  })

  it('finishing writes exactly one record, under the draft id, queued for upload, and clears the draft', async () => {
    const store = await openApp()
    await store.start(POINT)
    await store.setCount(5)
    const id = store.running!.id
    const done = await store.finish()
    expect(done).toEqual({ ok: true, id })

    const rows = await holder.db!.records.toArray()
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ id, type: 'reading.session', orgPath: POINT, authorId: 'u-group', body: { headCount: 5 } })
    expect(await holder.db!.outbox.get(id)).toMatchObject({ state: 'pending' })
    expect(await storedDraft()).toBeUndefined()
    expect(store.running).toBeNull()
    expect(store.justFinished).toBe(id)
    // a second tap on 结束活动 finds nothing to save
    expect(await store.finish()).toMatchObject({ ok: false, code: 'noSession' })
    expect(await holder.db!.records.count()).toBe(1)
    await vi.waitFor(() => expect(store.history(POINT).map((s) => s.id)).toEqual([id]))
  })

  it('refuses the same household twice, says why, and keeps the draft as it was', async () => {
    const store = await openApp()
    await store.start(POINT)
    const h = { building: B1, household: '2-6-1' }
    await store.checkIn(h)
    const kept = store.running
    const again = await store.checkIn({ ...h })
    expect(again).toMatchObject({ ok: false, code: 'duplicate_household', text: '同一户在一次活动中只能登记一次' })
    expect(store.running).toBe(kept)
    expect(await storedDraft()).toEqual(kept)
    expect(store.running!.households).toHaveLength(1)
  })

  it('refuses a head count below the named households, from the keypad and from −, keeping the draft', async () => {
    const store = await openApp()
    await store.start(POINT)
    await store.checkIn({ building: B1, household: '1-1-1' })
    await store.checkIn({ building: B1, household: '1-1-2' })
    await store.checkIn({ building: B1, household: '1-2-1' })
    expect(store.running!.headCount).toBe(3)
    const kept = store.running

    const typed = await store.setCount(2)
    expect(typed).toMatchObject({ ok: false, code: 'headcount_below_named' })
    expect((typed as { text: string }).text).toContain('参与人数不能少于已登记的户数')
    expect((typed as { text: string }).text).toContain('请先取消已签到的住户')
    expect(await store.adjust(-1)).toMatchObject({ ok: false, code: 'headcount_below_named' })
    expect(store.running).toBe(kept)
    expect(await storedDraft()).toEqual(kept)

    // unticking a household frees the count to go lower
    await store.checkOut({ building: B1, household: '1-2-1' })
    expect(await store.adjust(-1)).toEqual({ ok: true })
    expect(store.running!.headCount).toBe(2)
  })

  it('refuses households outside the catchment and sessions outside the scope', async () => {
    const store = await openApp()
    expect(await store.start('pl/tuodong/zhuangyuanlou/g02/rp-tidiansuo')).toMatchObject({ ok: false, code: 'out_of_scope' })
    expect(store.running).toBeNull()
    await store.start(POINT)
    expect(await store.checkIn({ building: B1, household: '3-1-1' })).toMatchObject({ ok: false, code: 'unknown_household' })
    expect(await store.start(POINT)).toMatchObject({ ok: false, code: 'alreadyRunning' })
  })

  it("a building leader runs sessions at the group's point, not at another group's", async () => {
    await holder.db!.setMeta('session', { token: 't', user: { ...LEADER, id: 'u-building', name: '李建华', role: 'building_leader', scopes: [B1] } })
    const store = await openApp()
    expect(store.canRun(POINT)).toBe(true)
    expect(store.canRun('pl/tuodong/zhuangyuanlou/g02/rp-tidiansuo')).toBe(false)
    expect(await store.start(POINT)).toEqual({ ok: true })
    expect(store.running).toMatchObject({ reader: '李建华', readerId: 'u-building' })
  })

  it('a blank reader is refused at the end with the field named, and nothing is saved', async () => {
    const store = await openApp()
    await store.start(POINT)
    await store.setReader('  ')
    expect(await store.finish()).toMatchObject({ ok: false, code: 'required', text: '读报人：有必填项未填写' })
    expect(await holder.db!.records.count()).toBe(0)
    expect(await storedDraft()).toMatchObject({ reader: '  ' })
    // someone else reading: their name, without my id
    await store.setReader('李建华')
    expect(store.running).toMatchObject({ reader: '李建华' })
    expect(store.running).not.toHaveProperty('readerId')
  })

  it('a draft whose record was already saved (the clear was lost) is dropped on reopening', async () => {
    const store = await openApp()
    await store.start(POINT)
    const draft = store.running
    await store.finish()
    await holder.db!.drafts.put({ key: RUNNING_KEY, value: draft, updatedAt: Date.now() })
    const reopened = await openApp()
    expect(reopened.running).toBeNull()
    expect(await storedDraft()).toBeUndefined()
  })
})

describe('reading store: later changes', () => {
  beforeEach(async () => {
    holder.db = freshDb()
    await holder.db.setMeta('session', { token: 't', user: LEADER })
    await holder.db.org.bulkPut(NODES)
  })

  async function finishedSession() {
    const store = await openApp()
    await store.start(POINT)
    await store.checkIn({ building: B1, household: '1-1-1' })
    await store.setCount(8)
    const { id } = (await store.finish()) as { id: string }
    await vi.waitFor(() => expect(store.sessions.has(id)).toBe(true))
    return { store, id }
  }

  it('a correction is a new record; one that would drop below the named households is refused', async () => {
    const { store, id } = await finishedSession()
    expect(await store.correct(id, { headCount: 0 })).toMatchObject({ ok: false, code: 'headcount_below_named' })
    expect(await store.correct(id, { headCount: 10, notes: '补记' }, '少数了两位')).toEqual({ ok: true })
    const corrections = await holder.db!.records.where('type').equals('correction').toArray()
    expect(corrections.map((c) => c.body)).toEqual([{ target: id, targetType: 'reading.session', fields: { headCount: 10, notes: '补记' }, reason: '少数了两位' }])
    await vi.waitFor(() => expect(store.sessions.get(id)?.attendance).toBe(10))
  })

  it('withdrawing needs a reason and takes the session out of the history and the figures', async () => {
    const { store, id } = await finishedSession()
    expect(await store.withdraw(id, ' ')).toMatchObject({ ok: false, code: 'required' })
    expect(await store.withdraw(id, '重复记录')).toEqual({ ok: true })
    await vi.waitFor(() => expect(store.history(POINT)).toEqual([]))
    expect(store.summaries.get(POINT)).toBeUndefined()
    expect(await store.withdraw(id, '再撤一次')).toMatchObject({ ok: false, code: 'unknown_target' })
  })
})
