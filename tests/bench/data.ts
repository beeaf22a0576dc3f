/**
 * The benchmark's world, generated from a seed: one district of five streets,
 * twenty communities, resident groups, 500 buildings from 1980s walk-ups to
 * 33-storey towers, their leaders, and a year of records — door-to-door visits
 * with Chinese notes, household profiles, care flags, feedback and its events,
 * corrections, voids and reading sessions. Same seed, same world, same ids.
 */
import type { BuildingLayout, LocalRecord, OrgNode, Outcome, Purpose, RecordType, Role } from '../../src/shared/index'
import { householdsOf, MATERIAL_PICKS } from '../../src/shared/index'
import { Rng, seededUuidv7 } from './rng'

/** Bump when the generated shape changes: it keys the cached database. */
export const DATA_VERSION = 2
export const DEFAULT_SEED = 'loudong-bench'
export const BENCH_PASSWORD = 'bench-1234'
export const DAY_MS = 24 * 60 * 60 * 1000
export const DAYS = 365
export const COMMUNITY_COUNT = 20
const GROUPS_PER_COMMUNITY = 5
const BUILDINGS_PER_GROUP = 5

/** The building grid figure's building: 3 units × 33 floors × 4 rooms. */
export const BIG_LAYOUT: BuildingLayout = { units: 3, floors: 33, roomsPerFloor: 4 }
const PUSH_LAYOUT: BuildingLayout = { units: 2, floors: 18, roomsPerFloor: 4 }

/** Walk-ups to towers, with how common each is in an older Kunming neighbourhood. */
const LAYOUTS: { layout: BuildingLayout; weight: number }[] = [
  { layout: { units: 2, floors: 6, roomsPerFloor: 2 }, weight: 5 },
  { layout: { units: 3, floors: 7, roomsPerFloor: 2 }, weight: 4 },
  { layout: { units: 2, floors: 6, roomsPerFloor: 3 }, weight: 3 },
  { layout: { units: 1, floors: 11, roomsPerFloor: 4 }, weight: 2 },
  { layout: { units: 2, floors: 18, roomsPerFloor: 4 }, weight: 1 },
  { layout: { units: 3, floors: 18, roomsPerFloor: 4 }, weight: 1 },
]

const STREETS: { slug: string; name: string; communities: [string, string][] }[] = [
  { slug: 'tuodong', name: '拓东街道', communities: [['mingtongxiang', '明通巷社区'], ['shangyi', '尚义社区'], ['zhuangyuanlou', '状元楼社区'], ['jinma', '金马社区']] },
  { slug: 'lianmeng', name: '联盟街道', communities: [['jinjulu', '金菊路社区'], ['jinxing', '金星社区'], ['lianmeng', '联盟社区'], ['jinchen', '金辰社区']] },
  { slug: 'qingyun', name: '青云街道', communities: [['jinsha', '金沙社区'], ['qingyun', '青云社区'], ['xiaoba', '小坝社区'], ['jinyu', '金鱼社区']] },
  { slug: 'gulou', name: '鼓楼街道', communities: [['wangqiying', '王旗营社区'], ['jinjianglu', '金江路社区'], ['taoyuan', '桃源社区'], ['gulou', '鼓楼社区']] },
  { slug: 'ciba', name: '茨坝街道', communities: [['qingsonglu', '青松路社区'], ['ciba', '茨坝社区'], ['xinhe', '新和社区'], ['longquan', '龙泉社区']] },
]

const GROUP_NAMES = ['第一居民小组', '第二居民小组', '第三居民小组', '第四居民小组', '第五居民小组']
const READING_POINT_NAMES = ['小广场凉亭', '河畔步道休息亭', '活动室门口', '老年协会', '宿舍楼下', '菜市场旁', '小区花园', '社区书屋']
const SURNAMES = '张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈'
const GIVEN = ['秀英', '建华', '志强', '丽', '敏', '伟', '芳', '军', '静', '桂兰', '玉珍', '德明', '国庆', '红梅', '文华', '家顺', '凤英', '永红', '海燕', '光明']
const CALLED = ['阿姨', '大爷', '奶奶', '爷爷', '老师', '师傅', '大姐', '大哥']

const NOTE_MET = [
  '老人身体还好,提醒按时吃药',
  '宣传了垃圾分类新规,住户表示支持',
  '反映楼道灯坏了好几天',
  '询问医保缴费和报销的事',
  '家里孩子在外地工作,老人独居,留了我的电话',
  '讲解了防诈骗知识,发了宣传单',
  '说楼上漏水,已约物业下周来看',
  '关心老人冬天取暖,检查了电热毯和插线板',
  '了解到想报名社区老年大学书法班',
  '反映小区停车太乱,晚上车堵在单元门口',
  '核对了家庭人员信息',
  '提醒燃气灶软管老化需要更换',
  '住户对社区新装的健身器材很满意',
  '聊了聊读报点的时间,答应周末去听',
  '邻里之间因为晾衣服有点矛盾,已劝解',
  '建议楼下多放几个垃圾桶',
  '身体不太好,腿脚不便,需要帮忙代买药',
  '询问高龄补贴怎么申请',
]
const NOTE_AWAY = ['家中无人,门上留了联系卡', '敲门无人应答,下次再来', '邻居说出去买菜了', '']
const NOTE_DECLINED = ['住户说最近忙,不方便', '隔着门说了几句,不愿开门', '']
const FEEDBACK_TEXT = [
  '单元门禁坏了,外人随便进出',
  '楼道堆放杂物,存在消防隐患',
  '下水道堵塞,一楼返臭',
  '路灯不亮,晚上出行不安全',
  '楼上装修噪音太大,中午也在施工',
  '希望增加老年人助餐点',
  '电动车在楼道充电,担心起火',
  '小区绿化带被占用种菜',
  '屋顶防水层老化,雨天渗水',
  '希望社区组织义诊活动',
]
const EVENT_TEXT = ['已和物业联系,约好时间处理', '已上报小组长,等待协调', '物业已派人维修,住户确认好了', '问题比较复杂,需要社区协调', '再跟进一次', '已与住户沟通,暂时解决']
const SESSION_NOTES = ['今天读了关于基层治理的报道,大家讨论热烈', '读了医保新政策,不少老人提问', '天气冷,来的人少一些', '讲了防诈骗案例', '']

export interface BenchUser {
  id: string
  phone: string
  name: string
  role: Role
  scopes: string[]
  deviceId: string
}

export interface BuildingPlan {
  path: string
  name: string
  layout: BuildingLayout
  households: string[]
  leader: BenchUser
  group: GroupPlan
}

export interface GroupPlan {
  path: string
  leader: BenchUser
}

export interface CommunityPlan {
  index: number
  path: string
  name: string
  staff: BenchUser
  groups: GroupPlan[]
  buildings: BuildingPlan[]
  readingPoints: { node: OrgNode; group: GroupPlan }[]
}

export interface BenchWorld {
  seed: string
  nodes: OrgNode[]
  users: BenchUser[]
  communities: CommunityPlan[]
  /** community staff of the first community: 50,000 records in scope (pull, save, heap) */
  pullUser: BenchUser
  /** building leader of the 3×33×4 building (warm start, grid) */
  big: BuildingPlan
  /** a building in the second community: the push figure's records go there */
  pushBuilding: BuildingPlan
  /** 100 buildings of communities 3–6, one per ingest connection */
  ingestBuildings: BuildingPlan[]
}

/** Deterministic "person" names. */
function personName(rng: Rng): string {
  return SURNAMES[rng.int(SURNAMES.length)]! + rng.pick(GIVEN)
}

export function buildWorld(seed = DEFAULT_SEED): BenchWorld {
  const rng = new Rng(`${seed}/world`)
  const nodes: OrgNode[] = [{ path: 'pl', kind: 'district', name: '盘龙区' }]
  const users: BenchUser[] = []
  let phoneNo = 0
  const user = (role: Role, scopes: string[]): BenchUser => {
    const phone = `139${String(++phoneNo).padStart(8, '0')}`
    const u: BenchUser = { id: `u-${phone}`, phone, name: personName(rng), role, scopes, deviceId: `dev-${phone}` }
    users.push(u)
    return u
  }
  const communities: CommunityPlan[] = []
  for (const street of STREETS) {
    const streetPath = `pl/${street.slug}`
    nodes.push({ path: streetPath, kind: 'street', name: street.name })
    for (const [slug, name] of street.communities) {
      const index = communities.length
      const path = `${streetPath}/${slug}`
      nodes.push({ path, kind: 'community', name })
      const staff = user('community_staff', [path])
      const plan: CommunityPlan = { index, path, name, staff, groups: [], buildings: [], readingPoints: [] }
      let buildingNo = 0
      for (let g = 0; g < GROUPS_PER_COMMUNITY; g++) {
        const gPath = `${path}/g${String(g + 1).padStart(2, '0')}`
        nodes.push({ path: gPath, kind: 'group', name: GROUP_NAMES[g]! })
        const group: GroupPlan = { path: gPath, leader: user('group_leader', [gPath]) }
        plan.groups.push(group)
        for (let b = 0; b < BUILDINGS_PER_GROUP; b++) {
          buildingNo++
          const bPath = `${gPath}/b${String(b + 1).padStart(2, '0')}`
          let layout = rng.weighted(
            LAYOUTS.map((l) => l.layout),
            LAYOUTS.map((l) => l.weight),
          )
          if (index === 0 && g === 0 && b === 0) layout = BIG_LAYOUT
          if (index === 1 && g === 0 && b === 0) layout = PUSH_LAYOUT
          const bName = `${buildingNo}栋`
          nodes.push({ path: bPath, kind: 'building', name: bName, layout: { ...layout } })
          plan.buildings.push({ path: bPath, name: bName, layout, households: householdsOf(layout), leader: user('building_leader', [bPath]), group })
        }
        if (g < 2) {
          const rpPath = `${gPath}/rp-${String(g + 1).padStart(2, '0')}`
          const rpName = `${name.replace('社区', '')}${READING_POINT_NAMES[(index + g) % READING_POINT_NAMES.length]}`
          const node: OrgNode = { path: rpPath, kind: 'reading_point', name: rpName, place: rpName, usualTime: g === 0 ? '每天 8:30' : '每天 16:00' }
          nodes.push(node)
          plan.readingPoints.push({ node, group })
        }
      }
      communities.push(plan)
    }
  }
  const c0 = communities[0]!
  return {
    seed,
    nodes,
    users,
    communities,
    pullUser: c0.staff,
    big: c0.buildings[0]!,
    pushBuilding: communities[1]!.buildings[0]!,
    ingestBuildings: communities.slice(2, 6).flatMap((c) => c.buildings),
  }
}

// ---------------------------------------------------------------- records

export interface GenRecord {
  record: LocalRecord
  /** what the server's `target_id` column holds (corrections, voids, feedback events) */
  targetId: string | null
  /** sync delay after clientTime, ms: serverTime = clientTime + this */
  delayMs: number
}

interface VisitRef {
  id: string
  building: BuildingPlan
}

interface FeedbackRef {
  id: string
  building: BuildingPlan
  level: 'building' | 'group'
}

/** One community's log, generated a day at a time in order (its own random stream). */
class CommunityLog {
  private readonly rng: Rng
  private readonly weights: number[]
  private recentVisits: VisitRef[] = []
  private openFeedback: FeedbackRef[] = []

  constructor(
    readonly plan: CommunityPlan,
    seed: string,
    private readonly perYear: number,
  ) {
    this.rng = new Rng(`${seed}/log/${plan.index}`)
    // every door about as often, except the tower: its leader gets round each door about once a month
    this.weights = plan.buildings.map((b) => b.households.length * (b.layout === BIG_LAYOUT ? 0.33 : 1))
  }

  /** records of day `d` (0 = a year ago), times ascending */
  day(d: number, dayStart: number): GenRecord[] {
    const quota = Math.floor(((d + 1) * this.perYear) / DAYS) - Math.floor((d * this.perYear) / DAYS)
    const rng = this.rng
    // working hours in Kunming, 08:00–20:00 (UTC+8) = 00:00–12:00 UTC
    const times = Array.from({ length: quota }, () => dayStart + rng.int(12 * 60 * 60 * 1000)).sort((a, b) => a - b)
    const out: GenRecord[] = []
    let sessions = 0
    for (let i = 0; i < this.plan.readingPoints.length; i++) if (rng.chance(0.9)) sessions++
    for (const [i, t] of times.entries()) {
      if (i < sessions) out.push(this.session(this.plan.readingPoints[i % this.plan.readingPoints.length]!, t))
      else out.push(this.next(t))
    }
    return out.sort((a, b) => (a.record.clientTime < b.record.clientTime ? -1 : a.record.clientTime > b.record.clientTime ? 1 : 0))
  }

  private make<T extends RecordType>(type: T, orgPath: string, author: BenchUser, t: number, body: LocalRecord<T>['body'], targetId: string | null = null): GenRecord {
    const clientMs = t + this.rng.between(5_000, 180_000)
    const record = {
      id: seededUuidv7(clientMs, this.rng),
      type,
      v: 1,
      orgPath,
      authorId: author.id,
      deviceId: author.deviceId,
      clientTime: new Date(clientMs).toISOString(),
      body,
    } as LocalRecord
    // most records reach the server within the hour; a few wait for the evening's wifi
    const delayMs = this.rng.chance(0.9) ? this.rng.between(1_000, 3_600_000) : this.rng.between(3_600_000, 10 * 3_600_000)
    return { record, targetId, delayMs }
  }

  private next(t: number): GenRecord {
    const r = this.rng.next()
    if (r < 0.84) return this.visit(t)
    if (r < 0.87) return this.profile(t)
    if (r < 0.88) return this.careFlag(t)
    if (r < 0.93) return this.feedback(t)
    if (r < 0.975 && this.openFeedback.length) return this.feedbackEvent(t)
    if (r < 0.99 && this.recentVisits.length) return this.correction(t)
    if (this.recentVisits.length > 10) return this.voidVisit(t)
    return this.visit(t)
  }

  private building(): BuildingPlan {
    return this.rng.weighted(this.plan.buildings, this.weights)
  }

  private visit(t: number): GenRecord {
    const rng = this.rng
    const b = this.building()
    const outcome = rng.weighted<Outcome>(['met', 'nobody_home', 'declined'], [70, 25, 5])
    const purposes: Purpose[] = rng.chance(0.7) ? [rng.weighted<Purpose>(['policy', 'care', 'safety', 'opinion', 'mediation', 'other'], [30, 30, 15, 15, 5, 5])] : ['care', 'policy']
    let note: string
    if (outcome === 'met') note = rng.chance(0.3) ? `${rng.pick(NOTE_MET)};${rng.pick(NOTE_MET)}` : rng.pick(NOTE_MET)
    else note = rng.pick(outcome === 'nobody_home' ? NOTE_AWAY : NOTE_DECLINED)
    const body = { household: rng.pick(b.households), outcome, purposes, note, visitedAt: new Date(t).toISOString() }
    const g = this.make('visit', b.path, b.leader, t, body)
    this.recentVisits.push({ id: g.record.id, building: b })
    if (this.recentVisits.length > 300) this.recentVisits = this.recentVisits.slice(-200)
    return g
  }

  private profile(t: number): GenRecord {
    const rng = this.rng
    const b = this.building()
    const displayName = `${SURNAMES[rng.int(SURNAMES.length)]}${rng.pick(CALLED)}`
    const body = { household: rng.pick(b.households), displayName, ...(rng.chance(0.6) ? { phone: `13${rng.between(100000000, 999999999)}` } : {}) }
    return this.make('household.profile', b.path, b.leader, t, body)
  }

  private careFlag(t: number): GenRecord {
    const rng = this.rng
    const b = this.building()
    const kind = rng.weighted(['alone_elderly', 'disabled', 'low_income', 'other'] as const, [60, 15, 20, 5])
    const body = { household: rng.pick(b.households), kind, intervalDays: rng.pick([7, 14, 30]), active: rng.chance(0.92), ...(rng.chance(0.4) ? { note: '子女不在身边' } : {}) }
    return this.make('care.flag', b.path, b.leader, t, body)
  }

  private feedback(t: number): GenRecord {
    const rng = this.rng
    const b = this.building()
    const category = rng.pick(['environment', 'property', 'security', 'neighbour', 'repair', 'policy', 'other'] as const)
    const recent = this.recentVisits.length && rng.chance(0.5) ? this.recentVisits[this.recentVisits.length - 1]! : null
    const source = recent && recent.building === b ? { source: { type: 'visit' as const, id: recent.id } } : {}
    const body = {
      category,
      description: rng.pick(FEEDBACK_TEXT),
      household: rng.pick(b.households),
      urgency: rng.chance(0.1) ? ('urgent' as const) : ('normal' as const),
      channel: source.source ? ('visit' as const) : rng.pick(['visit', 'phone', 'wechat', 'box'] as const),
      ...source,
      raisedAt: new Date(t).toISOString(),
    }
    const g = this.make('feedback', b.path, b.leader, t, body)
    this.openFeedback.push({ id: g.record.id, building: b, level: 'building' })
    if (this.openFeedback.length > 400) this.openFeedback = this.openFeedback.slice(-300)
    return g
  }

  private feedbackEvent(t: number): GenRecord {
    const rng = this.rng
    const i = rng.int(this.openFeedback.length)
    const fb = this.openFeedback[i]!
    const text = rng.pick(EVENT_TEXT)
    const r = rng.next()
    const groupLeader = fb.building.group.leader
    if (r < 0.4) {
      return this.make('feedback.event', fb.building.path, fb.level === 'building' ? fb.building.leader : groupLeader, t, { feedback: fb.id, text, action: 'comment' as const }, fb.id)
    }
    if (r < 0.6 && fb.level === 'building') {
      fb.level = 'group'
      return this.make('feedback.event', fb.building.path, fb.building.leader, t, { feedback: fb.id, text, action: 'escalate' as const, toLevel: 'group' as const }, fb.id)
    }
    this.openFeedback.splice(i, 1)
    const author = fb.level === 'building' ? fb.building.leader : groupLeader
    return this.make('feedback.event', fb.building.path, author, t, { feedback: fb.id, text, action: 'resolve' as const, atLevel: fb.level }, fb.id)
  }

  private correction(t: number): GenRecord {
    const rng = this.rng
    const v = this.recentVisits[this.recentVisits.length - 1 - rng.int(Math.min(20, this.recentVisits.length))]!
    const body = { target: v.id, targetType: 'visit' as const, fields: { note: rng.pick(NOTE_MET) }, reason: '补充记录' }
    return this.make('correction', v.building.path, v.building.leader, t, body, v.id)
  }

  private voidVisit(t: number): GenRecord {
    const i = this.recentVisits.length - 1 - this.rng.int(Math.min(10, this.recentVisits.length))
    const v = this.recentVisits[i]!
    this.recentVisits.splice(i, 1)
    return this.make('void', v.building.path, v.building.leader, t, { target: v.id, reason: '记错了户号' }, v.id)
  }

  private session(rp: { node: OrgNode; group: GroupPlan }, t: number): GenRecord {
    const rng = this.rng
    const reader = rp.group.leader
    const materials = rng.chance(0.6) ? [rng.pick(MATERIAL_PICKS)] : [rng.pick(MATERIAL_PICKS), rng.pick(['政策文件', '社区通知'])]
    const body = {
      startedAt: new Date(t).toISOString(),
      endedAt: new Date(t + rng.between(20, 60) * 60_000).toISOString(),
      reader: reader.name,
      readerId: reader.id,
      materials: [...new Set(materials)],
      headCount: rng.between(4, 30),
      households: [],
      notes: rng.pick(SESSION_NOTES),
    }
    return this.make('reading.session', rp.node.path, reader, t, body)
  }
}

/**
 * The whole log, a day at a time, every community's records of that day
 * interleaved by time (as a server would receive them). `total` is split evenly
 * across the communities, so each holds total / 20 records.
 */
export function* generateLog(world: BenchWorld, total: number, end: number): Generator<GenRecord[]> {
  const perCommunity = Math.floor(total / world.communities.length)
  const logs = world.communities.map((c) => new CommunityLog(c, world.seed, perCommunity))
  const firstDay = Math.floor(end / DAY_MS) * DAY_MS - DAYS * DAY_MS
  for (let d = 0; d < DAYS; d++) {
    const dayStart = firstDay + d * DAY_MS
    const all = logs.flatMap((l) => l.day(d, dayStart))
    all.sort((a, b) => (a.record.clientTime < b.record.clientTime ? -1 : a.record.clientTime > b.record.clientTime ? 1 : 0))
    yield all
  }
}

/**
 * Visits a building leader makes today for the push figures: `n` records, ids
 * from `salt`, spread over the morning before `now`.
 */
export function freshVisits(building: BuildingPlan, n: number, now: number, salt: string): LocalRecord<'visit'>[] {
  const rng = new Rng(`${salt}/fresh/${building.path}`)
  const out: LocalRecord<'visit'>[] = []
  const start = now - 6 * 60 * 60 * 1000
  for (let i = 0; i < n; i++) {
    const t = start + Math.floor((i * 5 * 60 * 60 * 1000) / n)
    const outcome = rng.weighted<Outcome>(['met', 'nobody_home', 'declined'], [70, 25, 5])
    out.push({
      id: seededUuidv7(t, rng),
      type: 'visit',
      v: 1,
      orgPath: building.path,
      authorId: building.leader.id,
      deviceId: building.leader.deviceId,
      clientTime: new Date(t + 30_000).toISOString(),
      body: {
        household: rng.pick(building.households),
        outcome,
        purposes: [rng.pick(['policy', 'care', 'safety', 'opinion'] as const)],
        note: outcome === 'met' ? rng.pick(NOTE_MET) : rng.pick(NOTE_AWAY),
        visitedAt: new Date(t).toISOString(),
      },
    })
  }
  return out
}
