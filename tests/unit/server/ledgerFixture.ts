/**
 * A small fixed month (May 2026) pushed through the real push route, for the
 * ledger tests. The expected figures live in the tests, worked out by hand.
 *
 * 明通巷社区 第一居民小组 (g01): b01 24 households, b02 42, b03 36.
 * Visits (张秀英, building leader of b01/b02):
 *  v1 b01 1-1-1 met, 政策宣传, 05-03          v2 b01 1-1-1 met again, 05-10
 *  v3 b01 1-1-2 无人在家, 05-05               v4 b01 1-2-1 met at 05-01 00:00 Shanghai (04-30T16:00Z)
 *  v5 b01 1-2-2 met at 04-30 23:59:59 Shanghai (April)
 *  v6 b02 1-1-1 拒绝 05-06, corrected to met    v7 b02 1-1-2 met, 政策宣传, 05-07, voided
 * 李建华 (状元楼 b01): v8 on 04-25 only, so no record in May.
 * Care (b01): 1-1-1 flagged 04-01 every 30 days (due 05-01, met 05-03: late);
 *             1-2-1 flagged 04-10 every 30 days (met 05-01, then due 05-31: kept).
 * Feedback: f1 b01 05-04 resolved at building 05-06, 回访 满意 05-07
 *           f2 b01 05-05 → group 05-06, resolved by 王志强 at group 05-09
 *           f3 b02 05-10 → group 05-11 → community 05-12, resolved by 刘敏 05-15, 回访 不满意
 *           f4 b01 04-20 urgent, open;  f5 b01 06-01 00:30 Shanghai;  f6 b01 05-20 open
 * Reading: 赵丽华 at 状元楼 体育小区小广场 05-12, 8 people, 2 named households;
 *          another on 06-01 09:00 Shanghai.
 */
import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'
import { uuidv7 } from '../../../src/shared/ids'
import type { LocalRecord } from '../../../src/shared/records'
import type { LoginResponse, PushResult } from '../../../src/shared/protocol'
import { B01, B02, push, ZYL_B01 } from './helpers'

export const ZYL_TIYU = 'pl/tuodong/zhuangyuanlou/g01/rp-tiyu'

type Who = Record<'zhang' | 'li' | 'wang' | 'liu' | 'zhao', LoginResponse>

const later = (iso: string, minutes = 5) => new Date(Date.parse(iso) + minutes * 60_000).toISOString()

function rec<T extends LocalRecord['type']>(by: LoginResponse, type: T, orgPath: string, at: string, body: unknown): LocalRecord {
  return { id: uuidv7(), type, v: 1, orgPath, authorId: by.user.id, deviceId: 'dev-ledger', clientTime: later(at), body } as LocalRecord
}

function visitRec(by: LoginResponse, orgPath: string, household: string, outcome: string, at: string, purposes: string[] = ['care']): LocalRecord {
  return rec(by, 'visit', orgPath, at, { household, outcome, purposes, note: '情况正常,联系电话13812345678', visitedAt: at })
}

function fb(by: LoginResponse, orgPath: string, at: string, urgency = 'normal'): LocalRecord {
  return rec(by, 'feedback', orgPath, at, { category: 'repair', description: '楼道灯坏了', urgency, channel: 'visit', raisedAt: at })
}

function ev(by: LoginResponse, f: LocalRecord, at: string, action: Record<string, unknown>): LocalRecord {
  const r = rec(by, 'feedback.event', f.orgPath, at, { feedback: f.id, text: '处理说明', ...action })
  return { ...r, clientTime: at }
}

export async function pushAll(app: FastifyInstance, by: LoginResponse, records: LocalRecord[]): Promise<void> {
  const res = await push(app, by.token, records)
  expect(res.statusCode, res.body).toBe(200)
  const results = res.json<{ results: PushResult[] }>().results
  expect(results.map((r) => r.status), JSON.stringify(results)).toEqual(records.map(() => 'accepted'))
}

/** Pushes the month described above, each record by the person who makes it. */
export async function pushLedgerMonth(app: FastifyInstance, who: Who): Promise<{ f1: LocalRecord }> {
  const { zhang, li, wang, liu, zhao } = who
  const v1 = visitRec(zhang, B01, '1-1-1', 'met', '2026-05-03T02:00:00.000Z', ['policy'])
  const v2 = visitRec(zhang, B01, '1-1-1', 'met', '2026-05-10T02:00:00.000Z')
  const v3 = visitRec(zhang, B01, '1-1-2', 'nobody_home', '2026-05-05T02:00:00.000Z')
  const v4 = visitRec(zhang, B01, '1-2-1', 'met', '2026-04-30T16:00:00.000Z')
  const v5 = visitRec(zhang, B01, '1-2-2', 'met', '2026-04-30T15:59:59.000Z')
  const v6 = visitRec(zhang, B02, '1-1-1', 'declined', '2026-05-06T02:00:00.000Z')
  const v7 = visitRec(zhang, B02, '1-1-2', 'met', '2026-05-07T02:00:00.000Z', ['policy'])
  const fix6 = rec(zhang, 'correction', B02, '2026-05-06T03:00:00.000Z', { target: v6.id, targetType: 'visit', fields: { outcome: 'met' }, reason: '点错了' })
  const void7 = rec(zhang, 'void', B02, '2026-05-07T03:00:00.000Z', { target: v7.id, reason: '记错了户' })
  const care1 = rec(zhang, 'care.flag', B01, '2026-03-31T16:00:00.000Z', { household: '1-1-1', kind: 'alone_elderly', intervalDays: 30, active: true })
  const care2 = rec(zhang, 'care.flag', B01, '2026-04-10T02:00:00.000Z', { household: '1-2-1', kind: 'disabled', intervalDays: 30, active: true, consent: { how: 'written', by: 'self', at: '2026-04-10T01:00:00.000Z' } })
  // care flags' clock: flaggedAt is the record's clientTime
  care1.clientTime = '2026-03-31T16:00:00.000Z'
  care2.clientTime = '2026-04-10T02:00:00.000Z'
  const f1 = fb(zhang, B01, '2026-05-04T02:00:00.000Z')
  const f2 = fb(zhang, B01, '2026-05-05T02:00:00.000Z')
  const f3 = fb(zhang, B02, '2026-05-10T02:00:00.000Z')
  const f4 = fb(zhang, B01, '2026-04-20T02:00:00.000Z', 'urgent')
  const f5 = fb(zhang, B01, '2026-05-31T16:30:00.000Z')
  const f6 = fb(zhang, B01, '2026-05-20T02:00:00.000Z')
  await pushAll(app, zhang, [
    v1, v2, v3, v4, v5, v6, v7, fix6, void7, care1, care2, f1, f2, f3, f4, f5, f6,
    ev(zhang, f1, '2026-05-06T02:00:00.000Z', { action: 'resolve', atLevel: 'building' }),
    ev(zhang, f1, '2026-05-07T02:00:00.000Z', { action: 'report_back', how: 'in_person', residentView: 'satisfied', reportedAt: '2026-05-07T02:00:00.000Z' }),
    ev(zhang, f2, '2026-05-06T02:00:00.000Z', { action: 'escalate', toLevel: 'group' }),
    ev(zhang, f3, '2026-05-11T02:00:00.000Z', { action: 'escalate', toLevel: 'group' }),
  ])
  await pushAll(app, wang, [
    ev(wang, f2, '2026-05-09T02:00:00.000Z', { action: 'resolve', atLevel: 'group' }),
    ev(wang, f3, '2026-05-12T02:00:00.000Z', { action: 'escalate', toLevel: 'community' }),
  ])
  await pushAll(app, liu, [
    ev(liu, f3, '2026-05-15T02:00:00.000Z', { action: 'resolve', atLevel: 'community' }),
    ev(liu, f3, '2026-05-16T02:00:00.000Z', { action: 'report_back', how: 'phone', residentView: 'dissatisfied', reportedAt: '2026-05-16T02:00:00.000Z' }),
  ])
  await pushAll(app, li, [visitRec(li, ZYL_B01, '1-1-1', 'met', '2026-04-25T02:00:00.000Z', ['policy'])])
  const session = (startedAt: string) =>
    rec(zhao, 'reading.session', ZYL_TIYU, startedAt, {
      startedAt,
      endedAt: later(startedAt, 40),
      reader: '赵丽华',
      materials: ['人民日报'],
      headCount: 8,
      households: [{ building: ZYL_B01, household: '1-1-1' }, { building: ZYL_B01, household: '1-1-2' }],
      notes: '',
    })
  await pushAll(app, zhao, [session('2026-05-12T01:00:00.000Z'), session('2026-06-01T01:00:00.000Z')])
  return { f1 }
}
