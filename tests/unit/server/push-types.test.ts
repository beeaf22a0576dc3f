/**
 * Context checks of the record types beyond visits: feedback and its events,
 * reading sessions and their corrections, care flags. The server runs the same
 * shared checks as the device.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { B01, B02, login, PHONES, push, setup, ZYL_B01, type TestEnv } from './helpers'
import { uuidv7 } from '../../../src/shared/ids'
import type { LocalRecord, RecordType } from '../../../src/shared/records'
import type { LoginResponse, PushResult } from '../../../src/shared/protocol'

let env: TestEnv
let zhang: LoginResponse
let wang: LoginResponse
let li: LoginResponse
beforeEach(async () => {
  env = await setup()
  zhang = await login(env.app, PHONES.zhang)
  wang = await login(env.app, PHONES.wang)
  li = await login(env.app, PHONES.li)
})
afterEach(async () => {
  await env.close()
})

function rec(who: LoginResponse, type: RecordType, orgPath: string, body: unknown): LocalRecord {
  return { id: uuidv7(), type, v: 1, orgPath, authorId: who.user.id, deviceId: 'dev', clientTime: '2026-05-01T09:00:00.000Z', body } as LocalRecord
}
const feedback = (who: LoginResponse, orgPath: string, extra: Record<string, unknown> = {}) =>
  rec(who, 'feedback', orgPath, { category: 'repair', description: '楼道灯坏了', urgency: 'normal', channel: 'visit', raisedAt: '2026-05-01T08:50:00.000Z', ...extra })
const event = (who: LoginResponse, orgPath: string, fb: string, action: Record<string, unknown>) => rec(who, 'feedback.event', orgPath, { feedback: fb, text: '处理说明', ...action })
const RP = 'pl/tuodong/zhuangyuanlou/g01/rp-tiyu'
const session = (households: { building: string; household: string }[], headCount: number) =>
  rec(li, 'reading.session', RP, { startedAt: '2026-05-01T08:30:00.000Z', endedAt: '2026-05-01T09:00:00.000Z', reader: '李建华', materials: ['人民日报'], headCount, households, notes: '' })
const sessionCorrection = (target: string, fields: Record<string, unknown>) => rec(li, 'correction', RP, { target, targetType: 'reading.session', fields })

async function statuses(who: LoginResponse, records: LocalRecord[]): Promise<string[]> {
  const res = await push(env.app, who.token, records)
  expect(res.statusCode, res.body).toBe(200)
  return res.json<{ results: PushResult[] }>().results.map((r) => (r.status === 'rejected' ? `rejected:${r.code}:${r.path}` : r.status))
}

describe('feedback', () => {
  it('accepts feedback naming a household of the building, refuses a household off the layout or off a building', async () => {
    expect(await statuses(zhang, [feedback(zhang, B01, { household: '2-6-2' })])).toEqual(['accepted'])
    expect(await statuses(zhang, [feedback(zhang, B01, { household: '2-7-1' })])).toEqual(['rejected:unknown_household:body.household'])
    expect(await statuses(wang, [feedback(wang, 'pl/tuodong/mingtongxiang/g01', { household: '1-1-1' })])).toEqual(['rejected:unknown_household:body.household'])
    expect(await statuses(wang, [feedback(wang, 'pl/tuodong/mingtongxiang/g01')])).toEqual(['accepted'])
    expect(await statuses(zhang, [feedback(zhang, B01, { raisedAt: '2026-06-01T00:00:00.000Z' })])).toEqual(['rejected:future_time:body.raisedAt'])
  })

  it('events: escalation one level at a time by the right people, resolution at the author’s own level', async () => {
    const fb = feedback(zhang, B01)
    expect(await statuses(zhang, [fb, event(zhang, B01, fb.id, { action: 'comment' })])).toEqual(['accepted', 'accepted'])
    // a building leader passes it up to the group
    expect(await statuses(zhang, [event(zhang, B01, fb.id, { action: 'escalate', toLevel: 'group' })])).toEqual(['accepted'])
    // but cannot claim to resolve at group level, nor skip to the community
    expect(await statuses(zhang, [event(zhang, B01, fb.id, { action: 'resolve', atLevel: 'group' })])).toEqual(['rejected:wrong_level:body.atLevel'])
    expect(await statuses(zhang, [event(zhang, B01, fb.id, { action: 'escalate', toLevel: 'community' })])).toEqual(['rejected:wrong_level:body.toLevel'])
    // the group leader resolves it at group level
    expect(await statuses(wang, [event(wang, B01, fb.id, { action: 'resolve', atLevel: 'group' })])).toEqual(['accepted'])
    // an event must sit where its feedback sits, and refer to a feedback that exists
    expect(await statuses(wang, [event(wang, B02, fb.id, { action: 'comment' })])).toEqual(['rejected:out_of_scope:orgPath'])
    expect(await statuses(wang, [event(wang, B01, uuidv7(), { action: 'comment' })])).toEqual(['rejected:unknown_target:body.feedback'])
    // a visit is not a feedback
    const v = rec(zhang, 'visit', B01, { household: '1-1-1', outcome: 'met', purposes: [], note: '', visitedAt: '2026-05-01T08:00:00.000Z' })
    expect(await statuses(zhang, [v, event(zhang, B01, v.id, { action: 'comment' })])).toEqual(['accepted', 'rejected:unknown_target:body.feedback'])
    // feedback is mended by its events, never by a void
    expect(await statuses(zhang, [rec(zhang, 'void', B01, { target: fb.id, reason: '重复' })])).toEqual(['rejected:not_amendable:body.target'])
  })
})

describe('reading sessions', () => {
  it('checks named households against the point’s catchment', async () => {
    expect(await statuses(li, [session([{ building: ZYL_B01, household: '1-1-1' }], 3)])).toEqual(['accepted'])
    // a building of another community is not in the catchment
    expect(await statuses(li, [session([{ building: B01, household: '1-1-1' }], 3)])).toEqual(['rejected:unknown_household:body.households.0.building'])
    expect(await statuses(li, [session([{ building: ZYL_B01, household: '9-1-1' }], 3)])).toEqual(['rejected:unknown_household:body.households.0.household'])
    // a session belongs to a reading point, not a building
    expect(await statuses(li, [{ ...session([], 3), orgPath: ZYL_B01 }])).toEqual(['rejected:out_of_scope:orgPath'])
  })

  it('checks a correction against the session as corrected so far', async () => {
    const s = session([], 2)
    expect(await statuses(li, [s])).toEqual(['accepted'])
    const three = [1, 2, 3].map((f) => ({ building: ZYL_B01, household: `1-${f}-1` }))
    // three named households against a head count of 2: refused
    expect(await statuses(li, [sessionCorrection(s.id, { households: three })])).toEqual(['rejected:headcount_below_named:body.fields.headCount'])
    // raise the count first (in this batch), then the same names are fine
    expect(await statuses(li, [sessionCorrection(s.id, { headCount: 5 }), sessionCorrection(s.id, { households: three })])).toEqual(['accepted', 'accepted'])
    // an end before the start is refused
    expect(await statuses(li, [sessionCorrection(s.id, { endedAt: '2026-05-01T08:00:00.000Z' })])).toEqual(['rejected:end_before_start:body.fields.endedAt'])
    // and a session can be withdrawn
    expect(await statuses(li, [rec(li, 'void', RP, { target: s.id, reason: '重复登记' })])).toEqual(['accepted'])
  })
})

describe('rounds', () => {
  it('care flags and household profiles name a room of the building', async () => {
    const flag = (household: string) => rec(zhang, 'care.flag', B01, { household, kind: 'alone_elderly', intervalDays: 7, active: true })
    expect(await statuses(zhang, [flag('1-6-2'), flag('1-6-3')])).toEqual(['accepted', 'rejected:unknown_household:body.household'])
    const profile = rec(zhang, 'household.profile', B02, { household: '3-7-2', displayName: '王奶奶' })
    expect(await statuses(zhang, [profile])).toEqual(['accepted'])
  })
})
