/**
 * Demo records that make the ledger worth opening on first start: the last
 * three months and this one, in the demo district only — visits (met, 无人在家,
 * 拒绝, 政策宣传), care households, feedback resolved at every level with 回访,
 * some still open, and reading sessions at points in two communities. Every
 * record goes through the real push (the rule table), pushed by its author.
 * Deterministic: the same `now` gives the same records.
 */
import type { Storage } from './storage'
import { pushRecords } from './sync/push'
import { effectiveScopes } from './scope'
import { uuidv7 } from '../shared/ids'
import { monthStart, previousMonthKey, monthKey, DAY_MS } from '../shared/time'
import type { LocalRecord } from '../shared/records'
import type { OrgNode } from '../shared/org'

/** A second community's reading point, so reading figures show in more than one community. */
export const DEMO_LEDGER_POINT: OrgNode = { path: 'pl/tuodong/mingtongxiang/g01/rp-mingtong', kind: 'reading_point', name: '明通巷口', place: '明通巷口老槐树下', usualTime: '每天 9:00' }

const BUILDINGS = {
  zhang: ['pl/tuodong/mingtongxiang/g01/b01', 'pl/tuodong/mingtongxiang/g01/b02'],
  li: ['pl/tuodong/zhuangyuanlou/g01/b01'],
}

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Made = { by: string; record: LocalRecord }

/** Writes the demo months; returns how many records were accepted. */
export async function seedDemoLedger(storage: Storage, now: number): Promise<number> {
  await storage.org.upsert(DEMO_LEDGER_POINT)
  const rand = rng(13)
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!
  const made: Made[] = []
  const iso = (t: number) => new Date(t).toISOString()
  const rec = (by: string, type: LocalRecord['type'], orgPath: string, at: number, body: unknown) => {
    const record = { id: uuidv7(), type, v: 1, orgPath, authorId: by, deviceId: 'demo', clientTime: iso(at), body } as LocalRecord
    made.push({ by, record })
    return record
  }
  const layouts = new Map<string, OrgNode['layout']>()
  for (const p of [...BUILDINGS.zhang, ...BUILDINGS.li]) layouts.set(p, (await storage.org.get(p))?.layout)
  const households = (path: string) => {
    const layout = layouts.get(path)
    const out: string[] = []
    if (layout) for (let u = 1; u <= layout.units; u++) for (let f = 1; f <= layout.floors; f++) for (let r = 1; r <= layout.roomsPerFloor; r++) out.push(`${u}-${f}-${r}`)
    return out
  }
  const months = [previousMonthKey(previousMonthKey(previousMonthKey(monthKey(now)))), previousMonthKey(previousMonthKey(monthKey(now))), previousMonthKey(monthKey(now)), monthKey(now)]
  const leaders = { zhang: 'demo-13800000001', li: 'demo-13800000011' } as const

  // care households, flagged before the first month
  const first = monthStart(months[0]!) - 5 * DAY_MS
  for (const h of ['1-1-1', '1-3-2', '2-2-1']) rec(leaders.zhang, 'care.flag', BUILDINGS.zhang[0]!, first, { household: h, kind: 'alone_elderly', intervalDays: 30, active: true })
  rec(leaders.li, 'care.flag', BUILDINGS.li[0]!, first, { household: '1-2-1', kind: 'disabled', intervalDays: 14, active: true, consent: { how: 'written', by: 'self', at: new Date(first - DAY_MS).toISOString() } })

  months.forEach((m, mi) => {
    const start = monthStart(m)
    const end = Math.min(now - 60 * 60 * 1000, monthStart(m) + 30 * DAY_MS)
    if (end <= start) return
    const at = () => start + Math.floor(rand() * (end - start))
    for (const [who, paths] of Object.entries(BUILDINGS) as [keyof typeof leaders, string[]][]) {
      for (const path of paths) {
        const hs = households(path)
        const n = Math.min(hs.length, 10 + mi * 4)
        for (let i = 0; i < n; i++) {
          const t = at()
          const roll = rand()
          const outcome = roll < 0.75 ? 'met' : roll < 0.92 ? 'nobody_home' : 'declined'
          const purposes = rand() < 0.35 ? ['policy'] : [pick(['care', 'safety', 'opinion'] as const)]
          rec(leaders[who], 'visit', path, t, { household: pick(hs), outcome, purposes, note: outcome === 'met' ? '情况正常' : '', visitedAt: iso(t) })
        }
      }
    }
    // care households seen about every four weeks; one of 李建华's is late
    for (const [who, path, h] of [['zhang', BUILDINGS.zhang[0]!, '1-1-1'], ['zhang', BUILDINGS.zhang[0]!, '1-3-2'], ['zhang', BUILDINGS.zhang[0]!, '2-2-1'], ['li', BUILDINGS.li[0]!, '1-2-1']] as const) {
      const t = Math.min(end, start + (3 + Math.floor(rand() * 20)) * DAY_MS)
      rec(leaders[who], 'visit', path, t, { household: h, outcome: 'met', purposes: ['care'], note: '身体还好', visitedAt: iso(t) })
    }
    // reading sessions in two communities
    for (const [by, point] of [['demo-13800000012', 'pl/tuodong/zhuangyuanlou/g01/rp-tiyu'], ['demo-13800000002', DEMO_LEDGER_POINT.path]] as const) {
      for (let i = 0; i < 3; i++) {
        const t = at()
        const named = BUILDINGS[point.includes('zhuangyuanlou') ? 'li' : 'zhang'][0]!
        rec(by, 'reading.session', point, t, {
          startedAt: iso(t), endedAt: iso(t + 40 * 60_000), reader: by === 'demo-13800000012' ? '赵丽华' : '王志强', materials: ['人民日报'],
          headCount: 6 + i, households: [{ building: named, household: '1-1-1' }, { building: named, household: '1-2-1' }], notes: '',
        })
      }
    }
    // feedback resolved at every level, with 回访, and some open
    const wang = 'demo-13800000002', liu = 'demo-13800000003', chen = 'demo-13800000004', yang = 'demo-13800000005'
    const chains: string[][] = [[], [wang], [wang, liu], [wang, liu, chen], [wang, liu, chen, yang]]
    const levels = ['building', 'group', 'community', 'street', 'district'] as const
    chains.forEach((chain, li) => {
      for (let k = 0; k < 2; k++) {
        let t = start + Math.floor(rand() * (end - start) * 0.6)
        const raisedBy = leaders.zhang
        const path = BUILDINGS.zhang[k % 2]!
        const fb = rec(raisedBy, 'feedback', path, t, { category: pick(['environment', 'repair', 'property', 'neighbour'] as const), description: pick(['楼道灯坏了', '垃圾清运不及时', '下水道堵塞', '楼上漏水']), urgency: k ? 'normal' : 'urgent', channel: 'visit', raisedAt: iso(t) })
        const step = () => (t = Math.min(end, t + Math.floor((0.5 + rand() * 2) * DAY_MS)))
        const ev = (by: string, body: Record<string, unknown>) => rec(by, 'feedback.event', path, step(), { feedback: fb.id, text: '已处理', ...body })
        if (li > 0) ev(raisedBy, { action: 'escalate', toLevel: 'group' })
        for (let i = 0; i + 1 < chain.length; i++) ev(chain[i]!, { action: 'escalate', toLevel: levels[i + 2] })
        const resolver = li === 0 ? raisedBy : chain[chain.length - 1]!
        // this month leaves some open
        if (mi === months.length - 1 && k === 1) continue
        ev(resolver, { action: 'resolve', atLevel: levels[li] })
        if (rand() < 0.75) {
          const when = iso(Math.min(end, t + DAY_MS))
          ev(li === 4 ? raisedBy : resolver, { action: 'report_back', how: pick(['in_person', 'phone', 'wechat'] as const), residentView: pick(['satisfied', 'satisfied', 'fairly_satisfied', 'dissatisfied'] as const), reportedAt: when })
        }
      }
    })
  })

  // each author's records pushed as they would be, oldest first, through the rule table
  let accepted = 0
  made.sort((a, b) => (a.record.clientTime < b.record.clientTime ? -1 : 1))
  // pushed in time order, so an escalation never arrives before what it follows
  for (const { by, record } of made) {
    const user = await storage.users.byId(by)
    if (!user) continue
    const results = await pushRecords([record], { storage, user, scopes: await effectiveScopes(storage, user.scopes), now, lang: 'zh-CN' })
    if (results[0]?.status === 'accepted') accepted++
  }
  return accepted
}
