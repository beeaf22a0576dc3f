/**
 * Demo volunteers for 明通巷社区: two teams, three volunteers (孙丽 has the demo
 * volunteer account 13800000021), two pairings with care households of 1栋,
 * services over the last months and this one, and four 微心愿 in every state
 * the wall shows. Pushed through the real push by their authors, oldest first,
 * like the demo ledger (demoLedger.ts). Deterministic for a given `now`.
 */
import type { Storage } from './storage'
import { pushRecords } from './sync/push'
import { effectiveScopes } from './scope'
import { uuidv7 } from '../shared/ids'
import { DAY_MS } from '../shared/time'
import type { LocalRecord } from '../shared/records'

const MTX = 'pl/tuodong/mingtongxiang'
const B01 = `${MTX}/g01/b01`
const B02 = `${MTX}/g01/b02`
const LIU = 'demo-13800000003'
const ZHANG = 'demo-13800000001'
/** the demo volunteer account (DEMO_USERS) */
export const DEMO_VOLUNTEER = 'demo-13800000021'

/** Writes the demo volunteers; returns how many records were made and how many accepted. */
export async function seedDemoVolunteers(storage: Storage, now: number): Promise<{ made: number; accepted: number }> {
  const made: { by: string; record: LocalRecord }[] = []
  const iso = (t: number) => new Date(t).toISOString()
  const rec = (by: string, type: LocalRecord['type'], orgPath: string, t: number, body: unknown) => {
    const record = { id: uuidv7(), type, v: 1, orgPath, authorId: by, deviceId: 'demo', clientTime: iso(t), body } as LocalRecord
    made.push({ by, record })
    return record
  }
  const start = now - 75 * DAY_MS
  const party = rec(LIU, 'volunteer.team', MTX, start, { name: '红帽子党员志愿队', kind: 'party', active: true })
  const culture = rec(LIU, 'volunteer.team', MTX, start + 1000, { name: '文化志愿者队', kind: 'culture', active: true })
  const sun = rec(LIU, 'volunteer', MTX, start + 2000, { name: '孙丽', phone: '13800000021', team: party.id, skills: '理发、量血压', availability: '周末上午', active: true })
  const zhou = rec(LIU, 'volunteer', MTX, start + 3000, { name: '周建国', phone: '13900000022', team: party.id, skills: '水电维修', availability: '工作日晚上', active: true })
  const wu = rec(LIU, 'volunteer', MTX, start + 4000, { name: '吴芳', team: culture.id, skills: '书法、教用手机', availability: '周三下午', active: true })
  rec(LIU, 'volunteer.pairing', B01, start + 5000, { volunteer: sun.id, volunteerName: '孙丽', household: '1-3-2', startsAt: iso(start), intervalDays: 7, active: true })
  rec(LIU, 'volunteer.pairing', B01, start + 6000, { volunteer: zhou.id, volunteerName: '周建国', household: '2-2-1', startsAt: iso(start), intervalDays: 14, active: true })

  // 孙丽 sees her paired elder about weekly and records it herself; 周建国's visits are recorded by staff
  for (let t = start + 3 * DAY_MS; t < now - DAY_MS; t += 8 * DAY_MS) {
    rec(DEMO_VOLUNTEER, 'volunteer.service', B01, t, { volunteer: sun.id, kind: 'care_visit', note: '陪老人聊天,量了血压', servedAt: iso(t), hours: 1.5, households: ['1-3-2'] })
  }
  for (let t = start + 5 * DAY_MS; t < now - DAY_MS; t += 16 * DAY_MS) {
    rec(LIU, 'volunteer.service', B01, t, { volunteer: zhou.id, kind: 'repair', note: '检查电路、换灯泡', servedAt: iso(t), hours: 2, households: ['2-2-1'] })
  }
  for (let t = start + 9 * DAY_MS; t < now - DAY_MS; t += 21 * DAY_MS) {
    rec(LIU, 'volunteer.service', MTX, t, { volunteer: wu.id, kind: 'publicity', note: '社区书法课', servedAt: iso(t), hours: 3, households: [] })
  }

  const wish = (t: number, building: string, household: string, body: Record<string, unknown>, contact: string) => {
    const w = rec(ZHANG, 'wish', building, t, { ...body, postedAt: iso(t) })
    rec(ZHANG, 'wish.address', building, t + 1000, { wish: w.id, household, contact })
    return w
  }
  const step = (by: string, w: LocalRecord, t: number, body: Record<string, unknown>) => rec(by, 'wish.event', w.orgPath, t, { wish: w.id, at: iso(t), note: '', ...body })
  const phone = wish(now - 40 * DAY_MS, B01, '2-4-2', { category: 'study', description: '想学用智能手机和孙子视频通话', costCap: 0 }, '下午在家,敲门即可')
  step(LIU, phone, now - 38 * DAY_MS, { action: 'claim', volunteer: wu.id })
  step(LIU, phone, now - 34 * DAY_MS, { action: 'fulfil', note: '教了两次,已经会用视频通话' })
  step(ZHANG, phone, now - 33 * DAY_MS, { action: 'confirm', note: '老人很满意' })
  const tap = wish(now - 4 * DAY_MS, B01, '1-5-1', { category: 'repair', description: '卫生间水龙头漏水,想请人帮忙换一个', costCap: 80 }, '王阿姨,上午在家')
  step(DEMO_VOLUNTEER, tap, now - 2 * DAY_MS, { action: 'claim', volunteer: sun.id })
  wish(now - 3 * DAY_MS, B01, '2-6-1', { category: 'daily_goods', description: '想要一副 300 度的老花镜', costCap: 50 }, '')
  wish(now - DAY_MS, B02, '1-2-2', { category: 'health', description: '腿脚不便,需要一个助行器', costCap: 200 }, '家人晚上在')

  let accepted = 0
  made.sort((a, b) => (a.record.clientTime < b.record.clientTime ? -1 : a.record.clientTime > b.record.clientTime ? 1 : 0))
  for (const { by, record } of made) {
    const user = await storage.users.byId(by)
    if (!user) continue
    const results = await pushRecords([record], { storage, user, scopes: await effectiveScopes(storage, user.scopes), now, lang: 'zh-CN' })
    if (results[0]?.status === 'accepted') accepted++
  }
  return { made: made.length, accepted }
}
