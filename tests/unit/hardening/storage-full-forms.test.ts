/**
 * Issue 7: a full disk while saving, as the forms meet it. Each save path says in
 * plain words that storage is full (not a generic "not saved"), writes nothing,
 * and leaves what was typed where it was.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
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
const { useFeedbackStore } = await import('@app/stores/feedback')
const { useSessionStore } = await import('@app/stores/session')
const { useOrgStore } = await import('@app/stores/org')
const { describeSaveError } = await import('@app/components/rounds/saveError')
const { StorageFullError } = await import('@app/db/faults')

const GROUP = 'pl/tuodong/zhuangyuanlou/g01'
const POINT = `${GROUP}/rp-tiyu`
const B1 = `${GROUP}/b01`
const NODES: OrgNode[] = [
  { path: GROUP, kind: 'group', name: '第一居民小组' },
  { path: B1, kind: 'building', name: '1栋', layout: { units: 2, floors: 6, roomsPerFloor: 2 } },
  { path: POINT, kind: 'reading_point', name: '体育小区小广场' },
]
const LEADER = { id: 'u-group', name: '赵小组长', phone: '13800000012', role: 'group_leader' as const, scopes: [GROUP] }

let restore: (() => void) | null = null
/** From now on every outbox write fails as a full disk does. */
function fillTheDisk(): void {
  const original = IDBObjectStore.prototype.add
  IDBObjectStore.prototype.add = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['add']>) {
    if (this.name === 'outbox') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
    return original.apply(this, args)
  }
  restore = () => (IDBObjectStore.prototype.add = original)
}
afterEach(() => {
  restore?.()
  restore = null
})

async function openApp() {
  setActivePinia(createPinia())
  await useSessionStore().load()
  await useOrgStore().load()
}

describe('a full disk while saving', () => {
  beforeEach(async () => {
    holder.db = freshDb()
    await holder.db.setMeta('session', { token: 't', user: LEADER })
    await holder.db.org.bulkPut(NODES)
  })

  it('rounds forms show the storage-full sentence, not a generic failure', () => {
    const text = describeSaveError(new StorageFullError(new Error('quota'))).text
    expect(text).toMatch(/存储空间已满/)
    expect(describeSaveError(new Error('something else')).text).not.toMatch(/存储空间已满/)
  })

  it('raising feedback is refused with the storage-full words and stores nothing', async () => {
    await openApp()
    const feedback = useFeedbackStore()
    fillTheDisk()
    const result = await feedback.raise(B1, {
      category: 'repair', description: '三楼楼道灯坏了', urgency: 'normal', channel: 'visit', raisedAt: new Date().toISOString(), household: '1-3-1',
    })
    expect(result).toMatchObject({ ok: false, code: 'storage_full' })
    expect(!result.ok && result.text).toMatch(/存储空间已满/)
    expect(await holder.db!.records.count()).toBe(0)
  })

  it('finishing a reading session is refused with the storage-full words and the draft stays', async () => {
    await openApp()
    const reading = useReadingStore()
    await reading.whenReady()
    await reading.start(POINT)
    for (let i = 0; i < 5; i++) await reading.adjust(+1)
    fillTheDisk()
    const result = await reading.finish()
    expect(result).toMatchObject({ ok: false })
    expect(!result.ok && result.text).toMatch(/存储空间已满/)
    expect((await holder.db!.drafts.get(RUNNING_KEY))?.value).toMatchObject({ headCount: 5 })
    expect(await holder.db!.records.count()).toBe(0)
  })
})
