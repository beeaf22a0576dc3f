import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { LoudongDB } from '@app/db/database'
import { createSyncApi } from '@app/sync/api'
import { RecordShapeError, SessionChangedError } from '@app/sync/errors'
import { pushOutbox } from '@app/sync/push'
import { BUILDING, FakeServer, USER_ID, freshDb, signIn, visitBody } from './fakes'

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

const { useRecordsStore } = await import('@app/stores/records')

describe('records store', () => {
  beforeEach(async () => {
    holder.db = freshDb()
    await signIn(holder.db)
    setActivePinia(createPinia())
  })

  it('a saved visit shows at once as 待同步, then 已同步 once accepted', async () => {
    const store = useRecordsStore()
    const record = await store.save('visit', BUILDING, visitBody('1-2-1'))
    expect(record.authorId).toBe(USER_ID)
    expect(store.statusOf(record.id)).toBe('waiting')
    expect(store.recentVisits.map((v) => v.id)).toEqual([record.id])

    await pushOutbox(holder.db!, createSyncApi({ fetch: new FakeServer().fetch }, 'tok'))
    await vi.waitFor(() => expect(store.statusOf(record.id)).toBe('synced'))
    expect(store.recentVisits.map((v) => v.id)).toEqual([record.id])
  })

  it('a refused visit is 需处理 until mended and sent again under the same id', async () => {
    const store = useRecordsStore()
    const record = await store.save('visit', BUILDING, visitBody('1-2-1'))
    const server = new FakeServer()
    server.reject.set(record.id, { code: 'unknown_household', reason: '该户不在此楼栋', path: 'body.household' })
    await pushOutbox(holder.db!, createSyncApi({ fetch: server.fetch }, 'tok'))
    await vi.waitFor(() => expect(store.statusOf(record.id)).toBe('attention'))
    expect(store.attentionItems.map((i) => [i.record.id, i.entry.code])).toEqual([[record.id, 'unknown_household']])

    const fixed = await store.resend(record.id, { ...record.body, household: '1-2-2' })
    expect(fixed.id).toBe(record.id)
    expect(store.statusOf(record.id)).toBe('waiting')
    expect(store.attentionItems).toEqual([])
  })

  it('a conflict saved as new gets a new id and the old one leaves the lists', async () => {
    const store = useRecordsStore()
    const record = await store.save('visit', BUILDING, visitBody('1-2-1'))
    await holder.db!.outbox.update(record.id, { state: 'attention', code: 'conflict', reason: 'x', path: '' })
    await vi.waitFor(() => expect(store.statusOf(record.id)).toBe('attention'))
    const copy = await store.saveAsNew(record.id)
    expect(copy.id).not.toBe(record.id)
    expect(store.statusOf(copy.id)).toBe('waiting')
    await vi.waitFor(() => expect(store.recentVisits.map((v) => v.id)).toEqual([copy.id]))
  })

  it('keeps one device id across saves', async () => {
    const store = useRecordsStore()
    const a = await store.save('visit', BUILDING, visitBody('1-2-1'))
    const b = await store.save('visit', BUILDING, visitBody('1-2-2'))
    expect(a.deviceId).toBe(b.deviceId)
    expect(await holder.db!.getMeta('deviceId')).toBe(a.deviceId)
  })

  it('a save whose session changed after the author was read (a logout in another tab, then someone else) writes nothing', async () => {
    const store = useRecordsStore()
    const db = holder.db!
    const read = db.getMeta.bind(db)
    vi.spyOn(db, 'getMeta').mockImplementationOnce((async (key: 'session') => {
      const seen = await read(key)
      // between reading the author and the write: the device is wiped and another person logs in
      await db.meta.where('key').notEqual('deviceId').delete()
      await db.setMeta('session', { token: 'tok-b', user: { id: 'u-b', name: '李', phone: '13900000009', role: 'building_leader', scopes: [BUILDING] } })
      return seen
    }) as typeof db.getMeta)

    const error = await store.save('visit', BUILDING, visitBody('1-2-1')).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(SessionChangedError)
    expect(await db.records.count()).toBe(0)
    expect(await db.outbox.count()).toBe(0)
    expect(store.recentVisits).toEqual([])
  })

  it('a shape error throws with its code and field and saves nothing', async () => {
    const store = useRecordsStore()
    const error = await store.save('visit', BUILDING, visitBody('一单元')).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RecordShapeError)
    expect(error).toMatchObject({ code: 'unknown_household', path: 'body.household' })
    expect(await holder.db!.records.count()).toBe(0)
    expect(store.recentVisits).toEqual([])
  })
})
