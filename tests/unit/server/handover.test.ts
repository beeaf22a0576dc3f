import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { B01, B02, ZYL_B01, bearer, login, PHONES, push, setup, visit, type TestEnv } from './helpers'
import type { HandoversResponse, PlaceResponse } from '../../../src/shared/handover'
import type { PullResponse, PushResponse } from '../../../src/shared/protocol'

let env: TestEnv
beforeEach(async () => {
  env = await setup()
})
afterEach(async () => {
  await env.close()
})

async function setScopes(phone: string, scopes: string[]): Promise<void> {
  const row = (await env.storage.users.byPhone(phone))!
  await env.storage.users.upsert({ phone: row.phone, name: row.name, role: row.role, scopes, passwordHash: row.passwordHash })
}

const post = (token: string, url: string, payload: unknown) => env.app.inject({ method: 'POST', url, headers: bearer(token), payload: payload as object })
const list = async (token: string) => env.app.inject({ url: '/api/v1/handovers', headers: bearer(token) })

/** 张 (building leader of b01, b02) visits 2-3-2 in b02 offline; meanwhile b02 is taken out of his scope. */
async function refusedOutOfScope() {
  const zhang = await login(env.app, PHONES.zhang)
  await setScopes(PHONES.zhang, [B01])
  const record = visit(zhang.user.id, { orgPath: B02, body: { household: '2-3-2', note: '李大爷说楼道灯坏了' } })
  const res = await push(env.app, zhang.token, [record])
  expect(res.json<PushResponse>().results[0]).toMatchObject({ status: 'rejected', code: 'out_of_scope' })
  return { zhang, record }
}

describe('handing over a record its author cannot mend', () => {
  it('the author hands over the quarantined copy once; nobody else can, and a mendable refusal cannot be', async () => {
    const { zhang, record } = await refusedOutOfScope()
    const first = await post(zhang.token, '/api/v1/sync/handover', { id: record.id })
    expect(first.statusCode, first.body).toBe(200)
    expect(first.json()).toEqual({ id: record.id, handedAt: new Date(env.clock.t).toISOString() })
    // a lost answer: asking again is the same hand-over
    env.clock.t += 60_000
    expect((await post(zhang.token, '/api/v1/sync/handover', { id: record.id })).json()).toEqual(first.json())
    expect(await env.storage.quarantine.waiting()).toHaveLength(1)

    // another user cannot hand over 张's record
    const wang = await login(env.app, PHONES.wang)
    expect((await post(wang.token, '/api/v1/sync/handover', { id: record.id })).statusCode).toBe(404)
    // a record refused for a reason its author can mend (a note too long) is mended, not handed over
    const long = visit(zhang.user.id, { body: { note: '字'.repeat(2001) } })
    expect((await push(env.app, zhang.token, [long])).json<PushResponse>().results[0]).toMatchObject({ status: 'rejected' })
    const refused = await post(zhang.token, '/api/v1/sync/handover', { id: long.id })
    expect(refused.statusCode).toBe(409)
    expect(refused.json()).toMatchObject({ error: { code: 'cannot_hand_over' } })
    // an id the server never saw
    expect((await post(zhang.token, '/api/v1/sync/handover', { id: visit(zhang.user.id).id })).statusCode).toBe(404)
    expect((await post(zhang.token, '/api/v1/sync/handover', { id: 'nope' })).statusCode).toBe(400)
  })

  it('community staff see it with author and content, and place it: the original record under the new building, authored by its author', async () => {
    const { zhang, record } = await refusedOutOfScope()
    await post(zhang.token, '/api/v1/sync/handover', { id: record.id })

    // building leaders do not handle hand-overs; another community's staff do not see it
    expect((await list(zhang.token)).statusCode).toBe(403)
    const liu = await login(env.app, PHONES.liu)
    const res = await list(liu.token)
    expect(res.statusCode).toBe(200)
    const [item] = res.json<HandoversResponse>().items
    expect(item).toMatchObject({
      id: record.id,
      authorId: zhang.user.id,
      authorName: zhang.user.name,
      community: 'pl/tuodong/mingtongxiang',
      code: 'out_of_scope',
      kinds: ['building'],
      record: { type: 'visit', orgPath: B02, body: { household: '2-3-2', note: '李大爷说楼道灯坏了' } },
    })
    const chen = await login(env.app, PHONES.chen) // street staff above the community see it too
    expect((await list(chen.token)).json<HandoversResponse>().items).toHaveLength(1)

    // a building outside liu's scope, and a room the building lacks, are refused
    expect((await post(liu.token, `/api/v1/handovers/${record.id}/place`, { orgPath: ZYL_B01 })).statusCode).toBe(422)
    const placed = await post(liu.token, `/api/v1/handovers/${record.id}/place`, { orgPath: B02 })
    expect(placed.statusCode, placed.body).toBe(200)
    const { seq } = placed.json<PlaceResponse>()

    const pulled = await env.app.inject({ url: '/api/v1/sync/pull', headers: bearer(liu.token) })
    const stored = pulled.json<PullResponse>().records.find((r) => r.id === record.id)
    expect(stored).toMatchObject({ seq, orgPath: B02, authorId: zhang.user.id, clientTime: record.clientTime, body: record.body })
    expect(await env.storage.quarantine.handover(record.id)).toMatchObject({ state: 'placed', decidedBy: liu.user.id, placedPath: B02 })

    // done once: no second placement, no dismissal, gone from the list
    expect((await post(liu.token, `/api/v1/handovers/${record.id}/place`, { orgPath: B02 })).json()).toMatchObject({ error: { code: 'already_decided' } })
    expect((await post(liu.token, `/api/v1/handovers/${record.id}/dismiss`, { reason: '重复' })).statusCode).toBe(409)
    expect((await list(liu.token)).json<HandoversResponse>().items).toEqual([])
  })

  it('a placement the building cannot take is refused and leaves it waiting', async () => {
    const zhang = await login(env.app, PHONES.zhang)
    await setScopes(PHONES.zhang, [B01])
    const record = visit(zhang.user.id, { orgPath: B02, body: { household: '9-9-9' } })
    await push(env.app, zhang.token, [record])
    await post(zhang.token, '/api/v1/sync/handover', { id: record.id })
    const liu = await login(env.app, PHONES.liu)
    const res = await post(liu.token, `/api/v1/handovers/${record.id}/place`, { orgPath: B01 })
    expect(res.statusCode).toBe(422)
    expect(res.json()).toMatchObject({ error: { code: 'unknown_household' } })
    expect(await env.storage.records.getById(record.id)).toBeNull()
    expect(await env.storage.quarantine.handover(record.id)).toMatchObject({ state: 'waiting' })
  })

  it('staff dismiss it with a reason; without one it stays', async () => {
    const { zhang, record } = await refusedOutOfScope()
    await post(zhang.token, '/api/v1/sync/handover', { id: record.id })
    const liu = await login(env.app, PHONES.liu)
    expect((await post(liu.token, `/api/v1/handovers/${record.id}/dismiss`, { reason: '  ' })).json()).toMatchObject({ error: { code: 'required' } })
    expect((await post(liu.token, `/api/v1/handovers/${record.id}/dismiss`, { reason: '字'.repeat(201) })).json()).toMatchObject({ error: { code: 'text_too_long' } })
    const ok = await post(liu.token, `/api/v1/handovers/${record.id}/dismiss`, { reason: '已电话核实,这户已搬走' })
    expect(ok.statusCode, ok.body).toBe(200)
    expect(await env.storage.quarantine.handover(record.id)).toMatchObject({ state: 'dismissed', decidedBy: liu.user.id, reason: '已电话核实,这户已搬走' })
    expect(await env.storage.records.getById(record.id)).toBeNull()
    expect((await list(liu.token)).json<HandoversResponse>().items).toEqual([])
  })
})
