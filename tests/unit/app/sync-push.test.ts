import { describe, expect, it } from 'vitest'
import { createSyncApi } from '@app/sync/api'
import { saveRecord } from '@app/sync/outbox'
import { pushOutbox } from '@app/sync/push'
import { FakeServer, apiError, freshDb, json, visitInput } from './fakes'

async function saveMany(db: ReturnType<typeof freshDb>, n: number) {
  const out = []
  for (let i = 1; i <= n; i++) out.push(await saveRecord(db, visitInput(`1-${i}-1`)))
  return out
}

describe('pushOutbox', () => {
  it('sends the same id on every retry until it is accepted', async () => {
    const db = freshDb()
    const server = new FakeServer()
    const api = createSyncApi({ fetch: server.fetch }, 'tok')
    const record = await saveRecord(db, visitInput())
    server.overrides.push(() => 'network', () => apiError(503, 'server_error'))
    expect((await pushOutbox(db, api)).kind).toBe('failed')
    expect((await pushOutbox(db, api)).kind).toBe('failed')
    expect(await pushOutbox(db, api)).toEqual({ kind: 'done', accepted: 1, attention: 0 })
    expect(server.pushes).toEqual([[record.id], [record.id], [record.id]])
    expect(server.log.map((r) => r.id)).toEqual([record.id])
    expect(await db.records.get(record.id)).toMatchObject({ id: record.id, seq: 1 })
    expect(await db.outbox.count()).toBe(0)
  })

  it('applies a partial answer record by record; unanswered ones stay pending and nothing else moves', async () => {
    const db = freshDb()
    const [accepted, rejected, duplicate, unanswered] = await saveMany(db, 4)
    const earlier = await saveRecord(db, visitInput('2-1-1'))
    await db.outbox.update(earlier.id, { state: 'attention', code: 'out_of_scope', reason: 'r', path: 'orgPath', attempts: 3 })
    const before = await db.outbox.get(unanswered!.id)

    const server = new FakeServer()
    server.seed([duplicate!])
    server.reject.set(rejected!.id, { code: 'unknown_household', reason: '该户不在此楼栋', path: 'body.household' })
    server.silent.add(unanswered!.id)
    const result = await pushOutbox(db, createSyncApi({ fetch: server.fetch }, 'tok'))

    expect(result).toEqual({ kind: 'done', accepted: 2, attention: 1 })
    expect(server.pushes).toEqual([[accepted!.id, rejected!.id, duplicate!.id, unanswered!.id]])
    expect(await db.outbox.get(accepted!.id)).toBeUndefined()
    expect((await db.records.get(accepted!.id))?.seq).toBe(2)
    expect(await db.outbox.get(duplicate!.id)).toBeUndefined()
    expect((await db.records.get(duplicate!.id))?.seq).toBe(1)
    expect(await db.outbox.get(rejected!.id)).toMatchObject({ state: 'attention', code: 'unknown_household', reason: '该户不在此楼栋', path: 'body.household', attempts: 1 })
    expect((await db.records.get(rejected!.id))?.seq).toBeUndefined()
    expect(await db.outbox.get(unanswered!.id)).toEqual(before)
    expect((await db.records.get(unanswered!.id))?.seq).toBeUndefined()
    expect(await db.outbox.get(earlier.id)).toMatchObject({ state: 'attention', code: 'out_of_scope', attempts: 3 })
  })

  it('reads batches in queuedAt order (ties by id) past entries set aside, over pages of the outbox', async () => {
    const db = freshDb()
    const records = await saveMany(db, 7)
    const [flagged, ...rest] = records
    await db.outbox.update(flagged!.id, { state: 'attention', code: 'out_of_scope', reason: 'r', path: 'orgPath' })
    // three share one queuedAt: they go in id order, whatever order they were saved in
    const tie = rest.slice(0, 3).map((r) => r.id).sort()
    for (const id of tie) await db.outbox.update(id, { queuedAt: 1 })
    const server = new FakeServer()
    server.silent.add(rest[4]!.id)
    const result = await pushOutbox(db, createSyncApi({ fetch: server.fetch }, 'tok'), { maxRecords: 2, maxBytes: 1_000_000 })
    expect(result).toEqual({ kind: 'done', accepted: 5, attention: 0 })
    expect(server.pushes).toEqual([tie.slice(0, 2), [tie[2]!, rest[3]!.id], [rest[4]!.id, rest[5]!.id]])
    // the unanswered one stays pending, the one set aside is untouched; the rest left the outbox with their seq
    expect((await db.outbox.toArray()).map((e) => [e.id, e.state]).sort()).toEqual([[flagged!.id, 'attention'], [rest[4]!.id, 'pending']].sort())
    for (const id of [...tie, rest[3]!.id, rest[5]!.id]) expect((await db.records.get(id))?.seq, id).toBeGreaterThan(0)
    expect((await db.records.get(rest[4]!.id))?.seq).toBeUndefined()
  })

  it('applies only the first answer for an id and ignores answers for ids it did not send', async () => {
    const db = freshDb()
    const [a, b] = await saveMany(db, 2)
    const server = new FakeServer()
    server.overrides.push(() =>
      json(200, {
        results: [
          { id: a!.id, status: 'accepted', seq: 5, serverTime: '2024-06-01T00:00:05.000Z' },
          { id: a!.id, status: 'conflict', code: 'conflict', reason: 'x' },
          { id: 'not-sent', status: 'accepted', seq: 6, serverTime: '2024-06-01T00:00:06.000Z' },
          { id: b!.id, status: 'rejected', code: 'unknown_household', reason: 'r', path: 'body.household' },
        ],
      }),
    )
    expect(await pushOutbox(db, createSyncApi({ fetch: server.fetch }, 'tok'))).toEqual({ kind: 'done', accepted: 1, attention: 1 })
    expect(await db.records.get(a!.id)).toMatchObject({ seq: 5, serverTime: '2024-06-01T00:00:05.000Z', body: a!.body })
    expect(await db.outbox.get(a!.id)).toBeUndefined()
    expect(await db.outbox.get(b!.id)).toMatchObject({ state: 'attention', code: 'unknown_household', path: 'body.household', attempts: 1 })
    expect(await db.records.get('not-sent')).toBeUndefined()
  })

  it('marks a conflict as needing attention', async () => {
    const db = freshDb()
    const record = await saveRecord(db, visitInput())
    const server = new FakeServer()
    server.seed([{ ...record, body: { ...record.body, note: '另一台手机' } }])
    await pushOutbox(db, createSyncApi({ fetch: server.fetch }, 'tok'))
    expect(await db.outbox.get(record.id)).toMatchObject({ state: 'attention', code: 'conflict' })
  })

  it('halves the batch while the server answers 413', async () => {
    const db = freshDb()
    const records = await saveMany(db, 8)
    const server = new FakeServer()
    server.maxRecords = 2
    const result = await pushOutbox(db, createSyncApi({ fetch: server.fetch }, 'tok'))
    expect(result).toEqual({ kind: 'done', accepted: 8, attention: 0 })
    expect(server.pushes.map((p) => p.length)).toEqual([8, 4, 2, 2, 2, 2])
    expect(server.log.map((r) => r.id)).toEqual(records.map((r) => r.id))
  })

  it('sets aside a single record the server finds too large instead of blocking the rest', async () => {
    const db = freshDb()
    const [big, small] = await saveMany(db, 2)
    const server = new FakeServer()
    server.overrides.push(() => apiError(413, 'too_large'), () => apiError(413, 'too_large'))
    await pushOutbox(db, createSyncApi({ fetch: server.fetch }, 'tok'))
    expect(server.pushes).toEqual([[big!.id, small!.id], [big!.id], [small!.id]])
    expect(await db.outbox.get(big!.id)).toMatchObject({ state: 'attention', code: 'too_large' })
    expect(await db.outbox.get(small!.id)).toBeUndefined()
  })

  it('keeps batches within the byte limit', async () => {
    const db = freshDb()
    await saveMany(db, 5)
    const server = new FakeServer()
    const oneRecord = JSON.stringify((await db.records.toArray())[0]).length
    await pushOutbox(db, createSyncApi({ fetch: server.fetch }, 'tok'), { maxRecords: 500, maxBytes: 2 * oneRecord + 40 })
    expect(server.pushes.map((p) => p.length)).toEqual([2, 2, 1])
  })

  it('never sends seq or serverTime, which the server would refuse', async () => {
    const db = freshDb()
    const record = await saveRecord(db, visitInput())
    await db.records.update(record.id, { seq: 9, serverTime: '2024-01-01T00:00:00Z' })
    let sent: unknown
    const server = new FakeServer()
    server.overrides.push(({ body }) => {
      sent = body
      return json(200, { results: [] })
    })
    await pushOutbox(db, createSyncApi({ fetch: server.fetch }, 'tok'))
    expect(Object.keys((sent as { records: object[] }).records[0]!).sort()).toEqual(['authorId', 'body', 'clientTime', 'deviceId', 'id', 'orgPath', 'type', 'v'])
  })

  it('sends the token and protocol headers', async () => {
    const db = freshDb()
    await saveRecord(db, visitInput())
    const server = new FakeServer()
    await pushOutbox(db, createSyncApi({ fetch: server.fetch }, 'secret'))
    expect(server.headers[0]!.get('authorization')).toBe('Bearer secret')
    expect(server.headers[0]!.get('x-loudong-protocol')).toBe('1')
  })

  it('treats a 200 that is not our JSON (a captive portal) as a failure, moving nothing', async () => {
    const db = freshDb()
    const record = await saveRecord(db, visitInput())
    const server = new FakeServer()
    server.overrides.push(() => new Response('<html>登录 WiFi</html>', { status: 200 }))
    const result = await pushOutbox(db, createSyncApi({ fetch: server.fetch }, 'tok'))
    expect(result).toEqual({ kind: 'failed', failure: { kind: 'network', message: 'bad_response' } })
    expect(await db.outbox.get(record.id)).toMatchObject({ state: 'pending' })
  })
})
