/**
 * One rule table, one verdict: each case is checked by the device (the shared
 * table over what the person's phone holds after a pull: session, org tree,
 * people, records) and pushed to the real server (a SQLite file, the same table
 * inside the batch transaction). Both must agree: the device saves exactly what
 * the server accepts, and refuses the rest with the server's code.
 *
 * Not here, because only the server can know them: id reservations, and
 * references to records outside the person's scope (the device never holds them).
 */
import 'fake-indexeddb/auto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LoudongDB } from '@app/db/database'
import { checkBeforeSave } from '@app/sync/deviceRules'
import { checkEnvelope, uuidv7, type LocalRecord, type OrgResponse, type PeopleResponse, type PullResponse, type PushResult, type RecordType } from '@shared/index'
import { B01, B02, bearer, demoPasswordHash, login, PHONES, push, setup, ZYL_B01, type TestEnv } from '../server/helpers'
import type { LoginResponse } from '@shared/index'

const RP = 'pl/tuodong/zhuangyuanlou/g01/rp-tiyu' // 状元楼 g01's point: 李 (b01 leader) joins it
const RP_G02 = 'pl/tuodong/zhuangyuanlou/g02/rp-tidiansuo' // another group's point

let env: TestEnv
const who = {} as Record<'zhang' | 'li' | 'wang' | 'liu' | 'zhao', LoginResponse>
let n = 0

beforeAll(async () => {
  env = await setup()
  for (const k of ['zhang', 'li', 'wang', 'liu'] as const) who[k] = await login(env.app, PHONES[k])
  who.zhao = await login(env.app, '13800000012')
})
afterAll(async () => {
  await env.close()
})

function rec<T extends RecordType>(by: LoginResponse, type: T, orgPath: string, body: unknown, clientTime = '2026-05-01T09:30:00.000Z'): LocalRecord<T> {
  return { id: uuidv7(), type, v: 1, orgPath, authorId: by.user.id, deviceId: 'dev', clientTime, body } as LocalRecord<T>
}
const visit = (by: LoginResponse, orgPath = B01, over: Record<string, unknown> = {}) =>
  rec(by, 'visit', orgPath, { household: '1-3-2', outcome: 'met', purposes: ['care'], note: '', visitedAt: '2026-05-01T09:20:00.000Z', ...over })
const feedback = (by: LoginResponse, orgPath = B01, over: Record<string, unknown> = {}) =>
  rec(by, 'feedback', orgPath, { category: 'repair', description: '楼道灯坏了', urgency: 'normal', channel: 'visit', raisedAt: '2026-05-01T08:55:00.000Z', ...over })
const event = (by: LoginResponse, fb: LocalRecord, action: Record<string, unknown>) => rec(by, 'feedback.event', fb.orgPath, { feedback: fb.id, text: '处理说明', ...action })
const amend = (by: LoginResponse, target: LocalRecord, kind: 'void' | 'correction') =>
  kind === 'void'
    ? rec(by, 'void', target.orgPath, { target: target.id, reason: '记错了' })
    : rec(by, 'correction', target.orgPath, { target: target.id, targetType: target.type, fields: target.type === 'visit' ? { note: '改正' } : { headCount: 0 } })
const session = (by: LoginResponse, orgPath = RP, over: Record<string, unknown> = {}) =>
  rec(by, 'reading.session', orgPath, { startedAt: '2026-05-01T08:30:00.000Z', endedAt: '2026-05-01T09:00:00.000Z', reader: '读报人', materials: ['人民日报'], headCount: 25, households: [], notes: '', ...over })

/** The person's phone after a full sync: what the server sent them, in a fresh device database. */
async function phoneOf(by: LoginResponse): Promise<LoudongDB> {
  const db = new LoudongDB(`parity-${++n}`)
  const get = async <T>(url: string) => (await env.app.inject({ url, headers: bearer(by.token) })).json<T>()
  await db.setMeta('session', { token: by.token, user: by.user })
  await db.org.bulkPut((await get<OrgResponse>('/api/v1/org')).nodes)
  await db.setMeta('people', (await get<PeopleResponse>('/api/v1/people')).people)
  await db.records.bulkPut((await get<PullResponse>('/api/v1/sync/pull?after=0&limit=2000')).records)
  return db
}

/** The device's verdict, then the server's, as `accepted` or the refusal code. */
async function verdicts(by: LoginResponse, record: LocalRecord): Promise<[string, string]> {
  const db = await phoneOf(by)
  const envelope = checkEnvelope(record, by.user.id)
  const issue = envelope.ok ? await checkBeforeSave(db, record, env.clock.t) : envelope.issue
  db.close()
  const [result] = (await push(env.app, by.token, [record])).json<{ results: PushResult[] }>().results
  return [issue ? issue.code : 'accepted', result!.status === 'rejected' ? result!.code : result!.status]
}

/** Stores records as their authors, so later cases can refer to them. */
async function stored(by: LoginResponse, ...records: LocalRecord[]): Promise<void> {
  const results = (await push(env.app, by.token, records)).json<{ results: PushResult[] }>().results
  expect(results.map((r) => r.status)).toEqual(records.map(() => 'accepted'))
}

describe('device and server give the same verdict', () => {
  it('place, clock and the type checks', async () => {
    const cases: [LoginResponse, LocalRecord][] = [
      [who.zhang, visit(who.zhang)],
      [who.zhang, visit(who.zhang, ZYL_B01)],
      [who.zhang, visit(who.zhang, B01, { household: '9-9-9' })],
      [who.zhang, visit(who.zhang, 'pl/tuodong/mingtongxiang/g01')],
      [who.zhang, visit(who.zhang, B01, { visitedAt: '2026-05-04T09:00:00.000Z' })],
      [who.zhang, rec(who.zhang, 'visit', B01, { household: '1-3-2', outcome: 'met', purposes: [], note: '', visitedAt: '2026-05-01T09:20:00.000Z' }, '2026-05-09T00:00:00.000Z')],
      [who.zhang, feedback(who.zhang, B02, { household: '1-1-1' })],
      [who.zhang, feedback(who.zhang, 'pl/tuodong/mingtongxiang/g01', { household: '1-1-1' })],
      [who.li, session(who.li)],
      [who.li, session(who.li, RP_G02)],
      [who.li, session(who.li, RP, { households: [{ building: 'pl/tuodong/zhuangyuanlou/g02/b01', household: '1-1-1' }], headCount: 3 })],
      [who.li, feedback(who.li, RP, { channel: 'reading' })],
      [who.wang, visit(who.wang, B02)],
    ]
    const got: string[] = []
    for (const [by, record] of cases) {
      const [device, server] = await verdicts(by, record)
      got.push(server)
      expect(device, `${record.type} at ${record.orgPath}: device ${device}, server ${server}`).toBe(server)
    }
    // and the verdicts are the ones the rules mean, so agreement is not agreement on nothing
    expect(got).toEqual([
      'accepted', 'out_of_scope', 'unknown_household', 'out_of_scope', 'future_time', 'future_time', 'accepted',
      'out_of_scope', 'accepted', 'out_of_scope', 'unknown_household', 'accepted', 'accepted',
    ])
  })

  it('authorship of amendments, feedback levels and references', async () => {
    const leaderVisit = visit(who.zhang)
    const groupVisit = visit(who.wang)
    const zhaoSession = session(who.zhao)
    const fb = feedback(who.zhang)
    await stored(who.zhang, leaderVisit, fb)
    await stored(who.wang, groupVisit, event(who.wang, fb, { action: 'escalate', toLevel: 'group' }), event(who.wang, fb, { action: 'escalate', toLevel: 'community' }))
    await stored(who.zhao, zhaoSession)
    const resolvedFb = feedback(who.zhang, B02)
    await stored(who.zhang, resolvedFb)
    await stored(who.wang, event(who.wang, resolvedFb, { action: 'escalate', toLevel: 'group' }), event(who.wang, resolvedFb, { action: 'escalate', toLevel: 'community' }))
    await stored(who.liu, event(who.liu, resolvedFb, { action: 'resolve', atLevel: 'community' }))

    const cases: [LoginResponse, LocalRecord][] = [
      [who.zhang, amend(who.zhang, groupVisit, 'void')],
      [who.zhang, amend(who.zhang, groupVisit, 'correction')],
      [who.wang, amend(who.wang, leaderVisit, 'correction')],
      [who.li, amend(who.li, zhaoSession, 'correction')],
      [who.zhang, amend(who.zhang, fb, 'void')],
      [who.zhang, rec(who.zhang, 'void', B01, { target: uuidv7(), reason: '记错了' })],
      [who.zhang, event(who.zhang, fb, { action: 'resolve', atLevel: 'building' })],
      [who.zhang, event(who.zhang, fb, { action: 'resolve', atLevel: 'community' })],
      [who.zhang, event(who.zhang, fb, { action: 'escalate', toLevel: 'street' })],
      [who.wang, event(who.wang, resolvedFb, { action: 'reopen' })],
      [who.zhang, event(who.zhang, resolvedFb, { action: 'reopen' })],
      [who.zhang, feedback(who.zhang, B01, { source: { type: 'visit', id: leaderVisit.id } })],
      [who.zhang, feedback(who.zhang, B01, { source: { type: 'reading.session', id: leaderVisit.id } })],
      [who.zhang, feedback(who.zhang, B01, { source: { type: 'visit', id: uuidv7() } })],
    ]
    const got: string[] = []
    for (const [by, record] of cases) {
      const [device, server] = await verdicts(by, record)
      got.push(server)
      expect(device, `${record.type} ${JSON.stringify(record.body).slice(0, 80)}: device ${device}, server ${server}`).toBe(server)
    }
    expect(got).toEqual([
      'not_your_record', 'not_your_record', 'accepted', 'not_your_record', 'not_amendable', 'unknown_target', 'accepted',
      'wrong_level', 'wrong_level', 'cannot_reopen', 'accepted', 'accepted', 'unknown_source', 'accepted',
    ])
  })

  it('回访 (report back): the raiser and the level that resolved it, nobody else; and a street’s ranking weights', async () => {
    const fb = feedback(who.zhang, B02)
    await stored(who.zhang, fb)
    await stored(who.wang, event(who.wang, fb, { action: 'escalate', toLevel: 'group' }), event(who.wang, fb, { action: 'escalate', toLevel: 'community' }))
    await stored(who.liu, event(who.liu, fb, { action: 'resolve', atLevel: 'community' }))
    const back = { action: 'report_back', how: 'phone', residentView: 'fairly_satisfied', reportedAt: '2026-05-01T09:35:00.000Z' }
    const weights = { weights: { coverage: 1, careOnTime: 1, selfGovernance: 1, replyResolve: 1, activeLeaders: 1 } }
    const cases: [LoginResponse, LocalRecord][] = [
      [who.wang, event(who.wang, fb, back)],
      [who.zhang, event(who.zhang, fb, back)],
      [who.liu, event(who.liu, fb, { ...back, residentView: 'satisfied' })],
      [who.liu, event(who.liu, fb, { ...back, reportedAt: '2036-05-01T09:35:00.000Z' })],
      [who.liu, rec(who.liu, 'ledger.weights', 'pl/tuodong', weights)],
    ]
    const got: string[] = []
    for (const [by, record] of cases) {
      const [device, server] = await verdicts(by, record)
      got.push(server)
      expect(device, `${record.type} ${JSON.stringify(record.body).slice(0, 80)}: device ${device}, server ${server}`).toBe(server)
    }
    expect(got).toEqual(['cannot_report_back', 'accepted', 'accepted', 'future_time', 'out_of_scope'])
  })

  it('personal information: consent to a sensitive care category, and who may erase a household', async () => {
    const care = (by: LoginResponse, over: Record<string, unknown>) => rec(by, 'care.flag', B01, { household: '2-2-1', intervalDays: 14, active: true, ...over })
    const consent = { how: 'written', by: 'self', at: '2026-05-01T09:00:00.000Z' }
    const erase = (by: LoginResponse, household = '2-2-1') => rec(by, 'household.erasure', B01, { household, reason: '居民申请删除' })
    const cases: [LoginResponse, LocalRecord][] = [
      [who.zhang, care(who.zhang, { kind: 'disabled' })],
      [who.zhang, care(who.zhang, { kind: 'disabled', consent })],
      [who.zhang, care(who.zhang, { kind: 'low_income', consent: { ...consent, at: '2036-05-01T09:00:00.000Z' } })],
      [who.zhang, care(who.zhang, { kind: 'low_income', consentWithdrawn: true })],
      [who.zhang, care(who.zhang, { kind: 'other', consentWithdrawn: true })],
      [who.zhang, erase(who.zhang)],
      [who.wang, erase(who.wang)],
      [who.liu, erase(who.liu, '9-9-9')],
      [who.liu, erase(who.liu)],
    ]
    const got: string[] = []
    for (const [by, record] of cases) {
      const [device, server] = await verdicts(by, record)
      got.push(server)
      expect(device, `${record.type} ${JSON.stringify(record.body).slice(0, 80)}: device ${device}, server ${server}`).toBe(server)
    }
    expect(got).toEqual(['consent_required', 'accepted', 'future_time', 'bad_value', 'accepted', 'not_staff', 'not_staff', 'unknown_household', 'accepted'])
  })

  it('volunteers, pairing, services and the 微心愿 wall: who may register, pair, record, post, claim, fulfil and confirm', async () => {
    const MTX = 'pl/tuodong/mingtongxiang'
    await env.storage.users.upsert({ phone: '13900000001', name: '孙丽', role: 'volunteer', scopes: [MTX], passwordHash: await demoPasswordHash() })
    await env.storage.users.upsert({ phone: '13900000002', name: '周建国', role: 'volunteer', scopes: [MTX], passwordHash: await demoPasswordHash() })
    const v1 = await login(env.app, '13900000001')
    const v2 = await login(env.app, '13900000002')
    const reg = (by: LoginResponse, orgPath: string, name: string, phone: string) => rec(by, 'volunteer', orgPath, { name, phone, skills: '', availability: '', active: true })
    const sun = reg(who.liu, MTX, '孙丽', '13900000001')
    const zhou = reg(who.wang, `${MTX}/g01`, '周建国', '13900000002')
    await stored(who.liu, sun)
    await stored(who.wang, zhou)
    const at = '2026-05-01T09:20:00.000Z'
    const service = (by: LoginResponse, volunteer: string, over: Record<string, unknown> = {}) =>
      rec(by, 'volunteer.service', B01, { volunteer, kind: 'care_visit', note: '', servedAt: at, hours: 1, households: ['1-3-2'], ...over })
    const pairing = (by: LoginResponse, volunteer: string) => rec(by, 'volunteer.pairing', B01, { volunteer, volunteerName: '孙丽', household: '1-3-2', startsAt: at, intervalDays: 7, active: true })
    const wish = rec(who.zhang, 'wish', B01, { category: 'repair', description: '修一下门锁', costCap: 30, postedAt: at })
    await stored(who.zhang, wish, rec(who.zhang, 'wish.address', B01, { wish: wish.id, household: '1-2-1', contact: '' }))
    const step = (by: LoginResponse, action: string, over: Record<string, unknown> = {}) => rec(by, 'wish.event', B01, { wish: wish.id, action, at, note: action === 'fulfil' ? '修好了' : '', ...over })
    const claimed = step(v1, 'claim', { volunteer: sun.id })
    const cases: [LoginResponse, LocalRecord][] = [
      [who.zhang, reg(who.zhang, `${MTX}/g01`, '甲', '13900000003')],
      [who.wang, reg(who.wang, `${MTX}/g01`, '乙', '13900000004')],
      [who.wang, reg(who.wang, `${MTX}/g02`, '丙', '13900000005')],
      [v1, reg(v1, MTX, '丁', '13900000006')],
      [who.zhang, pairing(who.zhang, sun.id)],
      [who.wang, pairing(who.wang, sun.id)],
      [who.wang, pairing(who.wang, zhou.id)],
      [who.liu, pairing(who.liu, uuidv7())],
      [v1, service(v1, sun.id)],
      [v1, service(v1, zhou.id)],
      [v1, service(v1, sun.id, { hours: 0.3 })],
      [who.zhang, service(who.zhang, zhou.id)],
      [v1, visit(v1)],
      [v1, rec(v1, 'wish', B01, { category: 'repair', description: '想要', costCap: 0, postedAt: at })],
      [v1, step(v1, 'claim', { volunteer: zhou.id })],
      [v1, claimed],
      [v2, step(v2, 'claim', { volunteer: zhou.id })],
      [v2, step(v2, 'fulfil')],
      [who.zhang, step(who.zhang, 'confirm')],
      [v1, step(v1, 'fulfil')],
      [v1, step(v1, 'confirm')],
      [who.zhang, step(who.zhang, 'confirm')],
    ]
    const got: string[] = []
    for (const [by, record] of cases) {
      const [device, server] = await verdicts(by, record)
      got.push(server)
      expect(device, `${record.type} ${JSON.stringify(record.body).slice(0, 80)}: device ${device}, server ${server}`).toBe(server)
    }
    expect(got).toEqual([
      'out_of_scope', 'accepted', 'out_of_scope', 'not_for_volunteers', 'leaders_only', 'unknown_volunteer', 'accepted', 'unknown_volunteer',
      'accepted', 'not_your_volunteer', 'bad_hours', 'unknown_volunteer', 'not_for_volunteers', 'not_for_volunteers',
      'not_your_volunteer', 'accepted', 'wish_taken', 'wish_not_yours', 'wish_wrong_state', 'accepted', 'wish_not_yours', 'accepted',
    ])
  })
})
