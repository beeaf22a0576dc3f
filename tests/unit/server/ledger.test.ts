/**
 * The monthly ledger through the real API: a hand-worked month (see
 * ledgerFixture.ts) for a group, a community and a street; exports opened back;
 * scope refusals; 回访 rules; the ranking.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readWorkbook } from './xlsxRead'
import * as v from 'valibot'
import { bearer, login, PHONES, push, setup, type TestEnv } from './helpers'
import { pushLedgerMonth, pushAll } from './ledgerFixture'
import { LedgerResponse, RankingResponse } from '../../../src/shared/ledgerProtocol'
import type { LedgerFigures } from '../../../src/shared/ledger'
import type { LoginResponse, PushResult } from '../../../src/shared/protocol'
import { uuidv7 } from '../../../src/shared/ids'

let env: TestEnv
let who: Record<'zhang' | 'li' | 'wang' | 'liu' | 'zhao' | 'chen' | 'yang', LoginResponse>
let f1: { id: string; orgPath: string }

beforeAll(async () => {
  env = await setup()
  env.clock.t = Date.parse('2026-06-10T04:00:00Z')
  who = {
    zhang: await login(env.app, PHONES.zhang),
    li: await login(env.app, PHONES.li),
    wang: await login(env.app, PHONES.wang),
    liu: await login(env.app, PHONES.liu),
    zhao: await login(env.app, '13800000012'),
    chen: await login(env.app, PHONES.chen),
    yang: await login(env.app, PHONES.yang),
  }
  f1 = (await pushLedgerMonth(env.app, who)).f1
})
afterAll(async () => {
  await env.close()
})

async function ledger(by: LoginResponse, scope: string, month = '2026-05'): Promise<LedgerResponse> {
  const res = await env.app.inject({ url: `/api/v1/ledger?scope=${scope}&month=${month}`, headers: bearer(by.token) })
  expect(res.statusCode, res.body).toBe(200)
  return v.parse(LedgerResponse, res.json())
}

const none = { district: 0, street: 0, community: 0, group: 0, building: 0 }
const empty = (households: number): LedgerFigures => ({
  households, householdsCovered: 0, visits: 0, visitsMet: 0, visitsNobodyHome: 0, visitsDeclined: 0, publicityVisits: 0,
  careHouseholds: 0, careOnTime: 0, feedbackCollected: 0, feedbackResolved: 0, feedbackResolvedByLevel: none, feedbackOpen: 0,
  feedbackOpenByLevel: none, feedbackOverdue: 0, feedbackReopened: 0, reportedBack: 0, satisfied: 0, selfGovernanceRate: null,
  replyResolveRate: null, medianResolutionDays: null, readingSessions: 0, readingAttendance: 0, readingHouseholds: 0, leadersWithoutRecords: 0,
})

// 明通巷 第一居民小组, worked out by hand from the fixture's comment
const G01: LedgerFigures = {
  households: 102, householdsCovered: 3, visits: 5, visitsMet: 4, visitsNobodyHome: 1, visitsDeclined: 0, publicityVisits: 1,
  careHouseholds: 2, careOnTime: 1, feedbackCollected: 4, feedbackResolved: 3, feedbackResolvedByLevel: { ...none, building: 1, group: 1, community: 1 },
  feedbackOpen: 2, feedbackOpenByLevel: { ...none, building: 2 }, feedbackOverdue: 1, feedbackReopened: 0, reportedBack: 2, satisfied: 1,
  selfGovernanceRate: 2 / 3, replyResolveRate: 0.5, medianResolutionDays: 4, readingSessions: 0, readingAttendance: 0, readingHouseholds: 0, leadersWithoutRecords: 0,
}

describe('GET /api/v1/ledger: a hand-worked May 2026', () => {
  it('a group: totals and one row per building, the month starting at Shanghai midnight', async () => {
    const l = await ledger(who.wang, 'pl/tuodong/mingtongxiang/g01')
    expect(l).toMatchObject({ scope: 'pl/tuodong/mingtongxiang/g01', name: '第一居民小组', kind: 'group', month: '2026-05' })
    expect(l.totals).toEqual(G01)
    expect(l.rows.map((r) => [r.path.split('/').pop(), r.name, r.kind])).toEqual([['b01', '1栋', 'building'], ['b02', '2栋', 'building'], ['b03', '3栋', 'building']])
    expect(l.rows[0]!.figures).toEqual({
      ...empty(24), householdsCovered: 2, visits: 4, visitsMet: 3, visitsNobodyHome: 1, publicityVisits: 1, careHouseholds: 2, careOnTime: 1,
      feedbackCollected: 3, feedbackResolved: 2, feedbackResolvedByLevel: { ...none, building: 1, group: 1 }, feedbackOpen: 2,
      feedbackOpenByLevel: { ...none, building: 2 }, feedbackOverdue: 1, reportedBack: 1, satisfied: 1, selfGovernanceRate: 1,
      replyResolveRate: 1 / 3, medianResolutionDays: 3,
    })
    // the corrected 拒绝 → 见到 counts as met; the voided 政策宣传 visit counts nowhere
    expect(l.rows[1]!.figures).toEqual({
      ...empty(42), householdsCovered: 1, visits: 1, visitsMet: 1, feedbackCollected: 1, feedbackResolved: 1,
      feedbackResolvedByLevel: { ...none, community: 1 }, reportedBack: 1, selfGovernanceRate: 0, replyResolveRate: 1, medianResolutionDays: 5,
    })
    expect(l.rows[2]!.figures).toEqual(empty(36))
    expect(l.quietLeaders).toEqual([])
  })

  it('the month before holds the visit a second before midnight, and April’s feedback', async () => {
    const l = await ledger(who.wang, 'pl/tuodong/mingtongxiang/g01', '2026-04')
    expect(l.totals.visits).toBe(1)
    expect(l.totals.householdsCovered).toBe(1)
    expect(l.totals.feedbackCollected).toBe(1)
    expect(l.totals.feedbackOpen).toBe(1)
  })

  it('a community: rows per group, and the same totals', async () => {
    const l = await ledger(who.liu, 'pl/tuodong/mingtongxiang')
    expect(l.name).toBe('明通巷社区')
    expect(l.totals).toEqual({ ...G01, households: 290 })
    expect(l.rows.map((r) => r.name)).toEqual(['第一居民小组', '第二居民小组'])
    expect(l.rows[0]!.figures).toEqual(G01)
    expect(l.rows[1]!.figures).toEqual(empty(188))
  })

  it('a street: communities by name, reading at 状元楼, and 李建华 with no record in May', async () => {
    const l = await ledger(who.chen, 'pl/tuodong')
    expect(l.rows.map((r) => r.name)).toEqual(['明通巷社区', '尚义社区', '状元楼社区'])
    // 状元楼 1栋 is the demo's 33-floor tower: 2 units × 33 floors × 4 rooms = 264 households of the street's 1,234
    expect(l.totals).toEqual({ ...G01, households: 1234, readingSessions: 1, readingAttendance: 8, readingHouseholds: 2, leadersWithoutRecords: 1 })
    expect(l.rows[1]!.figures).toEqual(empty(362))
    expect(l.rows[2]!.figures).toEqual({ ...empty(582), readingSessions: 1, readingAttendance: 8, readingHouseholds: 2, leadersWithoutRecords: 1 })
    expect(l.quietLeaders.map((p) => [p.name, p.role])).toEqual([['李建华', 'building_leader']])
  })

  it('refuses a scope outside the caller’s with a 403 JSON error, and a bad month with a 400', async () => {
    for (const [by, scope] of [[who.zhang, 'pl/tuodong/mingtongxiang'], [who.chen, 'pl'], [who.liu, 'pl/tuodong/shangyi']] as const) {
      const res = await env.app.inject({ url: `/api/v1/ledger?scope=${scope}&month=2026-05`, headers: bearer(by.token) })
      expect(res.statusCode).toBe(403)
      expect(res.json()).toMatchObject({ error: { code: 'forbidden', message: '没有权限查看或修改这些内容' } })
    }
    const bad = await env.app.inject({ url: '/api/v1/ledger?scope=pl/tuodong&month=2026-13', headers: bearer(who.chen.token) })
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toMatchObject({ error: { code: 'bad_request' } })
  })
})

describe('回访 (report back)', () => {
  it('is refused from a level that neither raised nor resolved the item', async () => {
    const event = {
      id: uuidv7(), type: 'feedback.event', v: 1, orgPath: f1.orgPath, authorId: who.wang.user.id, deviceId: 'd', clientTime: '2026-05-08T02:00:00.000Z',
      body: { feedback: f1.id, text: '电话回访', action: 'report_back', how: 'phone', residentView: 'satisfied', reportedAt: '2026-05-08T02:00:00.000Z' },
    }
    const res = await push(env.app, who.wang.token, [event])
    const [r] = res.json<{ results: PushResult[] }>().results
    expect(r).toMatchObject({ status: 'rejected', code: 'cannot_report_back' })
  })
})

describe('exports', () => {
  it('XLSX: five sheets (the fifth 志愿服务记录), typed numbers and dates, masked phones, named by scope and month', async () => {
    const res = await env.app.inject({ url: '/api/v1/ledger?scope=pl/tuodong/mingtongxiang&month=2026-05&format=xlsx', headers: bearer(who.liu.token) })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toContain('spreadsheetml')
    expect(decodeURIComponent(String(res.headers['content-disposition']).split("UTF-8''")[1]!)).toBe('明通巷社区-2026-05-台账.xlsx')
    const wb = await readWorkbook(res.rawPayload)
    expect(wb.names).toEqual(['月度工作台账', '入户走访登记表', '民情事项台账', '读报点记录', '志愿服务记录'])
    const sum = (address: string) => wb.cell('月度工作台账', address)
    expect(sum('A1')).toBe('明通巷社区 2026-05 月度工作台账')
    expect(sum('A2')).toBe('单位')
    expect(sum('C2')).toBe('户数')
    expect(sum('A3')).toBe('第一居民小组')
    expect(sum('C3')).toBe(102)
    expect(sum('D3')).toBe(3)
    expect(sum('E3')).toBeCloseTo(3 / 102)
    expect(sum('F3')).toBe(5)
    expect(sum('X3')).toBe(4) // median days
    expect(sum('AA3')).toBeCloseTo(2 / 3) // 居民自治协调解决案件比例
    expect(sum('AB3')).toBe(0.5) // 收集信息反馈与协调解决比例
    expect(sum('A4')).toBe('第二居民小组')
    expect(sum('AA4')).toBe(null)
    expect(sum('A5')).toBe('合计(明通巷社区)')
    expect(sum('C5')).toBe(290)
    // shares shown as percentages, times as dates with the minute; A4 landscape, one page wide; title and header stay in view
    const styles = wb.xml('xl/styles.xml')
    expect(styles).toContain('formatCode="0.0%"')
    expect(styles).toContain('formatCode="yyyy-mm-dd hh:mm"')
    const sheet1 = wb.xml('xl/worksheets/sheet1.xml')
    expect(sheet1).toMatch(/<pageSetup [^>]*paperSize="9"/)
    expect(sheet1).toMatch(/<pageSetup [^>]*orientation="landscape"/)
    expect(sheet1).toMatch(/<pageSetup [^>]*fitToWidth="1"/)
    expect(sheet1).toContain('<pageSetUpPr fitToPage="1"/>')
    expect(sheet1).toMatch(/<pane [^>]*ySplit="2"[^>]*state="frozen"/)
    const visits = wb.rows('入户走访登记表')
    expect(visits[1]).toEqual(['序号', '走访日期', '社区', '居民小组', '楼栋', '单元/门牌', '住户称呼', '联系电话', '走访目的', '结果', '情况摘要', '生成事项编号', '走访人', '备注'])
    // the first visit of May is the one at Shanghai midnight: a typed date showing 2026-05-01 00:00
    const first = visits[2]!
    expect(first[0]).toBe(1)
    expect(first[1]).toBeInstanceOf(Date)
    expect((first[1] as Date).toISOString()).toBe('2026-05-01T00:00:00.000Z')
    expect(first.slice(2, 6)).toEqual(['明通巷社区', '第一居民小组', '1栋', '1单元 201'])
    expect(first[9]).toBe('见到住户')
    expect(first[10]).toBe('情况正常,联系电话138****5678')
    expect(first[12]).toBe('张秀英')
    expect(visits).toHaveLength(2 + 5 + 2) // title, header, five visits, blank, signatures
    expect(visits[8]!.slice(0, 7)).toEqual(['填报人:', null, null, '审核人:', null, null, '日期:'])
    const items = wb.rows('民情事项台账').slice(2)
    const f3 = items.find((row) => String(row[8] ?? '').includes('社区'))!
    expect(f3[8]).toBe('楼栋 2026-05-10 → 居民小组 2026-05-11 → 社区 2026-05-12 → 社区 2026-05-15 办结')
    expect(f3[10]).toBe('社区')
    expect(f3[12]).toBe(5)
    expect([f3[13], f3[15], f3[16]]).toEqual(['是', '电话', '不满意'])
    expect(f3[14]).toBeInstanceOf(Date)
  })

  it('CSV: UTF-8 with a byte-order mark, one sheet, CRLF', async () => {
    const res = await env.app.inject({ url: '/api/v1/ledger?scope=pl/tuodong&month=2026-05&format=csv', headers: bearer(who.chen.token) })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8')
    const bytes = res.rawPayload
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(3))
    const lines = text.split('\r\n')
    expect(lines[0]!.split(',').slice(0, 5)).toEqual(['单位', '层级', '户数', '本月见到户数', '覆盖率'])
    expect(lines[1]!.split(',').slice(0, 4)).toEqual(['明通巷社区', '社区', '290', '3'])
    expect(lines[4]!.startsWith('合计(拓东街道),街道,1234,3,0.2%')).toBe(true)
    const visits = await env.app.inject({ url: '/api/v1/ledger?scope=pl/tuodong&month=2026-05&format=csv&sheet=visits', headers: bearer(who.chen.token) })
    const vt = visits.body
    expect(vt).toContain('138****5678')
    expect(vt).not.toContain('13812345678')
    expect(decodeURIComponent(String(visits.headers['content-disposition']).split("UTF-8''")[1]!)).toBe('拓东街道-2026-05-入户走访登记表.csv')
  })
})

describe('GET /api/v1/ledger/ranking', () => {
  it('ranks a street’s communities with every component; weights set by street staff are a record', async () => {
    const get = async () => {
      const res = await env.app.inject({ url: '/api/v1/ledger/ranking?scope=pl/tuodong&month=2026-05', headers: bearer(who.chen.token) })
      expect(res.statusCode, res.body).toBe(200)
      return v.parse(RankingResponse, res.json())
    }
    const before = await get()
    expect(before.weights).toEqual({ coverage: 30, careOnTime: 20, selfGovernance: 20, replyResolve: 20, activeLeaders: 10 })
    expect(before.weightsSetBy).toBeUndefined()
    // 明通巷: coverage 3/290, care 1/2, self-governance 2/3, reply 1/2, leaders 2/2 active
    const mtx = before.rows.find((r) => r.name === '明通巷社区')!
    expect(mtx.components).toEqual({ coverage: 3 / 290, careOnTime: 0.5, selfGovernance: 2 / 3, replyResolve: 0.5, activeLeaders: 1 })
    expect(mtx.score).toBe(Math.round(((30 * 3) / 290 + 20 * 0.5 + (20 * 2) / 3 + 20 * 0.5 + 10) * 10) / 10)
    expect(mtx.rank).toBe(1)
    // 状元楼: only leaders count, and one of its two is quiet → 10 × 0.5 ÷ 100 → 5.0; 尚义 has no leaders → 0
    expect(before.rows.map((r) => [r.name, r.rank, r.score])).toEqual([['明通巷社区', 1, mtx.score], ['状元楼社区', 2, 5], ['尚义社区', 3, 0]])

    const weights = { coverage: 0, careOnTime: 0, selfGovernance: 0, replyResolve: 0, activeLeaders: 1 }
    const record = { id: uuidv7(), type: 'ledger.weights', v: 1, orgPath: 'pl/tuodong', authorId: who.chen.user.id, deviceId: 'd', clientTime: '2026-06-01T02:00:00.000Z', body: { weights } }
    await pushAll(env.app, who.chen, [record as never])
    const after = await get()
    expect(after.weights).toEqual(weights)
    expect(after.weightsSetBy).toBe('陈刚')
    expect(after.rows.map((r) => [r.name, r.score])).toEqual([['明通巷社区', 100], ['状元楼社区', 50], ['尚义社区', 0]])
    // a community's staff may not set a street's weights
    const res = await push(env.app, who.liu.token, [{ ...record, id: uuidv7(), authorId: who.liu.user.id }])
    expect(res.json<{ results: PushResult[] }>().results[0]).toMatchObject({ status: 'rejected', code: 'out_of_scope' })
  })
})
