// @vitest-environment jsdom
/**
 * The 意见 store and screens on a device: inbox, raised-by-me and my buildings'
 * lists from the records here; actions refused in words; the form keeps every
 * word through refusals and a closed app, and goes back where it was opened from.
 */
import { describe, expect, it, vi } from 'vitest'
import type { AnyRecord, Person, Role } from '@shared/index'
import type { LoudongDB } from '@app/db/database'

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

const { FeedbackNew, FeedbackDetail, G, B1, B2, ME, OTHER, feedback, event, mountAt, startDevice } = await import('./screenKit')
const { useOrgStore } = await import('@app/stores/org')

const VISIT_ID = '0190a000-0000-7000-8000-0000000000ff'
const start = (role: Role, scopes: string[], records: AnyRecord[] = [], people: Person[] = []) => startDevice(holder, role, scopes, records, people)

describe('feedback store', () => {
  it('builds my inbox, what I raised and the rest of my buildings from the records here', async () => {
    const old = feedback(B1, OTHER, 1)
    const urgent = feedback(B1, OTHER, 5, 'urgent')
    const mine = feedback(B2, ME, 3)
    const upstairs = feedback(B1, OTHER, 2)
    const elsewhere = feedback(`${G}/b09`, OTHER, 0)
    const store = await start('building_leader', [B1, B2], [old, urgent, mine, upstairs, event(upstairs, OTHER, { action: 'escalate', toLevel: 'group' }), elsewhere])

    expect(store.inbox.map((v) => v.id)).toEqual([urgent.id, old.id, mine.id])
    expect(store.mine.map((v) => v.id)).toEqual([mine.id])
    expect(store.following.map((v) => v.id)).toEqual([upstairs.id])
    expect(store.actionsFor(store.find(upstairs.id)!)).toEqual(['comment'])
  })

  it("shows feedback others raised at my group's reading point: the point is in my effective scope", async () => {
    const RP = `${G}/rp-square`
    const atPoint = feedback(RP, OTHER, 4)
    const store = await start('building_leader', [B1], [atPoint])
    expect(store.following.map((v) => v.id)).toEqual([])
    await useOrgStore().replace([
      { path: G, kind: 'group', name: '第一居民小组' },
      { path: B1, kind: 'building', name: '1栋', layout: { units: 2, floors: 6, roomsPerFloor: 2 } },
      { path: RP, kind: 'reading_point', name: '小广场' },
    ])
    expect(store.following.map((v) => v.id)).toEqual([atPoint.id])
  })

  it('refuses an action in words and saves nothing; an accepted one moves the item on at once', async () => {
    const item = feedback(B1, OTHER, 1)
    const store = await start('building_leader', [B1], [item])

    expect(await store.act(item.id, 'escalate', '   ')).toMatchObject({ ok: false, code: 'required', text: '有必填项未填写' })
    expect(await store.act(item.id, 'reopen', '不满意')).toMatchObject({ ok: false, code: 'not_resolved', text: '该意见尚未解决，无需重新打开' })
    expect(await store.act('0190a000-0000-7000-8000-00000000dead', 'comment', '有人吗')).toMatchObject({ ok: false, code: 'unknown_target' })
    expect(await holder.db!.outbox.count()).toBe(0)

    const r = await store.act(item.id, 'escalate', '需要物业出资,楼栋解决不了')
    expect(r.ok).toBe(true)
    await vi.waitFor(() => expect(store.find(item.id)!.currentLevel).toBe('group'))
    expect(store.inbox).toEqual([])
    expect(store.following.map((v) => v.id)).toEqual([item.id])
    expect(await holder.db!.outbox.count()).toBe(1)
    // a group item is not the building leader's to resolve
    expect(await store.act(item.id, 'resolve', '修好了')).toMatchObject({ ok: false, code: 'wrong_level' })
  })

  it('refuses to pass anything above the district', async () => {
    const item = feedback(B1, OTHER, 1)
    const up = (to: string) => event(item, OTHER, { action: 'escalate', toLevel: to })
    const store = await start('district_staff', ['pl'], [item, up('group'), up('community'), up('street'), up('district')])
    expect(store.inbox.map((v) => v.id)).toEqual([item.id])
    expect(store.actionsFor(store.find(item.id)!)).toEqual(['comment', 'resolve'])
    expect(await store.act(item.id, 'escalate', '再往上')).toMatchObject({ ok: false, code: 'cannot_escalate', text: '已到最高层级（区），不能再往上报' })
  })
})

describe('raise form', () => {
  const path = `/feedback/new?orgPath=${B1}&household=1-3-2&channel=visit&sourceType=visit&sourceId=${VISIT_ID}&returnTo=/visits`

  it('refuses an empty description next to the field, keeps the choices, and saves offline once written', async () => {
    await start('building_leader', [B1, B2])
    const { wrapper, router } = await mountAt(FeedbackNew, path)
    const button = (text: string) => wrapper.findAll('button').find((b) => b.text().replace('✓', '').trim() === text)!
    expect(button('1栋').attributes('aria-pressed')).toBe('true')
    expect(button('入户走访').attributes('aria-pressed')).toBe('true')
    expect((wrapper.find('input[name="room"]').element as HTMLInputElement).value).toBe('302')
    // no category is picked for the person: the form asks, in words next to the row
    expect(wrapper.findAll('[data-category] button[aria-pressed="true"]')).toHaveLength(0)
    await wrapper.find('textarea').setValue('楼道灯坏了')
    await wrapper.find('form').trigger('submit')
    await vi.waitFor(() => expect(wrapper.find('[data-category] [role="alert"]').text()).toBe('请选择问题类别'))
    await wrapper.find('textarea').setValue('')
    await button('邻里纠纷').trigger('click')
    await button('紧急').trigger('click')

    await wrapper.find('form').trigger('submit')
    await vi.waitFor(() => expect(wrapper.text()).toContain('问题描述：有必填项未填写'))
    expect(button('邻里纠纷').attributes('aria-pressed')).toBe('true')
    expect(await holder.db!.records.count()).toBe(0)

    await wrapper.find('input[name="room"]').setValue('1302')
    await wrapper.find('textarea').setValue('  楼上装修噪音,晚上十点后还在施工  ')
    await wrapper.find('form').trigger('submit')
    await vi.waitFor(() => expect(wrapper.text()).toContain('没有这个室号'))
    expect((wrapper.find('textarea').element as HTMLTextAreaElement).value).toBe('  楼上装修噪音,晚上十点后还在施工  ')

    await wrapper.find('input[name="room"]').setValue('302')
    await wrapper.find('form').trigger('submit')
    await vi.waitFor(() => expect(router.currentRoute.value.path).toBe('/visits'))
    const [record] = await holder.db!.records.toArray()
    expect(record).toMatchObject({
      type: 'feedback',
      orgPath: B1,
      authorId: ME,
      body: { category: 'neighbour', description: '楼上装修噪音,晚上十点后还在施工', household: '1-3-2', urgency: 'urgent', channel: 'visit', source: { type: 'visit', id: VISIT_ID } },
    })
    expect(await holder.db!.outbox.get(record!.id)).toMatchObject({ state: 'pending' })
    expect(await holder.db!.drafts.count()).toBe(0)
  })

  it('keeps a half-typed form when the app is closed and brings it back', async () => {
    await start('building_leader', [B1, B2])
    const first = await mountAt(FeedbackNew, path)
    await first.wrapper.find('textarea').setValue('电梯经常停')
    await vi.waitFor(async () => expect((await holder.db!.drafts.toArray())[0]?.value).toMatchObject({ value: { description: '电梯经常停', place: B1 } }))
    first.wrapper.unmount()

    const second = await mountAt(FeedbackNew, path)
    await vi.waitFor(() => expect((second.wrapper.find('textarea').element as HTMLTextAreaElement).value).toBe('电梯经常停'))
    expect(second.wrapper.text()).toContain('已恢复上次未保存的内容')
    // another household's form does not take this draft
    second.wrapper.unmount()
    const other = await mountAt(FeedbackNew, `/feedback/new?orgPath=${B2}&household=1-2-1`)
    expect((other.wrapper.find('textarea').element as HTMLTextAreaElement).value).toBe('')
  })
})

describe('feedback page', () => {
  it('offers my level’s actions and shows every step: who, level, what had no effect, what waits to sync', async () => {
    const item = feedback(B1, OTHER, 1, 'urgent')
    const first = event(item, OTHER, { action: 'escalate', toLevel: 'group' })
    const late = event(item, OTHER, { action: 'escalate', toLevel: 'group' })
    const store = await start('group_leader', [G], [item, first, late])
    const { wrapper } = await mountAt(FeedbackDetail, `/feedback/${item.id}`)

    expect(wrapper.find('[data-status]').text()).toContain('处理中 · 居民小组长')
    expect(wrapper.text()).toContain('紧急')
    expect(wrapper.findAll('[data-action]').map((b) => b.text())).toEqual(['解决', '上报到社区', '备注'])
    const entries = () => wrapper.findAll('[data-timeline-entry]')
    expect(entries()).toHaveLength(3)
    expect(entries()[2]!.text()).toContain('未生效：已被更早同步的处理取代')
    expect(entries()[1]!.find('[data-not-effective]').exists()).toBe(false)

    await wrapper.find('[data-action="resolve"]').trigger('click')
    await wrapper.find('[data-action-form] textarea').setValue('已协调物业换灯')
    await wrapper.find('[data-action-form]').trigger('submit')
    await vi.waitFor(() => expect(wrapper.text()).toContain('已保存 · 解决'))
    await vi.waitFor(() => expect(entries()).toHaveLength(4))
    const last = entries()[3]!.text()
    expect(last).toContain('由居民小组长解决')
    expect(last).toContain('我（张秀英）')
    expect(last).toContain('待同步')
    expect(wrapper.find('[data-status]').text()).toContain('已解决 · 居民小组长')
    // the level that resolved it may now report back to the resident (回访)
    expect(wrapper.findAll('[data-action]').map((b) => b.text())).toEqual(['回访', '重新打开', '备注'])
    expect(store.find(item.id)!.resolvedLevel).toBe('group')
  })

  it('names who raised, escalated and resolved it from the people stored on the device', async () => {
    const item = feedback(B1, ME, 1)
    const first = event(item, OTHER, { action: 'escalate', toLevel: 'group' })
    const up = event(item, 'u-wang', { action: 'escalate', toLevel: 'community' })
    const done = event(item, 'u-liu', { action: 'resolve', atLevel: 'community', text: '物业已换灯' })
    const elsewhere = event(item, 'u-new', { action: 'comment' })
    await start('building_leader', [B1], [item, first, up, done, elsewhere], [
      { id: 'u-wang', name: '王志强', role: 'group_leader' },
      { id: 'u-liu', name: '刘敏', role: 'community_staff' },
    ])
    const { wrapper } = await mountAt(FeedbackDetail, `/feedback/${item.id}`)

    expect(wrapper.find('[data-raised-by]').text()).toBe('我（张秀英）')
    expect(wrapper.find('[data-resolved-by]').text()).toBe('刘敏（社区工作人员）')
    const who = wrapper.findAll('[data-timeline-entry] [data-who]').map((w) => w.text())
    // OTHER and u-new are not in the list: the words from before names existed
    expect(who).toEqual(['我（张秀英）', '其他人员', '王志强（居民小组长）', '刘敏（社区工作人员）', '其他人员'])
    // my item came back (escalated twice and resolved by others): opening it is seeing it, marked on the device
    await vi.waitFor(async () => expect(await holder.db!.getMeta('feedbackSeen')).toEqual({ [item.id]: 3 }))
  })
})
