import { describe, expect, it } from 'vitest'
import { ancestorAt, householdInLayout, householdsOf, isUnder, isUnderAny, levelOfPath, parseHouseholdKey, roomLabel } from '@shared/org'
import { dayKey, monthKey, parseInstant, previousMonthKey } from '@shared/time'
import { langFromAcceptLanguage, message } from '@shared/messages'

describe('org paths', () => {
  it('treats a scope as covering itself and what lies beneath, not its namesakes', () => {
    expect(isUnder('pl/tuodong/a/g01/b01', 'pl/tuodong/a')).toBe(true)
    expect(isUnder('pl/tuodong/a', 'pl/tuodong/a')).toBe(true)
    expect(isUnder('pl/tuodong/ab/g01', 'pl/tuodong/a')).toBe(false)
    expect(isUnderAny('pl/gulou/x', ['pl/tuodong', 'pl/gulou'])).toBe(true)
  })
  it('knows levels and ancestors by depth', () => {
    expect(levelOfPath('pl')).toBe('district')
    expect(levelOfPath('pl/tuodong/a/g01/b01')).toBe('building')
    expect(ancestorAt('pl/tuodong/a/g01/b01', 'community')).toBe('pl/tuodong/a')
    expect(ancestorAt('pl/tuodong', 'group')).toBeNull()
  })
  it('keys households as unit-floor-room inside a building layout', () => {
    const layout = { units: 3, floors: 33, roomsPerFloor: 4 }
    expect(householdsOf(layout)).toHaveLength(396)
    expect(householdInLayout('3-33-4', layout)).toBe(true)
    expect(householdInLayout('4-1-1', layout)).toBe(false)
    expect(householdInLayout('1-0-1', layout)).toBe(false)
    expect(householdInLayout('1-1', layout)).toBe(false)
    expect(parseHouseholdKey('2-12-3')).toEqual({ unit: 2, floor: 12, room: 3 })
    expect(roomLabel('2-12-3')).toBe('1203')
  })
})

describe('Asia/Shanghai calendar', () => {
  it('puts an instant in the Shanghai month, not the UTC one', () => {
    // 2026-11-30 16:30 UTC is already 1 December 00:30 in Shanghai
    expect(monthKey('2026-11-30T16:30:00Z')).toBe('2026-12')
    expect(monthKey('2026-11-30T15:59:59Z')).toBe('2026-11')
    expect(dayKey('2026-12-31T16:00:00Z')).toBe('2027-01-01')
    expect(previousMonthKey('2027-01')).toBe('2026-12')
    expect(previousMonthKey('2026-11')).toBe('2026-10')
  })
})

describe('parseInstant', () => {
  it('answers what Date.parse answers, for the same string again and after many others', () => {
    const some = ['2026-05-01T10:00:00.000Z', '2026-05-01T18:00:00+08:00', 'not a time', '', '2026-02-30T00:00:00Z']
    for (const s of some) expect(parseInstant(s)).toEqual(Date.parse(s))
    for (let i = 0; i < 600; i++) expect(parseInstant(new Date(i * 60_000).toISOString())).toBe(i * 60_000)
    for (const s of some) expect(parseInstant(s)).toEqual(Date.parse(s))
  })
})

describe('messages', () => {
  it('answers in Chinese unless English is preferred', () => {
    expect(langFromAcceptLanguage(undefined)).toBe('zh-CN')
    expect(langFromAcceptLanguage('en-US,en;q=0.9')).toBe('en')
    expect(langFromAcceptLanguage('zh-CN,zh;q=0.9,en;q=0.8')).toBe('zh-CN')
    expect(message('wrong_password')).toBe('手机号或密码不正确。忘记密码请找社区工作人员重设')
    expect(message('wrong_password', 'en')).toBe('Wrong phone number or password. If you forgot it, ask your community staff to reset it')
  })
})
