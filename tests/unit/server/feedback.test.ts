/**
 * Feedback through the real push and pull routes: the five-level chain, who may
 * add events where, who sees which items, and refusals in plain words.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { B01, bearer, demoPasswordHash, login, PHONES, push, setup, ZYL_B01, type TestEnv } from './helpers'
import { uuidv7 } from '../../../src/shared/ids'
import { foldFeedback } from '../../../src/shared/feedback'
import type { AnyRecord, LocalRecord } from '../../../src/shared/records'
import type { LoginResponse, PullResponse, PushResult } from '../../../src/shared/protocol'

const B03 = 'pl/tuodong/mingtongxiang/g01/b03' // same group, not zhang's
const G02 = 'pl/tuodong/mingtongxiang/g02'
const ZYL = { phone: '13800000013', scope: 'pl/tuodong/zhuangyuanlou' }

let env: TestEnv
const who: Record<'zhang' | 'li' | 'wang' | 'liu' | 'chen' | 'yang' | 'zyl', LoginResponse> = {} as never

beforeEach(async () => {
  env = await setup()
  // the demo has no community staff for 状元楼社区; one is added as an administrator would
  await env.storage.users.upsert({ phone: ZYL.phone, name: '赵社区', role: 'community_staff', scopes: [ZYL.scope], passwordHash: await demoPasswordHash() })
  for (const k of ['zhang', 'li', 'wang', 'liu', 'chen', 'yang'] as const) who[k] = await login(env.app, PHONES[k])
  who.zyl = await login(env.app, ZYL.phone)
})
afterEach(async () => {
  await env.close()
})

function feedback(by: LoginResponse, orgPath: string, body: Record<string, unknown> = {}): LocalRecord<'feedback'> {
  return {
    id: uuidv7(),
    type: 'feedback',
    v: 1,
    orgPath,
    authorId: by.user.id,
    deviceId: 'dev',
    clientTime: '2026-05-01T09:00:00.000Z',
    body: { category: 'repair', description: '3单元楼道灯坏了', urgency: 'normal', channel: 'visit', raisedAt: '2026-05-01T08:55:00.000Z', ...body },
  } as LocalRecord<'feedback'>
}

function event(by: LoginResponse, fb: { id: string; orgPath: string }, action: Record<string, unknown>, orgPath = fb.orgPath): LocalRecord<'feedback.event'> {
  return { id: uuidv7(), type: 'feedback.event', v: 1, orgPath, authorId: by.user.id, deviceId: 'dev', clientTime: '2026-05-01T09:30:00.000Z', body: { feedback: fb.id, text: '处理说明', ...action } } as LocalRecord<'feedback.event'>
}

async function results(by: LoginResponse, records: unknown[], lang?: string): Promise<PushResult[]> {
  const res = await push(env.app, by.token, records, lang ? { 'accept-language': lang } : {})
  expect(res.statusCode, res.body).toBe(200)
  return res.json<{ results: PushResult[] }>().results
}

async function statuses(by: LoginResponse, records: unknown[]): Promise<string[]> {
  return (await results(by, records)).map((r) => (r.status === 'rejected' ? `rejected:${r.code}:${r.path}` : r.status))
}

async function pullAll(by: LoginResponse): Promise<AnyRecord[]> {
  const res = await env.app.inject({ url: '/api/v1/sync/pull?after=0&limit=500', headers: bearer(by.token) })
  expect(res.statusCode).toBe(200)
  return res.json<PullResponse>().records as AnyRecord[]
}

describe('feedback through the five levels', () => {
  it('goes building → group → community, is resolved there, and the raiser pulls every step', async () => {
    const fb = feedback(who.zhang, B01, { household: '1-3-2' })
    expect(await statuses(who.zhang, [fb])).toEqual(['accepted'])
    expect(await statuses(who.zhang, [event(who.zhang, fb, { action: 'escalate', toLevel: 'group' })])).toEqual(['accepted'])
    expect(await statuses(who.wang, [event(who.wang, fb, { action: 'escalate', toLevel: 'community' })])).toEqual(['accepted'])
    expect(await statuses(who.liu, [event(who.liu, fb, { action: 'resolve', atLevel: 'community' })])).toEqual(['accepted'])

    const view = foldFeedback(await pullAll(who.zhang)).get(fb.id)!
    expect(view).toMatchObject({ status: 'resolved', currentLevel: 'community', resolvedLevel: 'community', resolvedBy: who.liu.user.id })
    expect(view.timeline.map((e) => e.action)).toEqual(['raise', 'escalate', 'escalate', 'resolve'])
    expect(view.timeline.every((e) => e.effective)).toBe(true)
  })

  it('refuses escalation from the district, and acting above one’s own level', async () => {
    const fb = feedback(who.zhang, B01)
    await statuses(who.zhang, [fb])
    expect(await statuses(who.wang, [event(who.wang, fb, { action: 'escalate', toLevel: 'community' })])).toEqual(['accepted'])
    expect(await statuses(who.liu, [event(who.liu, fb, { action: 'escalate', toLevel: 'street' })])).toEqual(['accepted'])
    expect(await statuses(who.chen, [event(who.chen, fb, { action: 'escalate', toLevel: 'district' })])).toEqual(['accepted'])
    // nothing is above the district
    expect(await statuses(who.yang, [event(who.yang, fb, { action: 'escalate', toLevel: 'district' })])).toEqual(['rejected:cannot_escalate:body.toLevel'])
    // a building leader cannot resolve as the community, nor a group leader send it to the street
    expect(await statuses(who.zhang, [event(who.zhang, fb, { action: 'resolve', atLevel: 'community' })])).toEqual(['rejected:wrong_level:body.atLevel'])
    expect(await statuses(who.wang, [event(who.wang, fb, { action: 'escalate', toLevel: 'street' })])).toEqual(['rejected:wrong_level:body.toLevel'])
    // the district resolves it
    expect(await statuses(who.yang, [event(who.yang, fb, { action: 'resolve', atLevel: 'district' })])).toEqual(['accepted'])
  })
})

describe('who may act where', () => {
  it('a building leader cannot add events to feedback outside their buildings', async () => {
    const other = feedback(who.wang, B03)
    expect(await statuses(who.wang, [other])).toEqual(['accepted'])
    // placed where the feedback is: not one of their buildings
    expect(await statuses(who.zhang, [event(who.zhang, other, { action: 'comment' })])).toEqual(['rejected:out_of_scope:orgPath'])
    // placed on their own building to slip in: the event must sit where its feedback sits
    expect(await statuses(who.zhang, [event(who.zhang, other, { action: 'comment' }, B01)])).toEqual(['rejected:out_of_scope:orgPath'])
    // another community's building leader cannot touch it either
    expect(await statuses(who.li, [event(who.li, other, { action: 'comment' }, ZYL_B01)])).toEqual(['rejected:out_of_scope:orgPath'])
    // and nothing of those refusals reached the log
    expect(foldFeedback(await pullAll(who.wang)).get(other.id)!.timeline).toHaveLength(1)
  })

  it('a group leader pulls only their group’s items; community staff see nothing of another community', async () => {
    const inGroup = feedback(who.zhang, B01)
    const otherGroup = feedback(who.liu, G02)
    const otherCommunity = feedback(who.li, ZYL_B01)
    await statuses(who.zhang, [inGroup])
    await statuses(who.liu, [otherGroup])
    await statuses(who.li, [otherCommunity])
    await statuses(who.zhang, [event(who.zhang, inGroup, { action: 'escalate', toLevel: 'group' })])

    const ids = async (by: LoginResponse) => (await pullAll(by)).filter((r) => r.type === 'feedback').map((r) => r.id)
    expect(await ids(who.wang)).toEqual([inGroup.id])
    expect((await ids(who.liu)).sort()).toEqual([inGroup.id, otherGroup.id].sort())
    expect(await ids(who.zyl)).toEqual([otherCommunity.id])
    // the escalation travels with the item: the group leader has it, 状元楼 staff do not
    expect((await pullAll(who.wang)).filter((r) => r.type === 'feedback.event')).toHaveLength(1)
    expect((await pullAll(who.zyl)).some((r) => r.type === 'feedback.event')).toBe(false)
    // nor may they act on it
    expect(await statuses(who.zyl, [event(who.zyl, inGroup, { action: 'comment' })])).toEqual(['rejected:out_of_scope:orgPath'])
  })
})

describe('bad input is refused in plain words', () => {
  it('empty description, unknown category, an event for a feedback that does not exist', async () => {
    const [empty, unknown, ghost] = await results(who.zhang, [
      feedback(who.zhang, B01, { description: '   ' }),
      feedback(who.zhang, B01, { category: 'weather' }),
      event(who.zhang, { id: uuidv7(), orgPath: B01 }, { action: 'comment' }),
    ])
    expect(empty).toMatchObject({ status: 'rejected', code: 'required', path: 'body.description', reason: '有必填项未填写' })
    expect(unknown).toMatchObject({ status: 'rejected', code: 'bad_value', path: 'body.category', reason: '填写的内容不正确' })
    expect(ghost).toMatchObject({ status: 'rejected', code: 'unknown_target', path: 'body.feedback', reason: '要更改的记录不存在' })
    const [en] = await results(who.zhang, [feedback(who.zhang, B01, { description: '' })], 'en')
    expect(en).toMatchObject({ code: 'required', reason: 'A required field is empty' })
    expect(await pullAll(who.zhang)).toEqual([])
  })
})
