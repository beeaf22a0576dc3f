import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { B01, B02, BACKEND, correctionOf, login, PHONES, push, setup, visit, voidOf, ZYL_B01, bearer, type TestEnv } from './helpers'
import { QUARANTINE_RAW_MAX } from '../../../src/server/storage'
import { contentHash } from '../../../src/server/sync/push'
import { PUSH_MAX_BYTES, PUSH_MAX_RECORDS, type PushResult } from '../../../src/shared/protocol'
import { uuidv7 } from '../../../src/shared/ids'

let env: TestEnv
let token: string
let me: string
beforeEach(async () => {
  env = await setup()
  const res = await login(env.app, PHONES.zhang)
  token = res.token
  me = res.user.id
})
afterEach(async () => {
  await env.close()
})

const count = () => env.storage.records.count()
const quarantined = async () => (await env.storage.quarantine.list()).map((q) => ({ record_id: q.recordId, user_id: q.userId, code: q.code, path: q.path, raw: q.raw, reason: q.reason }))
const results = async (records: unknown[], headers: Record<string, string> = {}) => {
  const res = await push(env.app, token, records, headers)
  expect(res.statusCode, res.body).toBe(200)
  return res.json<{ results: PushResult[] }>().results
}

describe('POST /api/v1/sync/push: accepting', () => {
  it('accepts a valid visit with a server seq and server time, and a replay is a duplicate with the same seq', async () => {
    const r = visit(me)
    const [first] = await results([r])
    expect(first).toEqual({ id: r.id, status: 'accepted', seq: expect.any(Number), serverTime: '2026-05-01T10:00:00.000Z' })
    env.clock.t += 60_000
    const [again] = await results([r])
    expect(again).toEqual({ id: r.id, status: 'duplicate', seq: (first as { seq: number }).seq, serverTime: '2026-05-01T10:00:00.000Z' })
    expect(await count()).toBe(1)
    const [row] = await env.sql('SELECT * FROM records')
    expect(row).toMatchObject({ id: r.id, type: 'visit', org_path: B01, author_id: me, content_hash: contentHash(r) })
    expect(JSON.parse(row!.body as string)).toEqual(r.body)
  })

  it('treats the same content with keys in another order as a duplicate', async () => {
    const r = visit(me)
    await results([r])
    const reordered = JSON.parse(JSON.stringify({ body: { ...r.body }, clientTime: r.clientTime, deviceId: r.deviceId, authorId: r.authorId, orgPath: r.orgPath, v: r.v, type: r.type, id: r.id }))
    const [again] = await results([reordered])
    expect(again!.status).toBe('duplicate')
  })

  it('answers conflict for the same id with a changed body, and quarantines it', async () => {
    const r = visit(me)
    await results([r])
    const changed = { ...r, body: { ...r.body, note: '改过的内容' } }
    const [res] = await results([changed])
    expect(res).toEqual({ id: r.id, status: 'conflict', code: 'conflict', reason: '同一编号的记录内容不同' })
    expect(await count()).toBe(1)
    const stored = (await env.storage.records.getById(r.id))!
    expect(stored.body).toEqual(r.body)
    const q = await quarantined()
    expect(q).toHaveLength(1)
    expect(q[0]).toMatchObject({ record_id: r.id, user_id: me, code: 'conflict' })
    expect(JSON.parse(q[0]!.raw).body.note).toBe('改过的内容')
  })

  it('20 concurrent pushes of the same record leave exactly one row', async () => {
    const r = visit(me)
    const all = await Promise.all(Array.from({ length: 20 }, () => push(env.app, token, [r])))
    const statuses = all.map((res) => res.json<{ results: PushResult[] }>().results[0]!)
    expect(statuses.filter((s) => s.status === 'accepted')).toHaveLength(1)
    expect(statuses.filter((s) => s.status === 'duplicate')).toHaveLength(19)
    const seqs = new Set(statuses.map((s) => (s as { seq: number }).seq))
    expect(seqs.size).toBe(1)
    expect(await count()).toBe(1)
  })

  it('the same id twice in one batch: the second is a duplicate (or a conflict if it differs)', async () => {
    const r = visit(me)
    const res = await results([r, r, { ...r, body: { ...r.body, outcome: 'declined' } }])
    expect(res.map((x) => x.status)).toEqual(['accepted', 'duplicate', 'conflict'])
    expect(await count()).toBe(1)
  })

  it('an exact replay stays a duplicate even after the scope changed', async () => {
    const r = visit(me)
    await results([r])
    await env.storage.users.upsert({ ...(await env.storage.users.byPhone(PHONES.zhang))!, scopes: [B02] })
    const [again] = await results([r])
    expect(again!.status).toBe('duplicate')
    // but a new record in the old building is now out of scope
    const [fresh] = await results([visit(me)])
    expect(fresh).toMatchObject({ status: 'rejected', code: 'out_of_scope' })
  })

  it('accepts an empty batch', async () => {
    expect(await results([])).toEqual([])
  })
})

describe('POST /api/v1/sync/push: rejecting per record, with code and path', () => {
  const cases: [string, (me: string) => unknown, string, string][] = [
    ['bad shape (outcome)', (me) => visit(me, { body: { outcome: 'maybe' as never } }), 'bad_value', 'body.outcome'],
    ['missing body field', (me) => { const r = visit(me); delete (r.body as Partial<typeof r.body>).note; return r }, 'invalid_record', 'body.note'],
    ['unknown envelope field', (me) => ({ ...visit(me), extra: 1 }), 'invalid_record', 'extra'],
    ['unknown body field', (me) => ({ ...visit(me), body: { ...visit(me).body, phone: '139' } }), 'invalid_record', 'body.phone'],
    ['client-sent seq', (me) => ({ ...visit(me), seq: 1 }), 'invalid_record', 'seq'],
    ['client-sent serverTime', (me) => ({ ...visit(me), serverTime: '2026-05-01T10:00:00.000Z' }), 'invalid_record', 'serverTime'],
    ['bad id', (me) => visit(me, { id: 'not-a-uuid' }), 'bad_id', 'id'],
    ['unknown type', (me) => ({ ...visit(me), type: 'gossip' }), 'unknown_type', 'type'],
    ['body version from the future', (me) => visit(me, { v: 2 }), 'bad_value', 'v'],
    ['forged authorId', () => visit('demo-13800000002'), 'wrong_author', 'authorId'],
    ['orgPath outside scope', (me) => visit(me, { orgPath: ZYL_B01 }), 'out_of_scope', 'orgPath'],
    ['orgPath of a group (visits belong to buildings)', (me) => visit(me, { orgPath: 'pl/tuodong/mingtongxiang/g01' }), 'out_of_scope', 'orgPath'],
    ['orgPath under scope that does not exist', (me) => visit(me, { orgPath: `${B01}/x` }), 'out_of_scope', 'orgPath'],
    ['household outside the layout (unit 3 of a 2-unit building)', (me) => visit(me, { body: { household: '3-1-1' } }), 'unknown_household', 'body.household'],
    ['household outside the layout (floor 7 of 6)', (me) => visit(me, { body: { household: '1-7-1' } }), 'unknown_household', 'body.household'],
    ['visitedAt in the future', (me) => visit(me, { body: { visitedAt: '2026-05-03T10:00:00.000Z' } }), 'future_time', 'body.visitedAt'],
    ['clientTime in the future', (me) => visit(me, { clientTime: '2026-06-01T10:00:00.000Z' }), 'future_time', 'clientTime'],
    ['correction of an unknown target', (me) => correctionOf(me, uuidv7()), 'unknown_target', 'body.target'],
    ['void of an unknown target', (me) => voidOf(me, uuidv7()), 'unknown_target', 'body.target'],
    ['not an object', () => 'hello', 'invalid_record', ''],
  ]

  for (const [name, make, code, path] of cases) {
    it(name, async () => {
      const rec = make(me)
      const [res] = await results([rec])
      expect(res).toMatchObject({ status: 'rejected', code, path })
      expect((res as { reason: string }).reason).toMatch(/[\u4e00-\u9fff]/)
      expect(await count()).toBe(0)
      const q = await quarantined()
      expect(q).toHaveLength(1)
      expect(q[0]).toMatchObject({ code, path, user_id: me })
      expect(JSON.parse(q[0]!.raw)).toEqual(rec)
    })
  }

  it('tolerates a day of clock drift', async () => {
    const [res] = await results([visit(me, { clientTime: '2026-05-02T09:00:00.000Z', body: { visitedAt: '2026-05-02T09:00:00.000Z' } })])
    expect(res!.status).toBe('accepted')
  })

  it('gives reasons in English when asked', async () => {
    const [res] = await results([visit(me, { orgPath: ZYL_B01 })], { 'accept-language': 'en' })
    expect(res).toMatchObject({ code: 'out_of_scope', reason: 'Outside the area you are responsible for' })
  })

  it('truncates the raw JSON kept in quarantine to 64 KB', async () => {
    const big = visit(me, { body: { note: '长'.repeat(60_000) } }) // too long a note, ~180 KB as UTF-8
    const [res] = await results([big])
    expect(res).toMatchObject({ status: 'rejected', code: 'note_too_long', path: 'body.note' })
    const raw = (await quarantined())[0]!.raw
    expect(Buffer.byteLength(raw, 'utf8')).toBeLessThanOrEqual(QUARANTINE_RAW_MAX)
    expect(Buffer.byteLength(raw, 'utf8')).toBeGreaterThan(QUARANTINE_RAW_MAX - 4)
  })
})

describe('corrections and voids', () => {
  it('accepts a correction and a void of an existing visit, also when the visit is earlier in the same batch', async () => {
    const a = visit(me)
    const b = visit(me, { body: { household: '2-6-2' } })
    const [ra] = await results([a])
    expect(ra!.status).toBe('accepted')
    const res = await results([correctionOf(me, a.id), b, voidOf(me, b.id)])
    expect(res.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted'])
    expect(await count()).toBe(4)
  })

  it('rejects a target in another building (out_of_scope) and a target that cannot be amended (not_amendable)', async () => {
    const a = visit(me)
    await results([a])
    const [r1] = await results([correctionOf(me, a.id, B02)])
    expect(r1).toMatchObject({ status: 'rejected', code: 'out_of_scope', path: 'orgPath' })
    // a void whose target is itself a void
    const v1 = voidOf(me, a.id)
    await results([v1])
    const [r2] = await results([voidOf(me, v1.id)])
    expect(r2).toMatchObject({ status: 'rejected', code: 'not_amendable', path: 'body.target' })
    // a correction naming the wrong type of target
    const [r3] = await results([{ ...correctionOf(me, a.id), body: { target: a.id, targetType: 'reading.session', fields: { notes: 'x' } } }])
    expect(r3).toMatchObject({ status: 'rejected', code: 'not_amendable', path: 'body.targetType' })
    expect((await quarantined()).map((q) => q.code)).toEqual(['out_of_scope', 'not_amendable', 'not_amendable'])
  })

  it('stores what a correction or void refers to', async () => {
    const a = visit(me)
    const c = correctionOf(me, a.id)
    await results([a, c])
    expect(await env.sql(`SELECT target_id FROM records WHERE id = '${c.id}'`)).toEqual([{ target_id: a.id }])
    expect(await env.sql(`SELECT target_id FROM records WHERE id = '${a.id}'`)).toEqual([{ target_id: null }])
  })

  it('rejects a correction whose target came later in the batch or was itself rejected', async () => {
    const a = visit(me)
    const bad = visit(me, { body: { household: '9-9-9' } })
    const res = await results([correctionOf(me, a.id), a, correctionOf(me, bad.id), bad])
    expect(res.map((r) => r.status)).toEqual(['rejected', 'accepted', 'rejected', 'rejected'])
    expect(res.map((r) => (r as { code?: string }).code)).toEqual(['unknown_target', undefined, 'unknown_target', 'unknown_household'])
  })
})

describe('batches', () => {
  it('a partial batch stores exactly the good records and answers in input order', async () => {
    const good1 = visit(me)
    const bad1 = visit(me, { orgPath: ZYL_B01 })
    const good2 = visit(me, { orgPath: B02, body: { household: '3-7-2' } })
    const bad2 = { ...visit(me), seq: 99 }
    const good3 = visit(me, { body: { outcome: 'nobody_home', purposes: [] } })
    const res = await results([good1, bad1, good2, bad2, good3])
    expect(res.map((r) => [r.id, r.status])).toEqual([
      [good1.id, 'accepted'],
      [bad1.id, 'rejected'],
      [good2.id, 'accepted'],
      [bad2.id, 'rejected'],
      [good3.id, 'accepted'],
    ])
    const ids = (await env.sql<{ id: string }>('SELECT id FROM records ORDER BY seq')).map((r) => r.id)
    expect(ids).toEqual([good1.id, good2.id, good3.id])
    const seqs = res.filter((r) => r.status === 'accepted').map((r) => (r as { seq: number }).seq)
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y))
    expect((await quarantined()).map((q) => q.record_id)).toEqual([bad1.id, bad2.id])
  })

  it('is all or nothing: a failure inside the transaction leaves no partial batch', async () => {
    // Make the third insert fail at the database level, after two inserts in the same transaction.
    const recs = [visit(me), visit(me), visit(me)]
    if (BACKEND === 'postgres') {
      await env.sql(`CREATE FUNCTION fail_third() RETURNS trigger AS $$ BEGIN IF NEW.id = '${recs[2]!.id}' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`)
      await env.sql('CREATE TRIGGER fail_third BEFORE INSERT ON records FOR EACH ROW EXECUTE FUNCTION fail_third()')
    } else await env.sql(`CREATE TRIGGER fail_third BEFORE INSERT ON records WHEN NEW.id = '${recs[2]!.id}' BEGIN SELECT RAISE(ABORT, 'boom'); END`)
    const res = await push(env.app, token, recs)
    expect(res.statusCode).toBe(500)
    expect(res.json()).toEqual({ error: { code: 'server_error', message: '服务器出错了，记录仍保存在手机上' } })
    expect(await count()).toBe(0)
    await env.sql(BACKEND === 'postgres' ? 'DROP TRIGGER fail_third ON records' : 'DROP TRIGGER fail_third')
    const again = await results(recs)
    expect(again.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted'])
  })

  it(`answers 413 too_large for more than ${PUSH_MAX_RECORDS} records`, async () => {
    const recs = Array.from({ length: PUSH_MAX_RECORDS + 1 }, () => visit(me))
    const res = await push(env.app, token, recs)
    expect(res.statusCode).toBe(413)
    expect(res.json().error.code).toBe('too_large')
    expect(await count()).toBe(0)
  })

  it('accepts exactly the maximum number of records', async () => {
    const recs = Array.from({ length: PUSH_MAX_RECORDS }, () => visit(me))
    const res = await results(recs)
    expect(res.every((r) => r.status === 'accepted')).toBe(true)
    expect(await count()).toBe(PUSH_MAX_RECORDS)
  })

  it(`answers 413 too_large for a body over ${PUSH_MAX_BYTES} bytes`, async () => {
    const payload = JSON.stringify({ records: [visit(me)], pad: 'x'.repeat(PUSH_MAX_BYTES) })
    const res = await env.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers: { ...bearer(token), 'content-type': 'application/json' }, payload })
    expect(res.statusCode).toBe(413)
    expect(res.json()).toEqual({ error: { code: 'too_large', message: '一次上传的数据太多，请分批上传' } })
  })

  it('answers 400 bad_json for malformed JSON', async () => {
    const res = await env.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers: { ...bearer(token), 'content-type': 'application/json' }, payload: '{"records": [' })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toEqual({ error: { code: 'bad_json', message: '数据格式不正确，无法读取' } })
  })

  it('answers 400 bad_json for prototype poisoning', async () => {
    const res = await env.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers: { ...bearer(token), 'content-type': 'application/json' }, payload: '{"records": [], "__proto__": {"x": 1}}' })
    expect(res.statusCode).toBe(400)
    expect(res.json().error.code).toBe('bad_json')
  })

  it('answers 400 bad_request when records is not an array or the body is not an object', async () => {
    for (const payload of ['{"records": {}}', '{}', '[]', '"records"', '{"records": null}']) {
      const res = await env.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers: { ...bearer(token), 'content-type': 'application/json' }, payload })
      expect(res.statusCode, payload).toBe(400)
      expect(res.json().error.code, payload).toBe('bad_request')
    }
  })

  it('answers 415 with a JSON error for a body that is not JSON', async () => {
    const res = await env.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers: { ...bearer(token), 'content-type': 'text/xml' }, payload: '<records/>' })
    expect(res.statusCode).toBe(415)
    expect(res.json().error.code).toBe('bad_request')
  })
})
