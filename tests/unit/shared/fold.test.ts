import { describe, expect, it } from 'vitest'
import { checkAmendment, foldVisits, liveVisits, inLogOrder } from '@shared/fold'
import type { AnyRecord } from '@shared/records'

let n = 0
function rec(type: AnyRecord['type'], body: unknown, extra: Partial<AnyRecord> = {}): AnyRecord {
  n++
  return {
    id: `r${n}`,
    type,
    v: 1,
    orgPath: 'pl/tuodong/mingtongxiang/g01/b01',
    authorId: 'u1',
    deviceId: 'd1',
    clientTime: '2026-11-27T10:00:00.000Z',
    body,
    ...extra,
  } as AnyRecord
}

const visit = (id: string, note: string, extra: Partial<AnyRecord> = {}) =>
  rec('visit', { household: '1-3-2', outcome: 'met', purposes: [], note, visitedAt: '2026-11-27T09:00:00.000Z' }, { id, ...extra })

describe('foldVisits', () => {
  it('shows the corrected fields and records what changed and who changed it', () => {
    const v = visit('a', '原来的备注', { seq: 1 })
    const c = rec('correction', { target: 'a', targetType: 'visit', fields: { note: '改后的备注', outcome: 'nobody_home' }, reason: '写错了' }, { id: 'b', seq: 2, authorId: 'u2' })
    const view = foldVisits([c, v]).get('a')!
    expect(view.note).toBe('改后的备注')
    expect(view.outcome).toBe('nobody_home')
    expect(view.history).toEqual([
      { recordId: 'b', kind: 'correction', authorId: 'u2', clientTime: '2026-11-27T10:00:00.000Z', changes: { note: ['原来的备注', '改后的备注'], outcome: ['met', 'nobody_home'] }, reason: '写错了' },
    ])
  })

  it('hides a voided visit from the live list but keeps it with its history', () => {
    const visits = foldVisits([visit('a', '一', { seq: 1 }), visit('b', '二', { seq: 2 }), rec('void', { target: 'a', reason: '记错了户' }, { id: 'c', seq: 3 })])
    expect(liveVisits(visits).map((v) => v.id)).toEqual(['b'])
    expect(visits.get('a')!.voided).toBe(true)
    expect(visits.get('a')!.history[0]).toMatchObject({ kind: 'void', reason: '记错了户' })
  })

  it('applies corrections in server order, with unsynced ones last', () => {
    const v = visit('a', '0', { seq: 1 })
    const c1 = rec('correction', { target: 'a', targetType: 'visit', fields: { note: '1' } }, { id: 'x2', seq: 5 })
    const c2 = rec('correction', { target: 'a', targetType: 'visit', fields: { note: '2' } }, { id: 'x1', seq: 3 })
    const local = rec('correction', { target: 'a', targetType: 'visit', fields: { note: 'local' } }, { id: 'x0' })
    expect(foldVisits([local, c1, v, c2]).get('a')!.note).toBe('local')
    expect(foldVisits([c1, v, c2]).get('a')!.note).toBe('1')
    expect(inLogOrder([local, c1, v, c2]).map((r) => r.id)).toEqual(['a', 'x1', 'x2', 'x0'])
  })

  it('ignores changes to unknown or already voided visits', () => {
    const visits = foldVisits([
      visit('a', '一', { seq: 1 }),
      rec('void', { target: 'a', reason: '重复' }, { id: 'v', seq: 2 }),
      rec('correction', { target: 'a', targetType: 'visit', fields: { note: '晚到的更正' } }, { id: 'c', seq: 3 }),
      rec('correction', { target: 'zzz', targetType: 'visit', fields: { note: '?' } }, { id: 'd', seq: 4 }),
    ])
    expect(visits.get('a')!.note).toBe('一')
    expect(visits.size).toBe(1)
  })
})

describe('checkAmendment', () => {
  const B01 = 'pl/tuodong/mingtongxiang/g01/b01'
  const fix = (targetType: 'visit' | 'reading.session', orgPath = B01) =>
    ({ type: 'correction' as const, orgPath, body: { target: 't', targetType, fields: {} } }) as Parameters<typeof checkAmendment>[0]
  const withdraw = { type: 'void' as const, orgPath: B01, body: { target: 't', reason: '记错了' } }

  it('accepts corrections and voids of visits and reading sessions at the same orgPath', () => {
    expect(checkAmendment(fix('visit'), { type: 'visit', orgPath: B01 })).toBeNull()
    expect(checkAmendment(withdraw, { type: 'visit', orgPath: B01 })).toBeNull()
    expect(checkAmendment(fix('reading.session', 'pl/x/y/g01/rp-a'), { type: 'reading.session', orgPath: 'pl/x/y/g01/rp-a' })).toBeNull()
  })

  it('refuses a missing target, feedback, a mislabelled target and another orgPath', () => {
    expect(checkAmendment(withdraw, undefined)).toEqual({ code: 'unknown_target', path: 'body.target' })
    expect(checkAmendment(withdraw, { type: 'feedback', orgPath: B01 })).toEqual({ code: 'not_amendable', path: 'body.target' })
    expect(checkAmendment(withdraw, { type: 'feedback.event', orgPath: B01 })).toEqual({ code: 'not_amendable', path: 'body.target' })
    expect(checkAmendment(fix('reading.session'), { type: 'visit', orgPath: B01 })).toEqual({ code: 'not_amendable', path: 'body.targetType' })
    expect(checkAmendment(fix('visit', 'pl/tuodong/mingtongxiang/g01/b02'), { type: 'visit', orgPath: B01 })).toEqual({ code: 'out_of_scope', path: 'orgPath' })
  })
})
