import { describe, expect, it } from 'vitest'
import type { Level } from '@shared/org'
import {
  availableActions,
  checkFeedback,
  checkFeedbackEvent,
  feedbackEventBody,
  feedbackMetrics,
  foldFeedback,
  handlingLevelOf,
  inboxFor,
  nextLevel,
  raisedBy,
  type FeedbackView,
} from '@shared/feedback'
import { checkRecordShape, type AnyRecord, type FeedbackEventBody } from '@shared/records'
import { monthRange } from '@shared/time'
import { uuidv7 } from '@shared/ids'

// Omit over each action's own shape, not over their union (which would keep only the shared keys).
type EventInput = FeedbackEventBody extends infer T ? (T extends unknown ? Omit<T, 'feedback'> : never) : never

const B01 = 'pl/tuodong/mingtongxiang/g01/b01'
const B02 = 'pl/tuodong/mingtongxiang/g01/b02'
const G02B01 = 'pl/tuodong/mingtongxiang/g02/b01'

/** Someone at `level` who did not raise the feedback under test. */
const actor = (level: Level) => ({ id: `u-other-${level}`, level })

let n = 0
function rec(type: AnyRecord['type'], body: unknown, extra: Partial<AnyRecord> = {}): AnyRecord {
  n++
  return {
    id: `r${String(n).padStart(4, '0')}`,
    type,
    v: 1,
    orgPath: B01,
    authorId: 'u-building',
    deviceId: 'd1',
    clientTime: '2026-11-27T10:00:00.000Z',
    body,
    ...extra,
  } as AnyRecord
}

const raise = (id: string, extra: Partial<AnyRecord> = {}, body: Record<string, unknown> = {}) =>
  rec(
    'feedback',
    { category: 'repair', description: '3 单元楼道灯坏了', household: '3-5-2', urgency: 'normal', channel: 'visit', raisedAt: '2026-11-27T09:00:00.000Z', ...body },
    { id, ...extra },
  )

const ev = (feedback: string, body: EventInput, extra: Partial<AnyRecord> = {}) =>
  rec('feedback.event', { feedback, ...body }, extra)

const escalate = (feedback: string, toLevel: string, extra: Partial<AnyRecord> = {}) =>
  ev(feedback, { action: 'escalate', toLevel, text: '需要上级协调' } as EventInput, extra)
const resolve = (feedback: string, atLevel: string, extra: Partial<AnyRecord> = {}) =>
  ev(feedback, { action: 'resolve', atLevel, text: '已联系物业修好' } as EventInput, extra)
const reopen = (feedback: string, extra: Partial<AnyRecord> = {}) => ev(feedback, { action: 'reopen', text: '住户说又坏了' }, extra)
const comment = (feedback: string, extra: Partial<AnyRecord> = {}) => ev(feedback, { action: 'comment', text: '已上门看过' }, extra)

describe('feedback records', () => {
  const envelope = (type: string, body: unknown, orgPath = B01) => ({
    id: uuidv7(),
    type,
    v: 1,
    orgPath,
    authorId: 'u1',
    deviceId: 'd1',
    clientTime: '2026-11-27T10:00:00.000Z',
    body,
  })
  const good = { category: 'environment', description: '垃圾桶满了', urgency: 'urgent', channel: 'reading', source: { type: 'reading.session', id: uuidv7() }, raisedAt: '2026-11-27T09:00:00+08:00' }

  it('accepts a well-formed feedback and refuses empty, unknown and extra fields with message codes', () => {
    expect(checkRecordShape(envelope('feedback', good)).ok).toBe(true)
    expect(checkRecordShape(envelope('feedback', { ...good, description: '   ' }))).toEqual({ ok: false, issue: { code: 'required', path: 'body.description' } })
    expect(checkRecordShape(envelope('feedback', { ...good, description: '字'.repeat(2001) }))).toEqual({ ok: false, issue: { code: 'text_too_long', path: 'body.description', max: 2000 } })
    expect(checkRecordShape(envelope('feedback', { ...good, category: 'weather' }))).toEqual({ ok: false, issue: { code: 'bad_value', path: 'body.category' } })
    expect(checkRecordShape(envelope('feedback', { ...good, channel: 'fax' }))).toMatchObject({ ok: false, issue: { path: 'body.channel' } })
    expect(checkRecordShape(envelope('feedback', { ...good, status: 'resolved' })).ok).toBe(false)
    expect(checkRecordShape(envelope('feedback', { ...good, source: { type: 'visit', id: uuidv7(), extra: 1 } })).ok).toBe(false)
  })

  it('never alters what it checks (the content hash depends on it)', () => {
    const body = { ...good, description: '  有空格  ' }
    const res = checkRecordShape(envelope('feedback', body))
    expect(res.ok && res.record.body).toEqual(body)
  })

  it('names a household only on feedback that belongs to a building', () => {
    const body = checkRecordShape(envelope('feedback', { ...good, household: '1-2-3' }))
    expect(body.ok).toBe(true)
    const fb = { body: { ...good, household: '1-2-3' } } as unknown as { orgPath: string; body: AnyRecord<'feedback'>['body'] }
    expect(checkFeedback({ ...fb, orgPath: B01 })).toBeNull()
    expect(checkFeedback({ ...fb, orgPath: 'pl/tuodong/zhuangyuanlou/g01/rp-tiyu' })).toEqual({ code: 'unknown_household', path: 'body.household' })
    expect(checkFeedback({ ...fb, orgPath: 'pl/tuodong/zhuangyuanlou/g01' })).toEqual({ code: 'unknown_household', path: 'body.household' })
  })

  it('checks each event action for its own fields', () => {
    const fid = uuidv7()
    const e = (body: Record<string, unknown>) => checkRecordShape(envelope('feedback.event', { feedback: fid, text: '原因', ...body }))
    expect(e({ action: 'comment' }).ok).toBe(true)
    expect(e({ action: 'escalate', toLevel: 'group' }).ok).toBe(true)
    expect(e({ action: 'resolve', atLevel: 'building' }).ok).toBe(true)
    expect(e({ action: 'reopen' }).ok).toBe(true)
    expect(e({ action: 'escalate' })).toMatchObject({ ok: false, issue: { path: 'body.toLevel' } })
    expect(e({ action: 'escalate', toLevel: 'building' })).toEqual({ ok: false, issue: { code: 'cannot_escalate', path: 'body.toLevel' } })
    expect(e({ action: 'escalate', toLevel: 'province' })).toEqual({ ok: false, issue: { code: 'cannot_escalate', path: 'body.toLevel' } })
    expect(e({ action: 'comment', toLevel: 'group' }).ok).toBe(false)
    expect(e({ action: 'resolve' })).toMatchObject({ ok: false, issue: { path: 'body.atLevel' } })
    expect(e({ action: 'approve' })).toEqual({ ok: false, issue: { code: 'bad_value', path: 'body.action' } })
    expect(e({ action: 'reopen', text: ' ' })).toEqual({ ok: false, issue: { code: 'required', path: 'body.text' } })
    expect(checkRecordShape(envelope('feedback.event', { feedback: 'nope', action: 'comment', text: 'x' }))).toMatchObject({ ok: false, issue: { code: 'bad_id', path: 'body.feedback' } })
  })
})

describe('levels', () => {
  it('goes up one level at a time and stops at the district', () => {
    expect(nextLevel('building')).toBe('group')
    expect(nextLevel('group')).toBe('community')
    expect(nextLevel('street')).toBe('district')
    expect(nextLevel('district')).toBeNull()
  })

  it('handles reading-point feedback at the level of the node the point belongs to', () => {
    expect(handlingLevelOf(B01)).toBe('building')
    expect(handlingLevelOf('pl/tuodong/zhuangyuanlou/g01/rp-tiyu')).toBe('group')
    expect(handlingLevelOf('pl/tuodong/zhuangyuanlou/rp-jinzhi')).toBe('community')
    expect(handlingLevelOf('pl/tuodong/zhuangyuanlou')).toBe('community')
  })
})

describe('foldFeedback', () => {
  it('raise → escalate → escalate → resolve: resolved at community level, every step in the timeline', () => {
    const f = foldFeedback([
      raise('f', { seq: 1 }),
      escalate('f', 'group', { seq: 2 }),
      comment('f', { seq: 3, authorId: 'u-group' }),
      escalate('f', 'community', { seq: 4, authorId: 'u-group', clientTime: '2026-11-28T10:00:00.000Z' }),
      resolve('f', 'community', { seq: 5, authorId: 'u-community', clientTime: '2026-11-30T10:00:00.000Z' }),
    ]).get('f')!
    expect(f).toMatchObject({
      status: 'resolved',
      originLevel: 'building',
      currentLevel: 'community',
      resolvedLevel: 'community',
      resolvedBy: 'u-community',
      resolvedAt: '2026-11-30T10:00:00.000Z',
      resolution: '已联系物业修好',
      levelSince: '2026-11-28T10:00:00.000Z',
      reopenCount: 0,
    })
    expect(f.timeline.map((t) => [t.action, t.effective, t.level, t.status])).toEqual([
      ['raise', true, 'building', 'open'],
      ['escalate', true, 'group', 'open'],
      ['comment', true, 'group', 'open'],
      ['escalate', true, 'community', 'open'],
      ['resolve', true, 'community', 'resolved'],
    ])
  })

  // The item sits at building level and is synced. Offline, the building leader resolves it while
  // the group leader takes it up to the group. Both events are accepted; server order decides.
  const concurrent = (resolveSeq: number, escalateSeq: number) =>
    foldFeedback([
      raise('f', { seq: 1 }),
      resolve('f', 'building', { id: 'e-resolve', seq: resolveSeq, authorId: 'u-building' }),
      escalate('f', 'group', { id: 'e-escalate', seq: escalateSeq, authorId: 'u-group' }),
    ]).get('f')!

  it('concurrent offline resolve and escalate, resolve reaches the server first: resolved at building level, the escalation kept but not effective', () => {
    const f = concurrent(2, 3)
    expect(f.status).toBe('resolved')
    expect(f.resolvedLevel).toBe('building')
    expect(f.currentLevel).toBe('building')
    expect(f.timeline.map((t) => [t.recordId, t.effective, t.reason])).toEqual([
      ['f', true, undefined],
      ['e-resolve', true, undefined],
      ['e-escalate', false, 'already_resolved'],
    ])
  })

  it('concurrent offline resolve and escalate, escalation reaches the server first: the building resolve arrives after the item left the building and has no effect', () => {
    const f = concurrent(3, 2)
    expect(f.status).toBe('open')
    expect(f.currentLevel).toBe('group')
    expect(f.resolvedLevel).toBeUndefined()
    expect(f.timeline.map((t) => [t.recordId, t.effective, t.reason, t.heldBy])).toEqual([
      ['f', true, undefined, undefined],
      ['e-escalate', true, undefined, undefined],
      ['e-resolve', false, 'held_elsewhere', 'group'],
    ])
    // the author's claimed level stays visible in the timeline
    expect(f.timeline[2]!.atLevel).toBe('building')
  })

  it('two concurrent escalations to the same level: the first in server order counts, the second is superseded', () => {
    const f = foldFeedback([
      raise('f', { seq: 1 }),
      escalate('f', 'group', { id: 'a', seq: 2 }),
      escalate('f', 'group', { id: 'b', seq: 3, authorId: 'u-group' }),
    ]).get('f')!
    expect(f.currentLevel).toBe('group')
    expect(f.timeline.map((t) => [t.recordId, t.effective, t.reason])).toEqual([
      ['f', true, undefined],
      ['a', true, undefined],
      ['b', false, 'superseded'],
    ])
  })

  it('reopens after a resolve at the same level, and a later resolve closes it again', () => {
    const records = [
      raise('f', { seq: 1 }),
      escalate('f', 'group', { seq: 2 }),
      resolve('f', 'group', { seq: 3, authorId: 'u-group' }),
      reopen('f', { seq: 4 }),
    ]
    const reopened = foldFeedback(records).get('f')!
    expect(reopened).toMatchObject({ status: 'open', currentLevel: 'group', reopenCount: 1 })
    expect(reopened.resolvedAt).toBeUndefined()
    expect(reopened.resolvedLevel).toBeUndefined()
    const again = foldFeedback([...records, resolve('f', 'group', { seq: 5, clientTime: '2026-12-02T00:00:00.000Z' })]).get('f')!
    expect(again).toMatchObject({ status: 'resolved', resolvedLevel: 'group', resolvedAt: '2026-12-02T00:00:00.000Z', reopenCount: 1 })
  })

  it('keeps a reopen of an open item and a second resolve in the timeline without effect', () => {
    const f = foldFeedback([raise('f', { seq: 1 }), reopen('f', { seq: 2 }), resolve('f', 'building', { seq: 3 }), resolve('f', 'building', { seq: 4 })]).get('f')!
    expect(f.timeline.map((t) => t.reason)).toEqual([undefined, 'not_resolved', undefined, 'already_resolved'])
    expect(f.reopenCount).toBe(0)
  })

  it('applies unsynced events after synced ones, whatever their ids or clocks', () => {
    // The unsynced escalation was made first on this device (smaller UUIDv7) and its clock is later
    // than the synced one's; still the synced resolve came first in server order.
    const f = foldFeedback([
      escalate('f', 'group', { id: '0000-local' , clientTime: '2035-01-01T00:00:00.000Z' }),
      raise('f', { seq: 1 }),
      resolve('f', 'building', { id: 'zzzz-synced', seq: 7 }),
    ]).get('f')!
    expect(f.timeline.map((t) => t.recordId)).toEqual(['f', 'zzzz-synced', '0000-local'])
    expect(f.status).toBe('resolved')
    expect(f.resolvedLevel).toBe('building')
    expect(f.timeline[2]).toMatchObject({ effective: false, reason: 'already_resolved' })
  })

  it('escalation above the district never takes effect', () => {
    const records = [raise('f', { seq: 1 }), ...(['group', 'community', 'street', 'district'] as const).map((l, i) => escalate('f', l, { seq: i + 2 }))]
    const atDistrict = foldFeedback(records).get('f')!
    expect(atDistrict.currentLevel).toBe('district')
    const again = foldFeedback([...records, escalate('f', 'district', { seq: 9 })]).get('f')!
    expect(again.currentLevel).toBe('district')
    expect(again.timeline.at(-1)).toMatchObject({ effective: false, reason: 'superseded' })
  })

  it('ignores events of another orgPath, events waiting for their feedback, and voids and corrections', () => {
    const views = foldFeedback([
      raise('f', { seq: 1 }),
      escalate('f', 'group', { seq: 2, orgPath: B02 }),
      escalate('missing', 'group', { seq: 3 }),
      rec('void', { target: 'f', reason: '不要了' }, { seq: 4 }),
    ])
    expect(views.size).toBe(1)
    const f = views.get('f')!
    expect(f.currentLevel).toBe('building')
    expect(f.timeline).toHaveLength(1)
    expect(f.status).toBe('open')
  })

  it('starts reading-point feedback at the level the point belongs to', () => {
    const f = foldFeedback([raise('f', { seq: 1, orgPath: 'pl/tuodong/zhuangyuanlou/g01/rp-tiyu' }, { household: undefined, channel: 'reading' })]).get('f')!
    expect(f.originLevel).toBe('group')
    expect(f.currentLevel).toBe('group')
  })
})

describe('checks before saving and accepting events', () => {
  const view = (records: AnyRecord[]) => foldFeedback(records).get('f')
  const base = [raise('f', { seq: 1 })]
  const event = (body: EventInput, orgPath = B01) => ({ orgPath, body: { feedback: 'f', ...body } as FeedbackEventBody })

  it('refuses events for an unknown feedback and events outside its orgPath', () => {
    expect(checkFeedbackEvent(event({ action: 'comment', text: 'x' }), undefined)).toEqual({ code: 'unknown_target', path: 'body.feedback' })
    expect(checkFeedbackEvent(event({ action: 'comment', text: 'x' }, B02), view(base))).toEqual({ code: 'out_of_scope', path: 'orgPath' })
    expect(checkFeedbackEvent(event({ action: 'comment', text: 'x' }), view(base))).toBeNull()
  })

  it('refuses an escalation from the district, and to a level not above where it started', () => {
    // a district staffer cannot pass anything up
    expect(checkFeedbackEvent(event({ action: 'escalate', toLevel: 'district', text: 'x' }), view(base), actor('district'))).toEqual({ code: 'cannot_escalate', path: 'body.toLevel' })
    // feedback raised at the district itself has nowhere to go
    const districtView = view([raise('f', { seq: 1, orgPath: 'pl' }, { household: undefined })])
    expect(checkFeedbackEvent(event({ action: 'escalate', toLevel: 'district', text: 'x' }, 'pl'), districtView)).toEqual({ code: 'cannot_escalate', path: 'body.toLevel' })
    // a group's feedback cannot be "escalated" to the group
    const groupView = view([raise('f', { seq: 1, orgPath: 'pl/tuodong/mingtongxiang/g01' }, { household: undefined })])
    expect(checkFeedbackEvent(event({ action: 'escalate', toLevel: 'group', text: 'x' }, 'pl/tuodong/mingtongxiang/g01'), groupView)).toMatchObject({ code: 'cannot_escalate' })
  })

  it('lets an author pass up to the level above, or take up to their own, never skip; resolutions claim the author level', () => {
    const v = view(base)
    expect(checkFeedbackEvent(event({ action: 'escalate', toLevel: 'group', text: 'x' }), v, actor('building'))).toBeNull()
    expect(checkFeedbackEvent(event({ action: 'escalate', toLevel: 'group', text: 'x' }), v, actor('group'))).toBeNull()
    expect(checkFeedbackEvent(event({ action: 'escalate', toLevel: 'community', text: 'x' }), v, actor('building'))).toEqual({ code: 'wrong_level', path: 'body.toLevel' })
    expect(checkFeedbackEvent(event({ action: 'resolve', atLevel: 'building', text: 'x' }), v, actor('building'))).toBeNull()
    expect(checkFeedbackEvent(event({ action: 'resolve', atLevel: 'community', text: 'x' }), v, actor('building'))).toEqual({ code: 'wrong_level', path: 'body.atLevel' })
  })

  it('accepts a stale but honest event on the server: concurrency is for the fold to settle', () => {
    // on the server the item is already resolved and at group; a late offline escalation is still accepted
    const v = view([...base, escalate('f', 'group', { seq: 2 }), resolve('f', 'group', { seq: 3 })])
    expect(checkFeedbackEvent(event({ action: 'escalate', toLevel: 'group', text: 'x' }), v, actor('building'))).toBeNull()
    expect(checkFeedbackEvent(event({ action: 'resolve', atLevel: 'building', text: 'x' }), v, actor('building'))).toBeNull()
  })

  it('builds event bodies on the device only for what the current state allows', () => {
    const open = view(base)!
    expect(feedbackEventBody(open, 'escalate', '  楼栋长处理不了  ', actor('building'))).toEqual({
      ok: true,
      body: { feedback: 'f', action: 'escalate', text: '楼栋长处理不了', toLevel: 'group' },
    })
    expect(feedbackEventBody(open, 'resolve', '修好了', actor('building'))).toEqual({ ok: true, body: { feedback: 'f', action: 'resolve', text: '修好了', atLevel: 'building' } })
    expect(feedbackEventBody(open, 'resolve', '修好了', actor('community'))).toMatchObject({ ok: false, issue: { code: 'wrong_level' } })
    expect(feedbackEventBody(open, 'reopen', '没修好', actor('building'))).toMatchObject({ ok: false, issue: { code: 'not_resolved' } })
    expect(feedbackEventBody(open, 'comment', '   ', actor('building'))).toEqual({ ok: false, issue: { code: 'required', path: 'body.text' } })
    const atDistrict = view([...base, ...(['group', 'community', 'street', 'district'] as const).map((l, i) => escalate('f', l, { seq: i + 2 }))])!
    expect(feedbackEventBody(atDistrict, 'escalate', '再往上', actor('district'))).toMatchObject({ ok: false, issue: { code: 'cannot_escalate' } })
    const resolved = view([...base, resolve('f', 'building', { seq: 2 })])!
    expect(feedbackEventBody(resolved, 'resolve', '再办一次', actor('building'))).toMatchObject({ ok: false, issue: { code: 'already_resolved' } })
    expect(feedbackEventBody(resolved, 'reopen', '住户不满意', actor('building'))).toMatchObject({ ok: true })
  })

  it('offers each role the actions that fit the current state', () => {
    const open = view(base)!
    expect(availableActions(open, actor('building'))).toEqual(['comment', 'escalate', 'resolve'])
    expect(availableActions(open, actor('group'))).toEqual(['comment', 'escalate'])
    expect(availableActions(open, actor('community'))).toEqual(['comment'])
    const atGroup = view([...base, escalate('f', 'group', { seq: 2 })])!
    expect(availableActions(atGroup, actor('building'))).toEqual(['comment'])
    expect(availableActions(atGroup, actor('group'))).toEqual(['comment', 'escalate', 'resolve'])
    const atDistrict = view([...base, ...(['group', 'community', 'street', 'district'] as const).map((l, i) => escalate('f', l, { seq: i + 2 }))])!
    expect(availableActions(atDistrict, actor('district'))).toEqual(['comment', 'resolve'])
    const resolved = view([...base, resolve('f', 'building', { seq: 2 })])!
    // resolved at building level: that level may report back (回访); a group leader may reopen but not report back
    expect(availableActions(resolved, actor('building'))).toEqual(['comment', 'reopen', 'report_back'])
    expect(availableActions(resolved, actor('group'))).toEqual(['comment', 'reopen'])
  })
})

describe('inbox', () => {
  const views = foldFeedback([
    raise('old', { seq: 1 }, { raisedAt: '2026-11-01T00:00:00.000Z' }),
    raise('new', { seq: 2 }, { raisedAt: '2026-11-20T00:00:00.000Z' }),
    raise('urgent', { seq: 3, orgPath: B02 }, { raisedAt: '2026-11-25T00:00:00.000Z', urgency: 'urgent' }),
    raise('done', { seq: 4 }, { raisedAt: '2026-11-05T00:00:00.000Z' }),
    resolve('done', 'building', { seq: 5 }),
    raise('up', { seq: 6 }, { raisedAt: '2026-11-10T00:00:00.000Z' }),
    escalate('up', 'group', { seq: 7 }),
    raise('elsewhere', { seq: 8, orgPath: G02B01, authorId: 'u-other' }),
    raise('rp', { seq: 9, orgPath: 'pl/tuodong/mingtongxiang/g01/rp-tiyu', authorId: 'u-group' }, { household: undefined, raisedAt: '2026-11-15T00:00:00.000Z' }),
  ])

  it("shows a building leader the open items waiting at building level in their buildings, urgent then oldest first", () => {
    expect(inboxFor(views, { level: 'building', scopes: [B01, B02] }).map((f) => f.id)).toEqual(['urgent', 'old', 'new'])
    expect(inboxFor(views, { level: 'building', scopes: [B02] }).map((f) => f.id)).toEqual(['urgent'])
  })

  it('shows a group leader what was escalated to the group and what was raised at its reading points, not other groups', () => {
    expect(inboxFor(views, { level: 'group', scopes: ['pl/tuodong/mingtongxiang/g01'] }).map((f) => f.id)).toEqual(['up', 'rp'])
    expect(inboxFor(views, { level: 'group', scopes: ['pl/tuodong/mingtongxiang/g02'] })).toEqual([])
    expect(inboxFor(views, { level: 'community', scopes: ['pl/tuodong/mingtongxiang'] })).toEqual([])
  })

  it('lists what a user raised, newest first', () => {
    expect(raisedBy(views, 'u-other').map((f) => f.id)).toEqual(['elsewhere'])
    expect(raisedBy(views, 'u-building').map((f) => f.id)).toEqual(['urgent', 'new', 'up', 'done', 'old'])
  })
})

describe('feedbackMetrics', () => {
  const HOUR = 3_600_000
  // 2026-11-30T16:30Z is 1 December 00:30 in Shanghai; 15:59:59Z is still 30 November.
  const views = foldFeedback([
    raise('nov', { seq: 1 }, { raisedAt: '2026-11-30T15:59:59.000Z' }),
    resolve('nov', 'building', { seq: 2, clientTime: '2026-12-01T02:00:00.000Z' }),
    raise('d1', { seq: 3 }, { raisedAt: '2026-11-30T16:30:00.000Z' }),
    resolve('d1', 'building', { seq: 4, clientTime: '2026-11-30T18:30:00.000Z' }), // 2 h
    raise('d2', { seq: 5 }, { raisedAt: '2026-12-10T00:00:00.000Z' }),
    escalate('d2', 'group', { seq: 6 }),
    resolve('d2', 'group', { seq: 7, clientTime: '2026-12-10T04:00:00.000Z' }), // 4 h
    raise('d3', { seq: 8 }, { raisedAt: '2026-12-11T00:00:00.000Z' }),
    escalate('d3', 'group', { seq: 9 }),
    escalate('d3', 'community', { seq: 10 }),
    resolve('d3', 'community', { seq: 11, clientTime: '2026-12-13T00:00:00.000Z' }), // 48 h
    raise('d4', { seq: 12 }, { raisedAt: '2026-12-20T00:00:00.000Z' }),
    escalate('d4', 'group', { seq: 13 }),
    raise('jan', { seq: 14 }, { raisedAt: '2026-12-31T16:00:00.000Z' }),
  ])

  it('counts feedback by the Asia/Shanghai month it was raised in, with the seed’s shares', () => {
    const dec = feedbackMetrics(views, monthRange('2026-12'))
    expect(dec).toEqual({
      collected: 4,
      resolved: 3,
      open: 1,
      resolutionRate: 3 / 4,
      resolvedByLevel: { district: 0, street: 0, community: 1, group: 1, building: 1 },
      selfGovernanceShare: 2 / 3,
      medianResolutionMs: 4 * HOUR,
      openByLevel: { district: 0, street: 0, community: 0, group: 1, building: 0 },
      // 'nov' was resolved in December too
      resolvedInPeriod: 4,
    })
    const nov = feedbackMetrics(views, monthRange('2026-11'))
    expect(nov).toMatchObject({ collected: 1, resolved: 1, resolvedInPeriod: 0, selfGovernanceShare: 1 })
    expect(feedbackMetrics(views, monthRange('2027-01'))).toMatchObject({ collected: 1, resolved: 0, resolutionRate: 0, selfGovernanceShare: null, medianResolutionMs: null })
  })

  it('answers nulls, not NaN, for an empty period and accepts ISO bounds', () => {
    expect(feedbackMetrics(views, { from: '2020-01-01T00:00:00Z', to: '2020-02-01T00:00:00Z' })).toMatchObject({
      collected: 0,
      resolutionRate: null,
      selfGovernanceShare: null,
      medianResolutionMs: null,
    })
  })

  it('never reports a negative time to resolution from a wrong device clock', () => {
    const v = foldFeedback([raise('f', { seq: 1 }, { raisedAt: '2026-12-05T00:00:00.000Z' }), resolve('f', 'building', { seq: 2, clientTime: '1990-01-01T00:00:00.000Z' })])
    expect(feedbackMetrics(v as Map<string, FeedbackView>, monthRange('2026-12')).medianResolutionMs).toBe(0)
  })
})
