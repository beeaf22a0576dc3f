/**
 * 回访 in the feedback fold: effective only on a resolved item, its time kept
 * between the resolution and the server's receipt, cleared by a reopening.
 */
import { describe, expect, it } from 'vitest'
import { foldFeedback, feedbackEventBody } from '@shared/feedback'
import type { AnyRecord } from '@shared/records'

const B01 = 'pl/tuodong/mingtongxiang/g01/b01'
let seq = 0
const rec = (type: AnyRecord['type'], body: unknown, clientTime: string, authorId = 'u-zhang'): AnyRecord =>
  ({ id: `00000000-0000-7000-8000-${String(++seq).padStart(12, '0')}`, type, v: 1, orgPath: B01, authorId, deviceId: 'd', clientTime, seq, serverTime: '2026-05-20T00:00:00.000Z', body }) as AnyRecord

describe('回访 (report back)', () => {
  it('takes effect only once resolved, is bounded by the resolution, and a reopening clears it', () => {
    const fb = rec('feedback', { category: 'repair', description: '灯坏了', urgency: 'normal', channel: 'visit', raisedAt: '2026-05-01T00:00:00.000Z' }, '2026-05-01T00:00:00.000Z')
    const back = (t: string, view = 'satisfied') => rec('feedback.event', { feedback: fb.id, text: '告知住户', action: 'report_back', how: 'phone', residentView: view, reportedAt: t }, t)
    const early = back('2026-05-02T00:00:00.000Z')
    const resolve = rec('feedback.event', { feedback: fb.id, text: '换了灯', action: 'resolve', atLevel: 'building' }, '2026-05-03T00:00:00.000Z')
    // a phone clock set a day early: the report back cannot come before the resolution
    const skewed = back('2026-05-01T12:00:00.000Z', 'fairly_satisfied')
    let view = foldFeedback([fb, early, resolve, skewed]).get(fb.id)!
    expect(view.timeline.find((e) => e.recordId === early.id)).toMatchObject({ effective: false, reason: 'not_resolved' })
    expect(view.reportedBack).toMatchObject({ how: 'phone', residentView: 'fairly_satisfied', at: Date.parse('2026-05-03T00:00:00.000Z') })
    const reopen = rec('feedback.event', { feedback: fb.id, text: '又坏了', action: 'reopen' }, '2026-05-05T00:00:00.000Z')
    view = foldFeedback([fb, early, resolve, skewed, reopen]).get(fb.id)!
    expect(view.status).toBe('open')
    expect(view.reportedBack).toBeUndefined()
  })

  it('is built only for the raiser or the level that resolved it, with how and view', () => {
    const fb = rec('feedback', { category: 'repair', description: '灯坏了', urgency: 'normal', channel: 'visit', raisedAt: '2026-05-01T00:00:00.000Z' }, '2026-05-01T00:00:00.000Z')
    const up = rec('feedback.event', { feedback: fb.id, text: '上报', action: 'escalate', toLevel: 'group' }, '2026-05-02T00:00:00.000Z')
    const resolve = rec('feedback.event', { feedback: fb.id, text: '修好了', action: 'resolve', atLevel: 'group' }, '2026-05-03T00:00:00.000Z', 'u-wang')
    const view = foldFeedback([fb, up, resolve]).get(fb.id)!
    const rb = { how: 'in_person' as const, residentView: 'satisfied' as const, reportedAt: '2026-05-04T00:00:00.000Z' }
    expect(feedbackEventBody(view, 'report_back', '已告知', { id: 'u-wang', level: 'group' }, rb)).toMatchObject({ ok: true, body: { action: 'report_back', ...rb } })
    expect(feedbackEventBody(view, 'report_back', '已告知', { id: 'u-zhang', level: 'building' }, rb).ok).toBe(true)
    expect(feedbackEventBody(view, 'report_back', '已告知', { id: 'u-liu', level: 'community' }, rb)).toMatchObject({ ok: false, issue: { code: 'cannot_report_back' } })
    expect(feedbackEventBody(view, 'report_back', '已告知', { id: 'u-wang', level: 'group' })).toMatchObject({ ok: false, issue: { code: 'required' } })
  })
})
