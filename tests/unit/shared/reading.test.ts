import { describe, expect, it } from 'vitest'
import {
  adjustHeadCount,
  checkReadingSession,
  checkSessionCorrection,
  draftToBody,
  foldReadingSessions,
  isReadingPointPath,
  isTicked,
  liveSessions,
  newSessionDraft,
  readingCatchment,
  readingSummary,
  setHeadCount,
  tickHousehold,
  toggleMaterial,
  weeklySeries,
} from '@shared/reading'
import { foldFeedback } from '@shared/feedback'
import { foldVisits } from '@shared/fold'
import { checkRecordShape, MATERIALS_MAX, type AnyRecord } from '@shared/records'
import { isoWeekKey, weekStart } from '@shared/time'
import { uuidv7 } from '@shared/ids'
import type { OrgNode } from '@shared/org'

const G01 = 'pl/tuodong/zhuangyuanlou/g01'
const RP = `${G01}/rp-tiyu`
const RP2 = `${G01}/rp-jinzhi`
const B01 = `${G01}/b01`
const B02 = `${G01}/b02`
const h = (building: string, household: string) => ({ building, household })

const sessionBody = (over: Record<string, unknown> = {}) => ({
  startedAt: '2026-11-27T01:00:00.000Z',
  endedAt: '2026-11-27T02:00:00.000Z',
  reader: '李建国',
  materials: ['人民日报', '关于老旧小区改造的通知'],
  headCount: 12,
  households: [h(B01, '1-3-2'), h(B02, '2-5-1')],
  notes: '',
  ...over,
})

const envelope = (type: string, body: unknown, orgPath = RP) => ({
  id: uuidv7(),
  type,
  v: 1,
  orgPath,
  authorId: 'u1',
  deviceId: 'd1',
  clientTime: '2026-11-27T10:00:00.000Z',
  body,
})

let n = 0
function rec(type: AnyRecord['type'], body: unknown, extra: Partial<AnyRecord> = {}): AnyRecord {
  n++
  return { id: `s${String(n).padStart(4, '0')}`, type, v: 1, orgPath: RP, authorId: 'u1', deviceId: 'd1', clientTime: '2026-11-27T10:00:00.000Z', body, ...extra } as AnyRecord
}

describe('reading.session records', () => {
  it('accepts a well-formed session, with or without named households', () => {
    expect(checkRecordShape(envelope('reading.session', sessionBody())).ok).toBe(true)
    expect(checkRecordShape(envelope('reading.session', sessionBody({ households: [], headCount: 0, materials: [] }))).ok).toBe(true)
  })

  it('refuses the same household twice in one session', () => {
    const body = sessionBody({ households: [h(B01, '1-3-2'), h(B02, '1-3-2'), h(B01, '1-3-2')] })
    expect(checkRecordShape(envelope('reading.session', body))).toEqual({ ok: false, issue: { code: 'duplicate_household', path: 'body.households' } })
  })

  it('refuses a head count below the named count', () => {
    expect(checkRecordShape(envelope('reading.session', sessionBody({ headCount: 1 })))).toEqual({ ok: false, issue: { code: 'headcount_below_named', path: 'body.headCount' } })
    expect(checkRecordShape(envelope('reading.session', sessionBody({ headCount: 2 }))).ok).toBe(true)
  })

  it('refuses an end before the start, and bad readers, materials, counts and fields', () => {
    const bad = (over: Record<string, unknown>) => checkRecordShape(envelope('reading.session', sessionBody(over)))
    expect(bad({ endedAt: '2026-11-27T00:59:59.000Z' })).toEqual({ ok: false, issue: { code: 'end_before_start', path: 'body.endedAt' } })
    // offsets are compared as instants: 09:30 in Shanghai is 01:30Z, after the start
    expect(bad({ endedAt: '2026-11-27T09:30:00+08:00' }).ok).toBe(true)
    expect(bad({ reader: '  ' })).toEqual({ ok: false, issue: { code: 'required', path: 'body.reader' } })
    expect(bad({ reader: '名'.repeat(41) })).toEqual({ ok: false, issue: { code: 'text_too_long', path: 'body.reader', max: 40 } })
    expect(bad({ materials: [''] })).toEqual({ ok: false, issue: { code: 'required', path: 'body.materials.0' } })
    expect(bad({ materials: Array.from({ length: MATERIALS_MAX + 1 }, (_, i) => `材料${i}`) })).toMatchObject({ ok: false, issue: { path: 'body.materials' } })
    expect(bad({ headCount: 2.5 })).toMatchObject({ ok: false, issue: { code: 'bad_value', path: 'body.headCount' } })
    expect(bad({ headCount: 2001 })).toMatchObject({ ok: false, issue: { code: 'bad_value', path: 'body.headCount' } })
    expect(bad({ households: [h('pl/tuodong', '1-1-1')] })).toMatchObject({ ok: false, issue: { code: 'unknown_household', path: 'body.households.0.building' } })
    expect(bad({ households: [{ ...h(B01, '1-1-1'), name: '王阿姨' }] }).ok).toBe(false)
    expect(bad({ attendees: 3 }).ok).toBe(false)
  })

  it('lets corrections change materials, count, households, notes and end — and nothing else', () => {
    const target = uuidv7()
    const corr = (fields: Record<string, unknown>) => checkRecordShape(envelope('correction', { target, targetType: 'reading.session', fields, reason: '记错了' }))
    expect(corr({ headCount: 20, notes: '补记', materials: ['云南日报'], endedAt: '2026-11-27T03:00:00.000Z' }).ok).toBe(true)
    expect(corr({ households: [h(B01, '1-1-1')] }).ok).toBe(true)
    expect(corr({ startedAt: '2026-11-27T00:00:00.000Z' }).ok).toBe(false)
    expect(corr({ reader: '别人' }).ok).toBe(false)
    expect(corr({ households: [h(B01, '1-1-1'), h(B01, '1-1-1')] })).toMatchObject({ ok: false, issue: { code: 'duplicate_household' } })
    expect(corr({ headCount: 0, households: [h(B01, '1-1-1')] })).toMatchObject({ ok: false, issue: { code: 'headcount_below_named', path: 'body.fields.headCount' } })
    // visit fields are not session fields, and a visit correction is what it always was
    expect(corr({ outcome: 'met' }).ok).toBe(false)
    expect(checkRecordShape(envelope('correction', { target, targetType: 'visit', fields: { headCount: 3 } })).ok).toBe(false)
    expect(checkRecordShape(envelope('correction', { target, targetType: 'feedback', fields: {} }))).toMatchObject({ ok: false, issue: { code: 'bad_value', path: 'body.targetType' } })
  })
})

describe('reading points', () => {
  it('are org nodes whose name starts with rp-', () => {
    expect(isReadingPointPath(RP)).toBe(true)
    expect(isReadingPointPath('pl/tuodong/zhuangyuanlou/rp-jinzhi')).toBe(true)
    expect(isReadingPointPath(B01)).toBe(false)
    expect(isReadingPointPath('rp-x')).toBe(false)
  })

  const nodes: OrgNode[] = [
    { path: G01, kind: 'group', name: '一组' },
    { path: B01, kind: 'building', name: '1 栋', layout: { units: 2, floors: 6, roomsPerFloor: 2 } },
    { path: B02, kind: 'building', name: '2 栋', layout: { units: 2, floors: 6, roomsPerFloor: 2 } },
    { path: 'pl/tuodong/zhuangyuanlou/g02/b01', kind: 'building', name: '二组 1 栋', layout: { units: 1, floors: 6, roomsPerFloor: 2 } },
    { path: RP, kind: 'reading_point', name: '体育小区小广场' },
  ]
  const lookup = (p: string) => nodes.find((x) => x.path === p)

  it('draw named households from the buildings of the node they belong to', () => {
    expect(readingCatchment(RP, nodes).map((x) => x.path)).toEqual([B01, B02])
    const ok = { orgPath: RP, body: sessionBody() as AnyRecord<'reading.session'>['body'] }
    expect(checkReadingSession(ok, lookup)).toBeNull()
    expect(checkReadingSession({ ...ok, body: { ...ok.body, households: [h('pl/tuodong/zhuangyuanlou/g02/b01', '1-1-1')] } }, lookup)).toEqual({ code: 'unknown_household', path: 'body.households.0.building' })
    expect(checkReadingSession({ ...ok, body: { ...ok.body, households: [h(B01, '3-1-1')] } }, lookup)).toEqual({ code: 'unknown_household', path: 'body.households.0.household' })
    expect(checkReadingSession({ ...ok, orgPath: B01 }, lookup)).toEqual({ code: 'out_of_scope', path: 'orgPath' })
  })
})

describe('the running session (draft)', () => {
  const now = Date.parse('2026-11-27T01:00:00.000Z')
  const start = () => newSessionDraft({ pointPath: RP, reader: '李建国', readerId: 'u1', now })

  it('starts now, with the id its record will have', () => {
    const d = start()
    expect(d).toMatchObject({ pointPath: RP, startedAt: '2026-11-27T01:00:00.000Z', reader: '李建国', readerId: 'u1', headCount: 0, households: [], materials: [], notes: '' })
    expect(draftToBody(d, now + 3_600_000)).toMatchObject({ ok: true, id: d.id, orgPath: RP })
  })

  it('ticks a household in and out, never twice, and keeps the head count at least the named count', () => {
    let d = start()
    d = tickHousehold(d, h(B01, '1-3-2'))
    d = tickHousehold(d, h(B02, '1-3-2'))
    expect(d.households).toHaveLength(2)
    expect(d.headCount).toBe(2)
    d = setHeadCount(d, 12)
    d = tickHousehold(d, h(B01, '2-1-1'))
    expect(d.headCount).toBe(12)
    d = tickHousehold(d, h(B01, '1-3-2'))
    expect(isTicked(d, h(B01, '1-3-2'))).toBe(false)
    expect(d.households).toEqual([h(B02, '1-3-2'), h(B01, '2-1-1')])
    expect(d.headCount).toBe(12)
    d = tickHousehold(d, { ...h(B01, '2-1-1') })
    expect(d.households).toEqual([h(B02, '1-3-2')])
  })

  it('never counts below the named households: lowering needs unticking first', () => {
    let d = start()
    d = tickHousehold(tickHousehold(tickHousehold(d, h(B01, '1-1-1')), h(B01, '1-1-2')), h(B01, '1-2-1'))
    d = setHeadCount(d, 12)
    expect(adjustHeadCount(d, -1).headCount).toBe(11)
    expect(setHeadCount(d, 1).headCount).toBe(3)
    expect(setHeadCount(d, Number.NaN).headCount).toBe(12)
    expect(setHeadCount(d, 5000).headCount).toBe(2000)
    expect(adjustHeadCount(start(), -1).headCount).toBe(0)
  })

  it('toggles materials, quick picks and free text alike, trimmed and once', () => {
    let d = toggleMaterial(start(), '人民日报')
    d = toggleMaterial(d, ' 社区通知 ')
    d = toggleMaterial(d, '   ')
    expect(d.materials).toEqual(['人民日报', '社区通知'])
    expect(toggleMaterial(d, '人民日报').materials).toEqual(['社区通知'])
  })

  it('survives a reload: a draft is plain JSON', () => {
    let d = tickHousehold(setHeadCount(toggleMaterial(start(), '昆明日报'), 12), h(B01, '1-3-2'))
    d = { ...d, notes: '张大爷问医保' }
    const reloaded = JSON.parse(JSON.stringify(d)) as typeof d
    expect(reloaded).toEqual(d)
    expect(draftToBody(reloaded, now + 60_000)).toEqual(draftToBody(d, now + 60_000))
  })

  it('turns into a body that passes the record check, trimmed, ending now', () => {
    const d = { ...tickHousehold(setHeadCount(start(), 12), h(B01, '1-3-2')), reader: ' 李建国 ', notes: ' 张大爷问医保 ', materials: ['人民日报', ' '] }
    const res = draftToBody(d, now + 3_600_000)
    expect(res).toEqual({
      ok: true,
      id: d.id,
      orgPath: RP,
      body: {
        startedAt: '2026-11-27T01:00:00.000Z',
        endedAt: '2026-11-27T02:00:00.000Z',
        reader: '李建国',
        readerId: 'u1',
        materials: ['人民日报'],
        headCount: 12,
        households: [h(B01, '1-3-2')],
        notes: '张大爷问医保',
      },
    })
    if (res.ok) expect(checkRecordShape({ ...envelope('reading.session', res.body), id: res.id }).ok).toBe(true)
  })

  it('reports every problem as a message code and leaves the draft alone', () => {
    const d = { ...start(), reader: '', households: [h(B01, '1-1-1'), h(B01, '1-1-1')], headCount: 1 }
    const res = draftToBody(d, now - 60_000)
    expect(res.ok).toBe(false)
    if (!res.ok) {
      expect(res.issues).toEqual(
        expect.arrayContaining([
          { code: 'required', path: 'body.reader' },
          { code: 'duplicate_household', path: 'body.households' },
        ]),
      )
    }
    expect(d.reader).toBe('')
  })
})

describe('foldReadingSessions', () => {
  it('shows corrected values with their history, and keeps a voided session out of the live list', () => {
    const sessions = foldReadingSessions([
      rec('reading.session', sessionBody(), { id: 'a', seq: 1 }),
      rec('reading.session', sessionBody({ startedAt: '2026-11-28T01:00:00.000Z', endedAt: '2026-11-28T02:00:00.000Z' }), { id: 'b', seq: 2 }),
      rec('correction', { target: 'a', targetType: 'reading.session', fields: { headCount: 15, households: [h(B01, '1-3-2')] }, reason: '漏数了' }, { id: 'c', seq: 3, authorId: 'u2' }),
      rec('void', { target: 'b', reason: '重复登记' }, { id: 'd', seq: 4 }),
      // a visit correction never reaches a session, even with its id
      rec('correction', { target: 'a', targetType: 'visit', fields: { note: 'x' } }, { id: 'e', seq: 5 }),
    ])
    const a = sessions.get('a')!
    expect(a.headCount).toBe(15)
    expect(a.attendance).toBe(15)
    expect(a.households).toEqual([h(B01, '1-3-2')])
    expect(a.history).toEqual([
      { recordId: 'c', kind: 'correction', authorId: 'u2', clientTime: '2026-11-27T10:00:00.000Z', changes: { headCount: [12, 15], households: [[h(B01, '1-3-2'), h(B02, '2-5-1')], [h(B01, '1-3-2')]] }, reason: '漏数了' },
    ])
    expect(liveSessions(sessions).map((s) => s.id)).toEqual(['a'])
    expect(sessions.get('b')!.voided).toBe(true)
  })

  it('never shows fewer attendees than named households, and never an end before the start', () => {
    // two devices corrected the same session: one lowered the count, the other named more households
    const s = foldReadingSessions([
      rec('reading.session', sessionBody({ headCount: 2 }), { id: 'a', seq: 1 }),
      rec('correction', { target: 'a', targetType: 'reading.session', fields: { headCount: 2 } }, { seq: 2 }),
      rec('correction', { target: 'a', targetType: 'reading.session', fields: { households: [h(B01, '1-1-1'), h(B01, '1-1-2'), h(B01, '1-2-1')] } }, { seq: 3 }),
      rec('correction', { target: 'a', targetType: 'reading.session', fields: { endedAt: '2026-11-26T00:00:00.000Z', notes: '补' } }, { seq: 4 }),
    ]).get('a')!
    expect(s.headCount).toBe(2)
    expect(s.attendance).toBe(3)
    expect(s.endedAt).toBe('2026-11-27T02:00:00.000Z')
    expect(s.notes).toBe('补')
  })

  it('checks a correction against the session as it is now', () => {
    const s = foldReadingSessions([rec('reading.session', sessionBody(), { id: 'a', seq: 1 })]).get('a')!
    expect(checkSessionCorrection({ headCount: 1 }, s)).toEqual({ code: 'headcount_below_named', path: 'body.fields.headCount' })
    expect(checkSessionCorrection({ headCount: 2 }, s)).toBeNull()
    expect(checkSessionCorrection({ households: Array.from({ length: 13 }, (_, i) => h(B01, `1-${i + 1}-1`)) }, s)).toMatchObject({ code: 'headcount_below_named' })
    expect(checkSessionCorrection({ endedAt: '2026-11-27T00:00:00.000Z' }, s)).toEqual({ code: 'end_before_start', path: 'body.fields.endedAt' })
  })

  it('leaves visits alone, and visits leave sessions alone', () => {
    const records = [
      rec('reading.session', sessionBody(), { id: 'a', seq: 1 }),
      rec('visit', { household: '1-1-1', outcome: 'met', purposes: [], note: '', visitedAt: '2026-11-27T01:00:00.000Z' }, { id: 'v', seq: 2, orgPath: B01 }),
      rec('void', { target: 'v', reason: 'x' }, { seq: 3, orgPath: B01 }),
    ]
    expect(foldReadingSessions(records).get('a')!.voided).toBe(false)
    expect(foldVisits(records).get('v')!.voided).toBe(true)
    expect(foldVisits(records).has('a')).toBe(false)
  })
})

describe('readingSummary', () => {
  const feedback = (id: string, source: string, seq: number) =>
    rec('feedback', { category: 'policy', description: '问医保', urgency: 'normal', channel: 'reading', source: { type: 'reading.session', id: source }, raisedAt: '2026-11-30T17:00:00.000Z' }, { id, seq })
  const records = [
    // 2026-11-30T16:30Z is 1 December 00:30 in Shanghai: a December session
    rec('reading.session', sessionBody({ startedAt: '2026-11-30T16:30:00.000Z', endedAt: '2026-11-30T17:30:00.000Z', headCount: 12 }), { id: 'dec1', seq: 1 }),
    // 15:59Z on 30 November is still November in Shanghai
    rec('reading.session', sessionBody({ startedAt: '2026-11-30T15:59:00.000Z', endedAt: '2026-11-30T16:30:00.000Z', headCount: 8, households: [h(B01, '1-3-2')] }), { id: 'nov', seq: 2 }),
    rec('reading.session', sessionBody({ startedAt: '2026-12-07T01:00:00.000Z', endedAt: '2026-12-07T02:00:00.000Z', headCount: 10, households: [h(B01, '1-3-2'), h(B01, '4-4-4')] }), { id: 'dec2', seq: 3 }),
    rec('reading.session', sessionBody({ startedAt: '2026-12-08T01:00:00.000Z', endedAt: '2026-12-08T02:00:00.000Z', headCount: 30 }), { id: 'voided', seq: 4 }),
    rec('reading.session', sessionBody({ startedAt: '2026-12-08T01:00:00.000Z', endedAt: '2026-12-08T02:00:00.000Z', headCount: 5, households: [] }), { id: 'other', seq: 5, orgPath: RP2 }),
    rec('correction', { target: 'dec2', targetType: 'reading.session', fields: { headCount: 16 } }, { seq: 6 }),
    rec('void', { target: 'voided', reason: '重复' }, { seq: 7 }),
    feedback('f1', 'dec1', 8),
    feedback('f2', 'dec1', 9),
    feedback('f3', 'voided', 10),
    feedback('f4', 'nov', 11),
  ]

  it('counts sessions per Asia/Shanghai month with corrected counts, distinct households and feedback, without voided sessions', () => {
    const summary = readingSummary(foldReadingSessions(records), foldFeedback(records))
    expect([...summary.keys()]).toEqual([RP2, RP])
    const p = summary.get(RP)!
    expect(p.months).toEqual([
      { month: '2026-11', sessions: 1, attendees: 8, distinctHouseholds: 1, feedbackRaised: 1 },
      // dec1: 12 with 2 named; dec2: corrected to 16 with 2 named, one of them also at dec1
      { month: '2026-12', sessions: 2, attendees: 28, distinctHouseholds: 3, feedbackRaised: 2 },
    ])
    expect(p.total).toEqual({ sessions: 3, attendees: 36, distinctHouseholds: 3, feedbackRaised: 3 })
    expect(summary.get(RP2)!.total).toEqual({ sessions: 1, attendees: 5, distinctHouseholds: 0, feedbackRaised: 0 })
  })

  it('gives a weekly series in Asia/Shanghai ISO weeks with zeros for quiet weeks', () => {
    const p = readingSummary(foldReadingSessions(records)).get(RP)!
    // Both sessions around the month boundary (Monday 30 November 23:59 and Tuesday 1 December 00:30 in Shanghai) are in week 49
    expect(p.weeks).toEqual([
      { week: '2026-W49', sessions: 2, attendees: 20 },
      { week: '2026-W50', sessions: 1, attendees: 16 },
    ])
    const series = weeklySeries(p, Date.parse('2026-12-20T00:00:00.000Z'), 4)
    expect(series).toEqual([
      { week: '2026-W48', sessions: 0, attendees: 0 },
      { week: '2026-W49', sessions: 2, attendees: 20 },
      { week: '2026-W50', sessions: 1, attendees: 16 },
      { week: '2026-W51', sessions: 0, attendees: 0 },
    ])
    expect(weeklySeries(undefined, Date.parse('2026-12-20T00:00:00.000Z'), 2).map((w) => w.sessions)).toEqual([0, 0])
  })

  it('keys ISO weeks by Shanghai days, across year ends', () => {
    // Sunday 2026-11-29 16:30Z is Monday 30 November 00:30 in Shanghai
    expect(isoWeekKey('2026-11-29T15:59:00Z')).toBe('2026-W48')
    expect(isoWeekKey('2026-11-29T16:30:00Z')).toBe('2026-W49')
    expect(isoWeekKey('2026-12-31T16:30:00Z')).toBe('2026-W53') // Friday 1 January 2027
    expect(isoWeekKey('2027-01-03T16:30:00Z')).toBe('2027-W01') // Monday 4 January 2027
    expect(isoWeekKey('2025-12-28T16:30:00Z')).toBe('2026-W01') // Monday 29 December 2025
    expect(new Date(weekStart('2026-W49')).toISOString()).toBe('2026-11-29T16:00:00.000Z')
    expect(new Date(weekStart('2026-W01')).toISOString()).toBe('2025-12-28T16:00:00.000Z')
  })
})
