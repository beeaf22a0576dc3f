/**
 * Volunteers and the 微心愿 wall through the real push, pull and routes: who may
 * register, pair, record services, post, claim, fulfil and confirm; a claim that
 * lapses frees the wish; the resident's address reaches leaders and the volunteer
 * holding the claim, nobody else; the ledger counts hours and wishes.
 */
import { readWorkbook } from './xlsxRead'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { B01, BACKEND, ZYL_B01, bearer, demoPasswordHash, login, PHONES, push, setup, visit, type TestEnv } from './helpers'
import { uuidv7 } from '../../../src/shared/ids'
import { DAY_MS } from '../../../src/shared/time'
import { foldWishes } from '../../../src/shared/wishes'
import { seedDemoVolunteers } from '../../../src/server/demoVolunteers'
import type { LocalRecord, RecordType } from '../../../src/shared/records'
import type { LoginResponse, PullResponse, PushResult } from '../../../src/shared/protocol'
import type { VolunteerLedger } from '../../../src/shared/volunteerLedger'
import { volunteerReader } from '../../../src/shared/volunteerScope'

const MTX = 'pl/tuodong/mingtongxiang'
const G01 = `${MTX}/g01`
const G02 = `${MTX}/g02`
const ZYL = 'pl/tuodong/zhuangyuanlou'
const V1_PHONE = '13900000001'
const V2_PHONE = '13900000002'
const ZYL_V_PHONE = '13900000009'

let env: TestEnv
const who = {} as Record<'zhang' | 'wang' | 'liu' | 'zhao' | 'v1' | 'v2' | 'zv', LoginResponse>

beforeEach(async () => {
  env = await setup()
  const passwordHash = await demoPasswordHash()
  await env.storage.users.upsert({ phone: V1_PHONE, name: '孙丽', role: 'volunteer', scopes: [MTX], passwordHash })
  await env.storage.users.upsert({ phone: V2_PHONE, name: '周建国', role: 'volunteer', scopes: [MTX], passwordHash })
  await env.storage.users.upsert({ phone: ZYL_V_PHONE, name: '钱志愿', role: 'volunteer', scopes: [ZYL], passwordHash })
  for (const k of ['zhang', 'wang', 'liu'] as const) who[k] = await login(env.app, PHONES[k])
  who.zhao = await login(env.app, '13800000012')
  who.v1 = await login(env.app, V1_PHONE)
  who.v2 = await login(env.app, V2_PHONE)
  who.zv = await login(env.app, ZYL_V_PHONE)
})
afterEach(async () => {
  await env.close()
})

function rec<T extends RecordType>(by: LoginResponse, type: T, orgPath: string, body: unknown): LocalRecord<T> {
  return { id: uuidv7(), type, v: 1, orgPath, authorId: by.user.id, deviceId: 'dev', clientTime: new Date(env.clock.t - 60_000).toISOString(), body } as LocalRecord<T>
}
const at = () => new Date(env.clock.t - 60_000).toISOString()
const team = (by: LoginResponse, orgPath = MTX) => rec(by, 'volunteer.team', orgPath, { name: '红帽子党员志愿队', kind: 'party', active: true })
const volunteer = (by: LoginResponse, orgPath = MTX, over: Record<string, unknown> = {}) =>
  rec(by, 'volunteer', orgPath, { name: '孙丽', phone: V1_PHONE, skills: '理发', availability: '周末', active: true, ...over })
const pairing = (by: LoginResponse, volunteerId: string, orgPath = B01) =>
  rec(by, 'volunteer.pairing', orgPath, { volunteer: volunteerId, volunteerName: '孙丽', household: '1-3-2', startsAt: at(), intervalDays: 7, active: true })
const service = (by: LoginResponse, volunteerId: string, over: Record<string, unknown> = {}, orgPath = B01) =>
  rec(by, 'volunteer.service', orgPath, { volunteer: volunteerId, kind: 'care_visit', note: '陪老人聊天', servedAt: at(), hours: 1.5, households: ['1-3-2'], ...over })
const wish = (by: LoginResponse, orgPath = B01) => rec(by, 'wish', orgPath, { category: 'daily_goods', description: '想要一个保温杯', costCap: 50, postedAt: at() })
const address = (by: LoginResponse, w: LocalRecord) => rec(by, 'wish.address', w.orgPath, { wish: w.id, household: '2-5-1', contact: '下午在家' })
const step = (by: LoginResponse, w: LocalRecord, action: string, over: Record<string, unknown> = {}) =>
  rec(by, 'wish.event', w.orgPath, { wish: w.id, action, at: at(), note: action === 'fulfil' ? '已送到' : '', ...over })

async function verdicts(by: LoginResponse, ...records: LocalRecord[]): Promise<string[]> {
  const results = (await push(env.app, by.token, records)).json<{ results: PushResult[] }>().results
  return results.map((r) => (r.status === 'rejected' ? r.code : r.status))
}
async function pull(by: LoginResponse) {
  return (await env.app.inject({ url: '/api/v1/sync/pull?after=0&limit=2000', headers: bearer(by.token) })).json<PullResponse>().records
}
const addressOf = (by: LoginResponse, wishId: string) => env.app.inject({ url: `/api/v1/wishes/${wishId}/address`, headers: bearer(by.token) })

/** Two registered volunteers of 明通巷, linked to the two accounts by phone, and one of 状元楼. */
async function registered() {
  const v1 = volunteer(who.liu)
  const v2 = volunteer(who.wang, G01, { name: '周建国', phone: V2_PHONE })
  expect(await verdicts(who.liu, v1)).toEqual(['accepted'])
  expect(await verdicts(who.wang, v2)).toEqual(['accepted'])
  const zv = volunteer(who.zhao, `${ZYL}/g01`, { name: '钱志愿', phone: ZYL_V_PHONE })
  expect(await verdicts(who.zhao, zv)).toEqual(['accepted'])
  return { v1, v2, zv }
}

describe('who may register and pair', () => {
  it('community staff and group leaders register in their place; building leaders and volunteers may not', async () => {
    expect(await verdicts(who.liu, team(who.liu), volunteer(who.liu))).toEqual(['accepted', 'accepted'])
    expect(await verdicts(who.wang, team(who.wang, G01), volunteer(who.wang, G01))).toEqual(['accepted', 'accepted'])
    expect(await verdicts(who.wang, volunteer(who.wang, G02), volunteer(who.wang, MTX))).toEqual(['out_of_scope', 'out_of_scope'])
    expect(await verdicts(who.zhang, volunteer(who.zhang, B01))).toEqual(['out_of_scope'])
    expect(await verdicts(who.zhang, volunteer(who.zhang, G01))).toEqual(['out_of_scope'])
    expect(await verdicts(who.v1, volunteer(who.v1, MTX), team(who.v1))).toEqual(['not_for_volunteers', 'not_for_volunteers'])
  })

  it('pairs a registered volunteer of the same community with a household; a building leader may not pair', async () => {
    const { v1, v2, zv } = await registered()
    expect(await verdicts(who.liu, pairing(who.liu, v1.id))).toEqual(['accepted'])
    // a group leader pairs the volunteers registered in their group, not the community's
    expect(await verdicts(who.wang, pairing(who.wang, v1.id))).toEqual(['unknown_volunteer'])
    expect(await verdicts(who.wang, pairing(who.wang, v2.id))).toEqual(['accepted'])
    expect(await verdicts(who.zhang, pairing(who.zhang, v1.id))).toEqual(['leaders_only'])
    expect(await verdicts(who.liu, pairing(who.liu, zv.id))).toEqual(['unknown_volunteer'])
    expect(await verdicts(who.liu, pairing(who.liu, uuidv7()))).toEqual(['unknown_volunteer'])
    const bad = pairing(who.liu, v1.id)
    ;(bad.body as { household: string }).household = '9-9-9'
    expect(await verdicts(who.liu, bad)).toEqual(['unknown_household'])
    expect(await verdicts(who.v1, pairing(who.v1, v1.id))).toEqual(['not_for_volunteers'])
  })
})

describe('services', () => {
  it('a volunteer records their own service only; a leader records for any volunteer; a wrong entry is corrected', async () => {
    const { v1, v2 } = await registered()
    const own = service(who.v1, v1.id)
    expect(await verdicts(who.v1, own)).toEqual(['accepted'])
    expect(await verdicts(who.v1, service(who.v1, v2.id))).toEqual(['not_your_volunteer'])
    expect(await verdicts(who.v1, visit(who.v1.user.id))).toEqual(['not_for_volunteers'])
    // leaders record for the volunteers they can read: a building leader has none registered in their buildings
    expect(await verdicts(who.zhang, service(who.zhang, v2.id))).toEqual(['unknown_volunteer'])
    expect(await verdicts(who.wang, service(who.wang, v2.id))).toEqual(['accepted'])
    expect(await verdicts(who.liu, service(who.liu, v2.id, { households: ['1-1-1'] }, G01))).toEqual(['out_of_scope'])
    expect(await verdicts(who.liu, service(who.liu, v2.id, { households: [] }, G01))).toEqual(['accepted'])
    expect(await verdicts(who.v1, service(who.v1, v1.id, { hours: 0.7 }))).toEqual(['bad_hours'])
    // the other volunteer cannot mend it; its author and the group leader can
    const fix = (by: LoginResponse, hours: number) => rec(by, 'correction', B01, { target: own.id, targetType: 'volunteer.service', fields: { hours } })
    expect(await verdicts(who.v2, fix(who.v2, 3))).toEqual(['not_your_record'])
    expect(await verdicts(who.wang, fix(who.wang, 2))).toEqual(['accepted'])
    const month = { volunteers: (await env.app.inject({ url: `/api/v1/ledger/volunteers?scope=${MTX}&month=2026-05`, headers: bearer(who.liu.token) })).json<VolunteerLedger>() }
    expect(month.volunteers.volunteers.find((r) => r.id === v1.id)).toMatchObject({ name: '孙丽', hours: 2, services: 1 })
    expect(month.volunteers.hours).toBe(2 + 1.5 + 1.5)
  })
})

describe('which registered volunteer an account is', () => {
  it('is found by the phone index: a later record of the chain that changes the phone or retires it counts, another community does not', async () => {
    const { v1, v2 } = await registered()
    const mine = service(who.v1, v1.id)
    expect(await verdicts(who.v1, mine)).toEqual(['accepted'])
    expect(await verdicts(who.wang, service(who.wang, v2.id))).toEqual(['accepted'])
    // registered without a phone, given 孙丽's later: that registration is hers too
    const later = volunteer(who.liu, MTX, { name: '孙丽(二)', phone: undefined })
    delete (later.body as { phone?: string }).phone
    expect(await verdicts(who.liu, later)).toEqual(['accepted'])
    const reader = async (phone: string, scopes = [MTX]) => volunteerReader(await env.storage.volunteers.ofPhone(scopes, phone), phone)
    expect([...(await reader(V1_PHONE)).volunteerIds]).toEqual([v1.id])
    expect([...(await reader(V1_PHONE)).serviceIds]).toEqual([mine.id])
    expect(await verdicts(who.liu, volunteer(who.liu, MTX, { name: '孙丽(二)', of: later.id }))).toEqual(['accepted'])
    expect([...(await reader(V1_PHONE)).volunteerIds].sort()).toEqual([v1.id, later.id].sort())
    // outside the account's community nothing is found
    expect((await reader(V1_PHONE, [ZYL])).volunteerIds.size).toBe(0)
    // the first registration moves to another phone, the second is retired: 孙丽's account acts as neither
    expect(await verdicts(who.liu, volunteer(who.liu, MTX, { phone: '13900000077', of: v1.id }), volunteer(who.liu, MTX, { name: '孙丽(二)', active: false, of: later.id }))).toEqual(['accepted', 'accepted'])
    expect((await reader(V1_PHONE)).volunteerIds.size).toBe(0)
    expect(await verdicts(who.v1, service(who.v1, v1.id))).toEqual(['not_your_volunteer'])
    expect([...(await reader('13900000077')).volunteerIds]).toEqual([v1.id])
  })

  it('the look-up reads the indexes, not the log', async () => {
    const plan =
      BACKEND === 'sqlite'
        ? await env.sql<{ detail: string }>("EXPLAIN QUERY PLAN SELECT id FROM records WHERE type = 'volunteer' AND json_extract(body, '$.phone') = '13900000001'")
        : await env.sql<{ 'QUERY PLAN': string }>("SET enable_seqscan = off; EXPLAIN SELECT id FROM records WHERE type = 'volunteer' AND ((body::jsonb) ->> 'phone') = '13900000001'")
    expect(plan.map((r) => Object.values(r).join(' ')).join('\n')).toContain('records_volunteer_phone')
  })

  it("a volunteer's refused record handed over is placed only as the volunteer could have written it", async () => {
    const { v1, v2 } = await registered()
    const post = (token: string, url: string, payload: unknown) => env.app.inject({ method: 'POST', url, headers: bearer(token), payload: payload as object })
    // written offline for a building outside the community: refused out of scope, handed over
    const theirs = service(who.v1, v2.id, {}, ZYL_B01)
    const own = service(who.v1, v1.id, {}, ZYL_B01)
    expect(await verdicts(who.v1, theirs, own)).toEqual(['out_of_scope', 'out_of_scope'])
    for (const r of [theirs, own]) expect((await post(who.v1.token, '/api/v1/sync/handover', { id: r.id })).statusCode).toBe(200)
    const chen = await login(env.app, PHONES.chen)
    // staff place both at the building meant: the one naming another volunteer stays refused
    const refused = await post(chen.token, `/api/v1/handovers/${theirs.id}/place`, { orgPath: B01 })
    expect(refused.statusCode).toBe(422)
    expect(refused.json()).toMatchObject({ error: { code: 'not_your_volunteer' } })
    const placed = await post(chen.token, `/api/v1/handovers/${own.id}/place`, { orgPath: B01 })
    expect(placed.statusCode, placed.body).toBe(200)
    expect((await env.storage.records.getById(own.id))?.authorId).toBe(who.v1.user.id)
  })
})

describe('the wish wall', () => {
  it('a leader posts, a volunteer claims, another cannot take or fulfil it, the claimer fulfils, the leader confirms', async () => {
    const { v1, v2 } = await registered()
    const w = wish(who.zhang)
    expect(await verdicts(who.zhang, w, address(who.zhang, w))).toEqual(['accepted', 'accepted'])
    expect(await verdicts(who.v1, wish(who.v1))).toEqual(['not_for_volunteers'])
    expect(await verdicts(who.v1, step(who.v1, w, 'claim', { volunteer: v2.id }))).toEqual(['not_your_volunteer'])
    expect(await verdicts(who.v1, step(who.v1, w, 'claim', { volunteer: v1.id }))).toEqual(['accepted'])
    expect(await verdicts(who.v2, step(who.v2, w, 'claim', { volunteer: v2.id }))).toEqual(['wish_taken'])
    expect(await verdicts(who.v2, step(who.v2, w, 'fulfil'))).toEqual(['wish_not_yours'])
    expect(await verdicts(who.v1, step(who.v1, w, 'confirm'))).toEqual(['wish_not_yours'])
    expect(await verdicts(who.zhang, step(who.zhang, w, 'confirm'))).toEqual(['wish_wrong_state'])
    expect(await verdicts(who.v1, step(who.v1, w, 'fulfil'))).toEqual(['accepted'])
    expect(await verdicts(who.zhang, step(who.zhang, w, 'confirm'))).toEqual(['accepted'])
    expect(foldWishes(await pull(who.zhang), env.clock.t).get(w.id)).toMatchObject({ status: 'confirmed', claim: { volunteer: v1.id }, fulfilNote: '已送到' })
    const ledger = { volunteers: (await env.app.inject({ url: `/api/v1/ledger/volunteers?scope=${MTX}&month=2026-05`, headers: bearer(who.liu.token) })).json<VolunteerLedger>() }
    expect(ledger.volunteers.wishes).toEqual({ posted: 1, claimed: 1, fulfilled: 1, confirmed: 1 })
  })

  it('a claim lapses after the set days: the wish is open again, the old claimer can no longer fulfil it nor see the address', async () => {
    const { v1, v2 } = await registered()
    const w = wish(who.zhang)
    await verdicts(who.zhang, w, address(who.zhang, w))
    expect(await verdicts(who.v1, step(who.v1, w, 'claim', { volunteer: v1.id }))).toEqual(['accepted'])
    expect((await addressOf(who.v1, w.id)).statusCode).toBe(200)
    env.clock.t += 8 * DAY_MS
    expect(foldWishes(await pull(who.zhang), env.clock.t).get(w.id)).toMatchObject({ status: 'open', lapsed: { volunteer: v1.id } })
    expect((await addressOf(who.v1, w.id)).statusCode).toBe(403)
    expect(await verdicts(who.v1, step(who.v1, w, 'fulfil'))).toEqual(['wish_wrong_state'])
    expect(await verdicts(who.v2, step(who.v2, w, 'claim', { volunteer: v2.id }))).toEqual(['accepted'])
    expect((await addressOf(who.v2, w.id)).statusCode).toBe(200)
  })

  it('the address reaches leaders and the claimer only, and only from the claim on', async () => {
    const { v1, v2 } = await registered()
    const w = wish(who.zhang)
    const a = address(who.zhang, w)
    await verdicts(who.zhang, w, a)
    // leaders in scope have it in their pull
    for (const leader of [who.zhang, who.wang, who.liu]) expect((await pull(leader)).some((r) => r.id === a.id)).toBe(true)
    expect((await addressOf(who.wang, w.id)).statusCode).toBe(200)
    // no volunteer pulls it; before the claim nobody but leaders gets it
    expect((await addressOf(who.v1, w.id)).statusCode).toBe(403)
    expect(await verdicts(who.v1, step(who.v1, w, 'claim', { volunteer: v1.id }))).toEqual(['accepted'])
    const got = await addressOf(who.v1, w.id)
    expect(got.statusCode).toBe(200)
    expect(got.json<{ record: { body: { household: string } } }>().record.body.household).toBe('2-5-1')
    expect((await addressOf(who.v2, w.id)).statusCode).toBe(403)
    expect((await addressOf(who.zv, w.id)).statusCode).toBe(404)
    // what was handed to a volunteer is in the audit trail; a leader's look is not (they hold it anyway)
    const trail = await env.sql<{ actor_id: string; target: string }>("SELECT actor_id, target FROM audit_trail WHERE action = 'wish.address_given'")
    expect(trail).toEqual([{ actor_id: who.v1.user.id, target: w.id }])
    for (const v of [who.v1, who.v2]) expect((await pull(v)).some((r) => r.type === 'wish.address')).toBe(false)
    // releasing the claim takes the address away again
    expect(await verdicts(who.v1, step(who.v1, w, 'release'))).toEqual(['accepted'])
    expect((await addressOf(who.v1, w.id)).statusCode).toBe(403)
    void v2
  })

  it("a volunteer's pull holds the wall, the teams and their own records, none of the residents' records", async () => {
    const { v1, v2 } = await registered()
    const t = team(who.liu)
    const mine = service(who.v1, v1.id)
    const theirs = service(who.wang, v2.id)
    const w = wish(who.zhang)
    const pair = pairing(who.liu, v1.id)
    await verdicts(who.liu, t, pair, rec(who.liu, 'volunteer.pairing', B01, { volunteer: v2.id, volunteerName: '周建国', household: '1-1-1', startsAt: at(), intervalDays: 7, active: true }))
    await verdicts(who.v1, mine)
    await verdicts(who.wang, theirs)
    await verdicts(who.zhang, w, address(who.zhang, w), visit(who.zhang.user.id), rec(who.zhang, 'care.flag', B01, { household: '1-3-2', kind: 'alone_elderly', intervalDays: 7, active: true }))
    const got = await pull(who.v1)
    const ids = new Set(got.map((r) => r.id))
    expect([t.id, v1.id, mine.id, w.id, pair.id].every((id) => ids.has(id))).toBe(true)
    expect(ids.has(v2.id) || ids.has(theirs.id)).toBe(false)
    expect(new Set(got.map((r) => r.type))).toEqual(new Set(['volunteer.team', 'volunteer', 'volunteer.pairing', 'volunteer.service', 'wish']))
    // and the community's figures are not theirs to read
    expect((await env.app.inject({ url: `/api/v1/ledger?scope=${MTX}`, headers: bearer(who.v1.token) })).statusCode).toBe(403)
    expect((await env.app.inject({ url: `/api/v1/ledger/volunteers?scope=${MTX}`, headers: bearer(who.v1.token) })).statusCode).toBe(403)
  })

  it('the ledger export has the volunteer sheet', async () => {
    const { v1 } = await registered()
    await verdicts(who.v1, service(who.v1, v1.id))
    const res = await env.app.inject({ url: `/api/v1/ledger?scope=${MTX}&month=2026-05&format=xlsx`, headers: bearer(who.liu.token) })
    const wb = await readWorkbook(res.rawPayload)
    expect(wb.cell('志愿服务记录', 'B3')).toBe('孙丽')
    expect(wb.cell('志愿服务记录', 'E3')).toBe(1.5)
  })
})

describe('the demo', () => {
  it('its volunteers, pairings, services and wishes all pass the rules; the demo volunteer sees the wall and her month', async () => {
    const { made, accepted } = await seedDemoVolunteers(env.storage, env.clock.t)
    expect(accepted).toBe(made)
    const sun = await login(env.app, '13800000021')
    const got = await pull(sun)
    const wishes = foldWishes(got, env.clock.t)
    expect([...wishes.values()].map((w) => w.status).sort()).toEqual(['claimed', 'confirmed', 'open', 'open'])
    expect(got.filter((r) => r.type === 'volunteer').map((r) => (r.body as { name: string }).name)).toEqual(['孙丽'])
    expect(got.some((r) => r.type === 'volunteer.service')).toBe(true)
  })
})
