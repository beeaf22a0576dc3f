import { describe, expect, it } from 'vitest'
import { createSyncApi } from '@app/sync/api'
import { saveRecord } from '@app/sync/outbox'
import { FIRST_DOWNLOAD_LIMIT, pullAll, storePage } from '@app/sync/pull'
import { PULL_DEFAULT_LIMIT } from '@shared/index'
import { uuidv7, type LocalRecord } from '@shared/index'
import { BUILDING, FakeServer, NOW, freshDb, visitBody } from './fakes'

function othersRecords(n: number): LocalRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    id: uuidv7(NOW + i),
    type: 'visit' as const,
    v: 1,
    orgPath: BUILDING,
    authorId: 'u-other',
    deviceId: 'other-phone',
    clientTime: new Date(NOW + i).toISOString(),
    body: visitBody(`1-${i + 1}-1`),
  }))
}

describe('pullAll', () => {
  it('asks for pages of FIRST_DOWNLOAD_LIMIT into an empty device, PULL_DEFAULT_LIMIT after, unless told a size', async () => {
    const db = freshDb()
    const server = new FakeServer()
    server.seed(othersRecords(3))
    const api = createSyncApi({ fetch: server.fetch }, 'tok')
    const limits: number[] = []
    const watched = { ...api, pull: (after: number, limit: number, count?: boolean) => (limits.push(limit), api.pull(after, limit, count)) }
    await pullAll(db, watched)
    server.seed(othersRecords(2))
    await pullAll(db, watched)
    await pullAll(db, watched, 7)
    expect(limits).toEqual([FIRST_DOWNLOAD_LIMIT, PULL_DEFAULT_LIMIT, 7])
    expect(FIRST_DOWNLOAD_LIMIT).toBeGreaterThan(PULL_DEFAULT_LIMIT)
  })

  it('pages until the server has no more, storing records and the cursor', async () => {
    const db = freshDb()
    const server = new FakeServer()
    server.seed(othersRecords(5))
    const result = await pullAll(db, createSyncApi({ fetch: server.fetch }, 'tok'), 2)
    expect(result).toEqual({ kind: 'done', stored: 5 })
    expect(server.pulls).toEqual([0, 2, 4])
    expect(await db.getMeta('cursor')).toBe(5)
    expect((await db.records.orderBy('seq').toArray()).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5])
  })

  it('tells n of N after every stored page, N from the count the first page asked for', async () => {
    const db = freshDb()
    const server = new FakeServer()
    server.seed(othersRecords(5))
    const seen: Array<[number, number]> = []
    const result = await pullAll(db, createSyncApi({ fetch: server.fetch }, 'tok'), 2, undefined, { pulling: (p) => seen.push([p.done, p.total]) })
    expect(result).toEqual({ kind: 'done', stored: 5 })
    expect(seen).toEqual([[2, 5], [4, 5], [5, 5]])
  })

  it('tells nothing for a download of one page', async () => {
    const db = freshDb()
    const server = new FakeServer()
    server.seed(othersRecords(2))
    const seen: unknown[] = []
    await pullAll(db, createSyncApi({ fetch: server.fetch }, 'tok'), 2, undefined, { pulling: (p) => seen.push(p) })
    expect(seen).toEqual([])
  })

  it('tells no progress when the server does not count (an older server)', async () => {
    const db = freshDb()
    const server = new FakeServer()
    server.seed(othersRecords(3))
    const api = createSyncApi({ fetch: server.fetch }, 'tok')
    const seen: unknown[] = []
    await pullAll(db, { ...api, pull: (after, limit) => api.pull(after, limit) }, 2, undefined, { pulling: (p) => seen.push(p) })
    expect(seen).toEqual([])
  })

  it('resumes an interrupted pull from the last stored page, without fetching or writing page 1 again', async () => {
    const db = freshDb()
    const server = new FakeServer()
    server.seed(othersRecords(5))
    server.overrides.push(() => undefined, () => 'network')
    const api = createSyncApi({ fetch: server.fetch }, 'tok')

    expect((await pullAll(db, api, 2)).kind).toBe('failed')
    expect(await db.getMeta('cursor')).toBe(2)
    expect(await db.records.count()).toBe(2)

    const written: string[] = []
    db.records.hook('creating', (id) => void written.push(id as string))
    expect(await pullAll(db, api, 2)).toEqual({ kind: 'done', stored: 3 })
    expect(server.pulls).toEqual([0, 2, 2, 4])
    expect(written.sort()).toEqual(server.log.slice(2).map((r) => r.id).sort())
    expect(await db.records.count()).toBe(5)
    expect(await db.getMeta('cursor')).toBe(5)
  })

  it('never overwrites the body of a record already on the device, only learns its seq', async () => {
    const db = freshDb()
    const mine = await saveRecord(db, { type: 'visit', orgPath: BUILDING, body: visitBody('1-1-1', '本机'), authorId: 'u', deviceId: 'd', now: NOW })
    const server = new FakeServer()
    server.seed([{ ...mine, body: { ...mine.body, note: '服务器上的' } }])
    await pullAll(db, createSyncApi({ fetch: server.fetch }, 'tok'))
    const stored = await db.records.get(mine.id)
    expect(stored?.body).toMatchObject({ note: '本机' })
    expect(stored?.seq).toBe(1)
  })

  it('on a device that started empty, still keeps the body of a record saved since (it is in the outbox)', async () => {
    const db = freshDb()
    const mine = await saveRecord(db, { type: 'visit', orgPath: BUILDING, body: visitBody('1-1-1', '本机'), authorId: 'u', deviceId: 'd', now: NOW })
    const [other] = othersRecords(1)
    const serverTime = new Date(NOW).toISOString()
    const page = [
      { ...mine, body: { ...mine.body, note: '服务器上的' }, seq: 1, serverTime },
      { ...other!, seq: 2, serverTime },
    ]
    expect(await storePage(db, page, 2, undefined, true)).toBe(1)
    expect(await db.records.get(mine.id)).toMatchObject({ seq: 1, body: { note: '本机' } })
    expect(await db.records.get(other!.id)).toMatchObject({ seq: 2 })
    expect(await db.getMeta('cursor')).toBe(2)
  })

  it('stops when the server says more but its cursor does not move', async () => {
    const db = freshDb()
    const server = new FakeServer()
    for (let i = 0; i < 5; i++) server.overrides.push(() => new Response(JSON.stringify({ records: [], cursor: 0, more: true }), { status: 200 }))
    expect(await pullAll(db, createSyncApi({ fetch: server.fetch }, 'tok'))).toEqual({ kind: 'done', stored: 0 })
    expect(server.pulls).toEqual([0])
  })
})
