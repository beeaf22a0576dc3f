// @vitest-environment jsdom
/**
 * The feedback action form's words survive a closed app and a double confirm is
 * one event. In a file of its own: it needs a fresh device, untouched by the
 * screens tested before it.
 */
import { describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
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

const { FeedbackDetail, B1, OTHER, feedback, mountAt, startDevice } = await import('./screenKit')

const start = (role: Role, scopes: string[], records: AnyRecord[] = [], people: Person[] = []) => startDevice(holder, role, scopes, records, people)

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
