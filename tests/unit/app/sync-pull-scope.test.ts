import { describe, expect, it } from 'vitest'
import { createSyncApi } from '@app/sync/api'
import { saveRecord } from '@app/sync/outbox'
import { pullAll } from '@app/sync/pull'
import { uuidv7, type LocalRecord } from '@shared/index'
import { BUILDING, FakeServer, NOW, freshDb, visitBody } from './fakes'

function othersRecords(n: number): LocalRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    id: uuidv7(NOW + 100 + i),
    type: 'visit' as const,
    v: 1,
    orgPath: BUILDING,
    authorId: 'u-other',
    deviceId: 'other-phone',
    clientTime: new Date(NOW + i).toISOString(),
    body: visitBody(`1-${i + 1}-1`),
  }))
}

describe('pullAll when the read scope changes', () => {
  it('pulls again from 0 when the server names another scope, keeping local bodies, and stores the new scope with the cursor', async () => {
    const db = freshDb()
    const mine = await saveRecord(db, { type: 'visit', orgPath: BUILDING, body: visitBody('1-1-1', '本机'), authorId: 'u', deviceId: 'd', now: NOW })
    await db.setMeta('cursor', 500)
    await db.setMeta('pullScope', 'A')
    const server = new FakeServer()
    server.seed([{ ...mine, body: { ...mine.body, note: '服务器上的' } }, ...othersRecords(4)])
    server.scope = 'B'
    const api = createSyncApi({ fetch: server.fetch }, 'tok')

    expect(await pullAll(db, api, 2)).toEqual({ kind: 'done', stored: 4 })
    expect(server.pulls).toEqual([500, 0, 2, 4])
    expect(await db.getMeta('cursor')).toBe(5)
    expect(await db.getMeta('pullScope')).toBe('B')
    expect(await db.records.count()).toBe(5)
    expect(await db.records.get(mine.id)).toMatchObject({ seq: 1, body: { note: '本机' } })

    // the next sync, same scope: no restart
    expect(await pullAll(db, api, 2)).toEqual({ kind: 'done', stored: 0 })
    expect(server.pulls).toEqual([500, 0, 2, 4, 5])
  })

  it('with the same scope nothing restarts', async () => {
    const db = freshDb()
    await db.setMeta('cursor', 500)
    await db.setMeta('pullScope', 'A')
    const server = new FakeServer()
    server.seed(othersRecords(3))
    server.scope = 'A'
    expect(await pullAll(db, createSyncApi({ fetch: server.fetch }, 'tok'), 2)).toEqual({ kind: 'done', stored: 0 })
    expect(server.pulls).toEqual([500])
    expect(await db.getMeta('cursor')).toBe(500)
    expect(await db.records.count()).toBe(0)
  })

  it('a first scope seen (none stored) or a server that names none does not restart', async () => {
    const db = freshDb()
    await db.setMeta('cursor', 500)
    const server = new FakeServer()
    server.seed(othersRecords(3))
    const api = createSyncApi({ fetch: server.fetch }, 'tok')
    await pullAll(db, api, 2)
    expect(await db.getMeta('pullScope')).toBeUndefined()
    server.scope = 'A'
    await pullAll(db, api, 2)
    expect(server.pulls).toEqual([500, 500])
    expect(await db.getMeta('pullScope')).toBe('A')
    expect(await db.getMeta('cursor')).toBe(500)
  })

  it('an interrupted backfill resumes from its last stored page, not from the old cursor', async () => {
    const db = freshDb()
    await db.setMeta('cursor', 500)
    await db.setMeta('pullScope', 'A')
    const server = new FakeServer()
    server.seed(othersRecords(5))
    server.scope = 'B'
    // after=500 and after=0 answer normally; after=2 fails
    server.overrides.push(() => undefined, () => undefined, () => 'network')
    const api = createSyncApi({ fetch: server.fetch }, 'tok')
    expect((await pullAll(db, api, 2)).kind).toBe('failed')
    expect(await db.getMeta('cursor')).toBe(2)
    expect(await db.getMeta('pullScope')).toBe('B')
    expect(await pullAll(db, api, 2)).toEqual({ kind: 'done', stored: 3 })
    expect(server.pulls).toEqual([500, 0, 2, 2, 4])
    expect(await db.records.count()).toBe(5)
    expect(await db.getMeta('cursor')).toBe(5)
  })
})
