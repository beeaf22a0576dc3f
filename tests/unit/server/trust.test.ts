/**
 * Records the office can trust, through the real push and pull routes: only the
 * level holding a feedback acts on it, amendments come from the author or above,
 * references point at readable records and a referred id stays its author's,
 * and no time before 2020 enters the log.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { B01, bearer, login, PHONES, push, setup, visit, voidOf, correctionOf, ZYL_B01, type TestEnv } from './helpers'
import { uuidv7 } from '../../../src/shared/ids'
import { foldFeedback } from '../../../src/shared/feedback'
import type { AnyRecord, LocalRecord, RecordType } from '../../../src/shared/records'
import type { LoginResponse, PullResponse, PushResult } from '../../../src/shared/protocol'

const RP = 'pl/tuodong/zhuangyuanlou/g01/rp-tiyu'

let env: TestEnv
const who = {} as Record<'zhang' | 'li' | 'wang' | 'zhao' | 'liu' | 'chen' | 'yang', LoginResponse>

beforeEach(async () => {
  env = await setup()
  for (const k of ['zhang', 'li', 'wang', 'liu', 'chen', 'yang'] as const) who[k] = await login(env.app, PHONES[k])
  who.zhao = await login(env.app, '13800000012') // group leader of 状元楼 g01, runs its reading points
})
afterEach(async () => {
  await env.close()
})

function rec<T extends RecordType>(by: LoginResponse, type: T, orgPath: string, body: unknown, id = uuidv7()): LocalRecord<T> {
  return { id, type, v: 1, orgPath, authorId: by.user.id, deviceId: 'dev', clientTime: '2026-05-01T09:30:00.000Z', body } as LocalRecord<T>
}

const feedback = (by: LoginResponse, orgPath: string, extra: Record<string, unknown> = {}) =>
  rec(by, 'feedback', orgPath, { category: 'repair', description: '楼道灯坏了', urgency: 'normal', channel: 'visit', raisedAt: '2026-05-01T08:55:00.000Z', ...extra })

const event = (by: LoginResponse, fb: LocalRecord<'feedback'>, action: Record<string, unknown>) =>
  rec(by, 'feedback.event', fb.orgPath, { feedback: fb.id, text: '处理说明', ...action })

const session = (by: LoginResponse, id?: string) =>
  rec(by, 'reading.session', RP, { startedAt: '2026-05-01T08:30:00.000Z', endedAt: '2026-05-01T09:00:00.000Z', reader: '赵丽华', materials: ['人民日报'], headCount: 25, households: [], notes: '' }, id)

async function results(by: LoginResponse, records: unknown[]): Promise<PushResult[]> {
  const res = await push(env.app, by.token, records)
  expect(res.statusCode, res.body).toBe(200)
  return res.json<{ results: PushResult[] }>().results
}

async function statuses(by: LoginResponse, records: unknown[]): Promise<string[]> {
  return (await results(by, records)).map((r) => (r.status === 'rejected' ? `rejected:${r.code}` : r.status))
}

async function pullAll(by: LoginResponse): Promise<AnyRecord[]> {
  const res = await env.app.inject({ url: '/api/v1/sync/pull?after=0&limit=2000', headers: bearer(by.token) })
  return res.json<PullResponse>().records
}

describe('feedback levels', () => {
  it('a building resolve pushed after the item went up to the district is kept without effect, and says why', async () => {
    const fb = feedback(who.zhang, B01)
    expect(await statuses(who.zhang, [fb])).toEqual(['accepted'])
    expect(await statuses(who.wang, [event(who.wang, fb, { action: 'escalate', toLevel: 'group' }), event(who.wang, fb, { action: 'escalate', toLevel: 'community' })])).toEqual(['accepted', 'accepted'])
    expect(await statuses(who.liu, [event(who.liu, fb, { action: 'escalate', toLevel: 'street' })])).toEqual(['accepted'])
    expect(await statuses(who.chen, [event(who.chen, fb, { action: 'escalate', toLevel: 'district' })])).toEqual(['accepted'])
    // the reproduction of the issue: the building leader resolves at building level
    const late = event(who.zhang, fb, { action: 'resolve', atLevel: 'building' })
    expect(await statuses(who.zhang, [late])).toEqual(['accepted'])
    // claiming another level is refused outright
    expect(await statuses(who.zhang, [event(who.zhang, fb, { action: 'resolve', atLevel: 'district' })])).toEqual(['rejected:wrong_level'])

    const view = foldFeedback(await pullAll(who.yang)).get(fb.id)!
    expect(view.status).toBe('open')
    expect(view.currentLevel).toBe('district')
    const entry = view.timeline.find((t) => t.recordId === late.id)!
    expect(entry).toMatchObject({ effective: false, reason: 'held_elsewhere', heldBy: 'district' })

    // the district, which holds it, resolves it
    expect(await statuses(who.yang, [event(who.yang, fb, { action: 'resolve', atLevel: 'district' })])).toEqual(['accepted'])
    expect(foldFeedback(await pullAll(who.yang)).get(fb.id)).toMatchObject({ status: 'resolved', resolvedLevel: 'district', resolvedBy: who.yang.user.id })
  })

  it('the raiser, or the resolving level and above, may reopen; a lower level that did not raise it may not', async () => {
    const fb = feedback(who.zhang, B01)
    await results(who.zhang, [fb])
    await results(who.wang, [event(who.wang, fb, { action: 'escalate', toLevel: 'group' }), event(who.wang, fb, { action: 'escalate', toLevel: 'community' })])
    await results(who.liu, [event(who.liu, fb, { action: 'resolve', atLevel: 'community' })])
    expect(await statuses(who.wang, [event(who.wang, fb, { action: 'reopen' })])).toEqual(['rejected:cannot_reopen'])
    expect(await statuses(who.zhang, [event(who.zhang, fb, { action: 'reopen' })])).toEqual(['accepted'])
    expect(foldFeedback(await pullAll(who.liu)).get(fb.id)).toMatchObject({ status: 'open', currentLevel: 'community', reopenCount: 1 })
    // reopened: the street above may resolve nothing it does not hold, but the community resolves and the street may reopen
    await results(who.liu, [event(who.liu, fb, { action: 'resolve', atLevel: 'community' })])
    expect(await statuses(who.chen, [event(who.chen, fb, { action: 'reopen' })])).toEqual(['accepted'])
  })
})

describe('authorship of corrections and voids', () => {
  it("a building leader cannot void or correct the group leader's visit; the group leader may mend the building leader's", async () => {
    const groupVisit = visit(who.wang.user.id)
    const leaderVisit = visit(who.zhang.user.id)
    expect(await statuses(who.wang, [groupVisit])).toEqual(['accepted'])
    expect(await statuses(who.zhang, [leaderVisit])).toEqual(['accepted'])
    expect(await statuses(who.zhang, [voidOf(who.zhang.user.id, groupVisit.id), correctionOf(who.zhang.user.id, groupVisit.id)])).toEqual([
      'rejected:not_your_record',
      'rejected:not_your_record',
    ])
    expect(await statuses(who.wang, [correctionOf(who.wang.user.id, leaderVisit.id)])).toEqual(['accepted'])
    expect(await statuses(who.liu, [voidOf(who.liu.user.id, leaderVisit.id)])).toEqual(['accepted'])
    // the author always may
    expect(await statuses(who.wang, [voidOf(who.wang.user.id, groupVisit.id)])).toEqual(['accepted'])
  })

  it("one leader cannot set another's reading session head count from 25 to 0", async () => {
    const s = session(who.zhao)
    expect(await statuses(who.zhao, [s])).toEqual(['accepted'])
    const zero = rec(who.li, 'correction', RP, { target: s.id, targetType: 'reading.session', fields: { headCount: 0 } })
    expect(await statuses(who.li, [zero])).toEqual(['rejected:not_your_record'])
  })
})

describe('references and id claims', () => {
  it('a source that exists must be readable and of the named type', async () => {
    const theirs = visit(who.li.user.id, { orgPath: ZYL_B01 })
    await results(who.li, [theirs])
    const mine = visit(who.zhang.user.id)
    await results(who.zhang, [mine])
    expect(
      await statuses(who.zhang, [
        feedback(who.zhang, B01, { source: { type: 'visit', id: theirs.id } }),
        feedback(who.zhang, B01, { source: { type: 'reading.session', id: mine.id } }),
        feedback(who.zhang, B01, { source: { type: 'visit', id: mine.id } }),
      ]),
    ).toEqual(['rejected:unknown_source', 'rejected:unknown_source', 'accepted'])
  })

  it("a running session's id named by feedback stays its author's: a fake session under it is refused, the real one lands", async () => {
    const sessionId = uuidv7()
    const raised = feedback(who.zhao, RP, { channel: 'reading', source: { type: 'reading.session', id: sessionId } })
    expect(await statuses(who.zhao, [raised])).toEqual(['accepted'])
    // 李 joins the point, pulls the feedback and tries to take the id
    expect((await pullAll(who.li)).some((r) => r.id === raised.id)).toBe(true)
    expect(await statuses(who.li, [session(who.li, sessionId)])).toEqual(['rejected:id_claimed'])
    // nor can another author refer to it as a source of their own
    expect(await statuses(who.li, [feedback(who.li, RP, { channel: 'reading', source: { type: 'reading.session', id: sessionId } })])).toEqual(['rejected:unknown_source'])
    expect(await statuses(who.zhao, [session(who.zhao, sessionId)])).toEqual(['accepted'])
  })

  it('an amendment or event whose target does not exist is refused', async () => {
    expect(await statuses(who.zhang, [voidOf(who.zhang.user.id, uuidv7())])).toEqual(['rejected:unknown_target'])
    const ghost = { id: uuidv7(), orgPath: B01 } as LocalRecord<'feedback'>
    expect(await statuses(who.zhang, [event(who.zhang, ghost, { action: 'comment' })])).toEqual(['rejected:unknown_target'])
  })
})

describe('clocks', () => {
  it('refuses a visit time before 2020 and a device clock more than a day ahead, and accepts the mended record under the same id', async () => {
    const old = visit(who.zhang.user.id, { body: { visitedAt: '1970-01-01T08:00:00.000Z' } })
    expect(await statuses(who.zhang, [old])).toEqual(['rejected:time_too_early'])
    const ahead = visit(who.zhang.user.id, { clientTime: '2026-05-04T10:00:00.000Z', body: { visitedAt: '2026-05-04T09:55:00.000Z' } })
    expect(await statuses(who.zhang, [ahead])).toEqual(['rejected:future_time'])
    const mended = { ...ahead, clientTime: '2026-05-01T10:00:00.000Z', body: { ...ahead.body, visitedAt: '2026-05-01T09:55:00.000Z' } }
    expect(await statuses(who.zhang, [mended])).toEqual(['accepted'])
  })

  it('every answer carries the server clock so devices can learn their offset', async () => {
    const res = await push(env.app, who.zhang.token, [])
    expect(res.json<{ now: string }>().now).toBe(new Date(env.clock.t).toISOString())
    const pulled = await env.app.inject({ url: '/api/v1/sync/pull?after=0', headers: bearer(who.zhang.token) })
    expect(pulled.json<PullResponse>().now).toBe(new Date(env.clock.t).toISOString())
  })
})
