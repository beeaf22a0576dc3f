import { afterEach, describe, expect, it } from 'vitest'
import {
  buildingCoverage,
  isCoveringVisit,
  buildingsOverview,
  careList,
  checkHouseholdRecord,
  doorStatus,
  foldCareFlags,
  foldHouseholdProfiles,
  isBuildingPath,
  overdueCount,
  searchHouseholds,
} from '@shared/rounds'
import { foldVisits } from '@shared/fold'
import { checkRecordShape, type AnyRecord } from '@shared/records'
import { uuidv7 } from '@shared/ids'
import type { OrgNode } from '@shared/org'

const B01 = 'pl/tuodong/mingtongxiang/g01/b01'
const B02 = 'pl/tuodong/mingtongxiang/g01/b02'
const DAY = 86_400_000

let n = 0
function rec(type: AnyRecord['type'], body: unknown, extra: Partial<AnyRecord> = {}): AnyRecord {
  n++
  return { id: `x${String(n).padStart(4, '0')}`, type, v: 1, orgPath: B01, authorId: 'u1', deviceId: 'd1', clientTime: '2026-11-27T10:00:00.000Z', body, ...extra } as AnyRecord
}
const visit = (household: string, visitedAt: string, extra: Partial<AnyRecord> = {}, outcome = 'met') =>
  rec('visit', { household, outcome, purposes: ['care'], note: '', visitedAt }, extra)
const flag = (household: string, clientTime: string, body: Record<string, unknown> = {}, extra: Partial<AnyRecord> = {}) =>
  rec('care.flag', { household, kind: 'alone_elderly', intervalDays: 7, active: true, ...body }, { clientTime, ...extra })

const envelope = (type: string, body: unknown) => ({ id: uuidv7(), type, v: 1, orgPath: B01, authorId: 'u1', deviceId: 'd1', clientTime: '2026-11-27T10:00:00.000Z', body })

describe('care.flag and household.profile records', () => {
  it('checks care flags strictly', () => {
    const good = { household: '1-3-2', kind: 'alone_elderly', intervalDays: 7, active: true, note: '子女在外地' }
    const check = (over: Record<string, unknown>) => checkRecordShape(envelope('care.flag', { ...good, ...over }))
    expect(check({}).ok).toBe(true)
    expect(check({ active: false, note: undefined }).ok).toBe(true)
    expect(check({ intervalDays: 0 })).toEqual({ ok: false, issue: { code: 'bad_value', path: 'body.intervalDays' } })
    expect(check({ intervalDays: 366 }).ok).toBe(false)
    expect(check({ intervalDays: 1.5 }).ok).toBe(false)
    expect(check({ kind: 'vip' })).toEqual({ ok: false, issue: { code: 'bad_value', path: 'body.kind' } })
    expect(check({ active: 'yes' }).ok).toBe(false)
    expect(check({ household: '1203' })).toEqual({ ok: false, issue: { code: 'unknown_household', path: 'body.household' } })
    expect(check({ age: 82 }).ok).toBe(false)
  })

  it('keeps household profiles to a display name and an optional mobile number', () => {
    const check = (body: Record<string, unknown>) => checkRecordShape(envelope('household.profile', { household: '1-3-2', ...body }))
    expect(check({ displayName: '王阿姨' }).ok).toBe(true)
    expect(check({ displayName: '', phone: '' }).ok).toBe(true)
    expect(check({ displayName: '王阿姨', phone: '13800000001' }).ok).toBe(true)
    expect(check({ displayName: '王阿姨', phone: '23800000001' })).toEqual({ ok: false, issue: { code: 'bad_phone', path: 'body.phone' } })
    expect(check({ displayName: '王阿姨', phone: '1380000000' })).toEqual({ ok: false, issue: { code: 'bad_phone', path: 'body.phone' } })
    expect(check({ displayName: '王'.repeat(21) })).toEqual({ ok: false, issue: { code: 'name_too_long', path: 'body.displayName', max: 20 } })
    expect(check({ displayName: '王阿姨', idCard: '530102…' }).ok).toBe(false)
  })

  it('checks that a household record names a room of its building', () => {
    const b: OrgNode = { path: B01, kind: 'building', name: '1 栋', layout: { units: 2, floors: 6, roomsPerFloor: 2 } }
    expect(checkHouseholdRecord({ orgPath: B01, body: { household: '2-6-2' } }, b)).toBeNull()
    expect(checkHouseholdRecord({ orgPath: B01, body: { household: '3-1-1' } }, b)).toEqual({ code: 'unknown_household', path: 'body.household' })
    expect(checkHouseholdRecord({ orgPath: B02, body: { household: '1-1-1' } }, b)).toEqual({ code: 'out_of_scope', path: 'orgPath' })
    expect(checkHouseholdRecord({ orgPath: B01, body: {} }, undefined)).toBeNull()
    expect(isBuildingPath(B01)).toBe(true)
    expect(isBuildingPath('pl/tuodong/mingtongxiang/g01/rp-tiyu')).toBe(false)
  })
})

// These run under TZ=UTC (vitest config) and again under zones far from Shanghai: the answers are Shanghai's.
const ZONES = ['UTC', 'America/Los_Angeles', 'Pacific/Kiritimati']
const originalTz = process.env.TZ
afterEach(() => {
  process.env.TZ = originalTz
})

describe.each(ZONES)('doors and coverage by Asia/Shanghai month (process TZ %s)', (zone) => {
  // 2026-11-30T16:30Z is 00:30 on 1 December in Shanghai
  const now = Date.parse('2026-11-30T16:30:00.000Z')

  it('colours a door by the Shanghai calendar month of its last visit', () => {
    process.env.TZ = zone
    expect(doorStatus('2026-11-30T16:00:00.000Z', now)).toBe('this_month') // 1 Dec 00:00 Shanghai
    expect(doorStatus('2026-11-30T15:59:59.000Z', now)).toBe('last_month') // 30 Nov 23:59 Shanghai
    expect(doorStatus('2026-10-31T16:00:00.000Z', now)).toBe('last_month') // 1 Nov 00:00 Shanghai
    expect(doorStatus('2026-10-31T15:59:59.000Z', now)).toBe('older')
    expect(doorStatus('2026-12-01T10:00:00.000Z', now)).toBe('this_month') // a fast clock: still this month
    expect(doorStatus(undefined, now)).toBe('never')
    // a year boundary: January's last month is December
    expect(doorStatus('2026-12-15T00:00:00.000Z', '2027-01-01T00:00:00.000Z')).toBe('last_month')
  })

  it('counts each live met visit once per door; voided visits do not count; a corrected date moves the door', () => {
    process.env.TZ = zone
    const layout = { units: 1, floors: 2, roomsPerFloor: 2 } // 1-1-1 1-1-2 1-2-1 1-2-2
    const visits = foldVisits([
      visit('1-1-1', '2026-11-30T16:10:00.000Z', { id: 'a', seq: 1 }, 'nobody_home'), // this month: an attempt, not coverage
      visit('1-1-2', '2026-11-30T16:10:00.000Z', { id: 'b', seq: 2 }),
      rec('void', { target: 'b', reason: '记错了户' }, { seq: 3 }),
      visit('1-1-2', '2026-11-02T00:00:00.000Z', { id: 'c', seq: 4 }), // last month
      visit('1-2-1', '2026-11-29T00:00:00.000Z', { id: 'd', seq: 5 }),
      rec('correction', { target: 'd', targetType: 'visit', fields: { visitedAt: '2026-11-30T17:00:00.000Z' } }, { seq: 6 }),
      visit('1-2-2', '2026-12-01T00:00:00.000Z', { id: 'e', seq: 7, orgPath: B02 }), // another building
      visit('9-9-9', '2026-12-01T00:00:00.000Z', { id: 'f', seq: 8 }), // not in the layout
    ])
    const c = buildingCoverage(visits, layout, B01, now)
    expect(c.doors).toEqual([
      { household: '1-1-1', status: 'attempted', lastVisitAt: '2026-11-30T16:10:00.000Z', lastVisitId: 'a' },
      { household: '1-1-2', status: 'last_month', lastVisitAt: '2026-11-02T00:00:00.000Z', lastVisitId: 'c' },
      { household: '1-2-1', status: 'this_month', lastVisitAt: '2026-11-30T17:00:00.000Z', lastVisitId: 'd' },
      { household: '1-2-2', status: 'never' },
    ])
    expect(c).toMatchObject({ building: B01, total: 4, metThisMonth: 1, attemptedThisMonth: 1, shareThisMonth: 0.25, counts: { this_month: 1, attempted: 1, last_month: 1, older: 0, never: 1 } })
    // an hour earlier it was still November in Shanghai: every one of those visits was this month's
    expect(buildingCoverage(visits, layout, B01, now - 3_600_000).counts).toEqual({ this_month: 2, attempted: 1, last_month: 0, older: 0, never: 1 })
  })

  it('only 见到住户 covers: 无人在家 and 拒绝 are attempts, a met visit this month wins over a later attempt', () => {
    process.env.TZ = zone
    const layout = { units: 1, floors: 1, roomsPerFloor: 4 } // 1-1-1 … 1-1-4
    const visits = foldVisits([
      visit('1-1-1', '2026-12-02T00:00:00.000Z', { id: 'a', seq: 1 }, 'declined'),
      visit('1-1-2', '2026-12-02T00:00:00.000Z', { id: 'b', seq: 2 }),
      visit('1-1-2', '2026-12-03T00:00:00.000Z', { id: 'c', seq: 3 }, 'nobody_home'), // met earlier this month: still covered
      visit('1-1-3', '2026-11-02T00:00:00.000Z', { id: 'd', seq: 4 }), // met last month
      visit('1-1-3', '2026-12-03T00:00:00.000Z', { id: 'e', seq: 5 }, 'nobody_home'), // tried this month
      visit('1-1-4', '2026-12-03T00:00:00.000Z', { id: 'f', seq: 6 }, 'nobody_home'),
      rec('correction', { target: 'f', targetType: 'visit', fields: { outcome: 'met' } }, { seq: 7 }), // corrected to met
    ])
    const c = buildingCoverage(visits, layout, B01, Date.parse('2026-12-05T00:00:00.000Z'))
    expect(c.doors.map((d) => [d.household, d.status, d.lastVisitId])).toEqual([
      ['1-1-1', 'attempted', 'a'],
      ['1-1-2', 'this_month', 'b'],
      ['1-1-3', 'attempted', 'e'],
      ['1-1-4', 'this_month', 'f'],
    ])
    expect(c).toMatchObject({ metThisMonth: 2, attemptedThisMonth: 2, shareThisMonth: 0.5 })
    expect(isCoveringVisit({ outcome: 'met', voided: false })).toBe(true)
    expect(isCoveringVisit({ outcome: 'nobody_home', voided: false })).toBe(false)
    expect(isCoveringVisit({ outcome: 'declined', voided: false })).toBe(false)
    expect(isCoveringVisit({ outcome: 'met', voided: true })).toBe(false)
  })
})

describe.each(ZONES)('care list (process TZ %s)', (zone) => {
  const T = '2026-11-20T02:00:00.000Z' // 10:00 in Shanghai

  it('a 7-day flag is due on the 7th day and overdue when the clock moves 8 days', () => {
    process.env.TZ = zone
    const flags = foldCareFlags([flag('1-3-2', T, {}, { seq: 1 })])
    const at = (days: number) => careList(flags, [], Date.parse(T) + days * DAY)
    expect(at(7)[0]).toMatchObject({ dueAt: '2026-11-27T02:00:00.000Z', dueDay: '2026-11-27', overdueDays: 0, overdue: false })
    expect(at(8)[0]).toMatchObject({ overdueDays: 1, overdue: true })
    expect(at(3)[0]).toMatchObject({ overdueDays: -4, overdue: false })
    expect(overdueCount(flags, [], Date.parse(T) + 8 * DAY)).toBe(1)
  })

  it('counts days on the Shanghai calendar, not by the hour', () => {
    process.env.TZ = zone
    // flagged 23:30 on 30 November in Shanghai: due 7 December, overdue from the first minutes of 8 December there
    const flags = foldCareFlags([flag('1-3-2', '2026-11-30T15:30:00.000Z', {}, { seq: 1 })])
    expect(careList(flags, [], Date.parse('2026-12-07T15:59:00.000Z'))[0]).toMatchObject({ dueDay: '2026-12-07', overdue: false })
    expect(careList(flags, [], Date.parse('2026-12-07T16:01:00.000Z'))[0]).toMatchObject({ overdueDays: 1, overdue: true })
  })

  it('only meeting the resident resets the clock; a voided meeting does not', () => {
    process.env.TZ = zone
    const flags = foldCareFlags([flag('1-3-2', T, {}, { seq: 1 })])
    const now = Date.parse(T) + 8 * DAY
    const met = foldVisits([visit('1-3-2', '2026-11-25T02:00:00.000Z', { id: 'm', seq: 2 })])
    expect(careList(flags, met, now)[0]).toMatchObject({ lastMetAt: '2026-11-25T02:00:00.000Z', dueDay: '2026-12-02', overdue: false })
    const nobody = foldVisits([visit('1-3-2', '2026-11-25T02:00:00.000Z', { seq: 2 }, 'nobody_home')])
    expect(careList(flags, nobody, now)[0]).toMatchObject({ overdue: true })
    expect(careList(flags, nobody, now)[0]!.lastMetAt).toBeUndefined()
    const voided = foldVisits([visit('1-3-2', '2026-11-25T02:00:00.000Z', { id: 'm', seq: 2 }), rec('void', { target: 'm', reason: '不是这户' }, { seq: 3 })])
    expect(careList(flags, voided, now)[0]).toMatchObject({ overdue: true })
    // a visit in another building's room of the same number is not this household
    const elsewhere = foldVisits([visit('1-3-2', '2026-11-25T02:00:00.000Z', { seq: 2, orgPath: B02 })])
    expect(careList(flags, elsewhere, now)[0]).toMatchObject({ overdue: true })
  })
})

describe('care flags', () => {
  const T = '2026-11-20T02:00:00.000Z'

  it('unflagging takes a household off the list; the latest record in server order wins, unsynced last', () => {
    const records = [flag('1-3-2', T, {}, { seq: 1 }), flag('1-3-2', '2026-11-21T00:00:00.000Z', { active: false }, { seq: 2 })]
    const now = Date.parse(T) + 30 * DAY
    expect(careList(foldCareFlags(records), [], now)).toEqual([])
    expect(overdueCount(foldCareFlags(records), [], now)).toBe(0)
    // flagged again later, offline: back on the list, counted from the new flagging
    const again = foldCareFlags([...records, flag('1-3-2', '2026-12-01T00:00:00.000Z', {}, { id: 'x0000' })])
    expect(careList(again, [], now)[0]).toMatchObject({ flaggedAt: '2026-12-01T00:00:00.000Z', active: true })
    // an unsynced record comes after every synced one whatever its clock, so this unsynced flag stands
    expect(foldCareFlags([flag('1-3-2', T, { active: true }, { id: 'x0001' }), flag('1-3-2', T, { active: false }, { seq: 9 })]).get(`${B01}:1-3-2`)!.active).toBe(true)
  })

  it('changing kind or interval keeps the date it was flagged', () => {
    const flags = foldCareFlags([flag('1-3-2', T, {}, { seq: 1 }), flag('1-3-2', '2026-11-25T00:00:00.000Z', { intervalDays: 14, kind: 'disabled' }, { seq: 2, authorId: 'u2' })])
    const f = flags.get(`${B01}:1-3-2`)!
    expect(f).toMatchObject({ flaggedAt: T, flaggedBy: 'u1', intervalDays: 14, kind: 'disabled', updatedBy: 'u2' })
  })

  it('lists the most overdue first', () => {
    const flags = foldCareFlags([
      flag('1-1-1', '2026-11-20T02:00:00.000Z', {}, { seq: 1 }),
      flag('1-1-2', '2026-11-10T02:00:00.000Z', {}, { seq: 2 }),
      flag('1-2-1', '2026-11-25T02:00:00.000Z', { intervalDays: 30 }, { seq: 3 }),
      flag('1-2-2', '2026-11-15T02:00:00.000Z', {}, { seq: 4, orgPath: B02 }),
    ])
    const list = careList(flags, [], Date.parse('2026-12-01T02:00:00.000Z'))
    expect(list.map((i) => [i.building === B01 ? 'b01' : 'b02', i.household, i.overdueDays])).toEqual([
      ['b01', '1-1-2', 14],
      ['b02', '1-2-2', 9],
      ['b01', '1-1-1', 4],
      ['b01', '1-2-1', -24],
    ])
  })
})

describe('group overview', () => {
  it('gives each building its coverage this month and overdue care households', () => {
    const buildings: OrgNode[] = [
      { path: B01, kind: 'building', name: '1 栋', layout: { units: 1, floors: 2, roomsPerFloor: 2 } },
      { path: B02, kind: 'building', name: '2 栋', layout: { units: 1, floors: 1, roomsPerFloor: 2 } },
      { path: 'pl/tuodong/mingtongxiang/g01/rp-tiyu', kind: 'reading_point', name: '读报点' },
    ]
    const visits = foldVisits([visit('1-1-1', '2026-12-02T00:00:00.000Z', { seq: 1 }), visit('1-1-1', '2026-12-02T00:00:00.000Z', { seq: 2, orgPath: B02 })])
    const flags = foldCareFlags([flag('1-1-2', '2026-11-01T00:00:00.000Z', {}, { seq: 3 })])
    expect(buildingsOverview(buildings, visits, flags, Date.parse('2026-12-05T00:00:00.000Z'))).toEqual([
      { building: B01, name: '1 栋', total: 4, metThisMonth: 1, attemptedThisMonth: 0, shareThisMonth: 0.25, overdueCare: 1 },
      { building: B02, name: '2 栋', total: 2, metThisMonth: 1, attemptedThisMonth: 0, shareThisMonth: 0.5, overdueCare: 0 },
    ])
  })
})

describe('household profiles and search', () => {
  const profiles = foldHouseholdProfiles([
    rec('household.profile', { household: '1-12-3', displayName: '王阿姨', phone: '13800000001' }, { seq: 1 }),
    rec('household.profile', { household: '1-12-3', displayName: '王奶奶' }, { seq: 3, authorId: 'u2' }),
    rec('household.profile', { household: '1-12-3', displayName: '王阿婆' }, { seq: 2 }),
    rec('household.profile', { household: '1-2-1', displayName: '李大爷' }, { id: 'x9999' }),
    rec('household.profile', { household: '1-2-1', displayName: 'Old Li' }, { seq: 4 }),
  ])

  it('keeps the latest profile in server order, unsynced last', () => {
    expect(profiles.get(`${B01}:1-12-3`)).toMatchObject({ displayName: '王奶奶', updatedBy: 'u2' })
    expect(profiles.get(`${B01}:1-12-3`)!.phone).toBeUndefined()
    expect(profiles.get(`${B01}:1-2-1`)!.displayName).toBe('李大爷')
  })

  it('finds households by room number or by display name', () => {
    const buildings = [{ path: B01, layout: { units: 1, floors: 12, roomsPerFloor: 4 } }]
    expect(searchHouseholds('1203', buildings, profiles)).toEqual([{ building: B01, household: '1-12-3', room: '1203', displayName: '王奶奶' }])
    expect(searchHouseholds('李', buildings, profiles).map((m) => m.room)).toEqual(['201'])
    expect(searchHouseholds('120', buildings, profiles).map((m) => m.room)).toEqual(['1201', '1202', '1203', '1204'])
    expect(searchHouseholds('  ', buildings, profiles)).toEqual([])
    expect(searchHouseholds('1', buildings, profiles, 3)).toHaveLength(3)
  })
})
