/**
 * The demo district, created on first start with an empty database: Panlong
 * District, Kunming, as the seed document describes it — five streets, ten
 * communities, two resident groups each, a few buildings per group, and the four
 * newspaper reading points of 状元楼社区. Every demo account's password is demo-1234.
 */
import { hashPassword } from './auth'
import { seedDemoLedger } from './demoLedger'
import { seedDemoVolunteers } from './demoVolunteers'
import type { Storage } from './storage'
import type { BuildingLayout, OrgNode } from '../shared/org'
import { parentPath } from '../shared/org'
import type { Role } from '../shared/roles'

export const DEMO_PASSWORD = 'demo-1234'

export const ROLE_LABEL: Record<Role, string> = {
  building_leader: '楼栋长',
  group_leader: '居民小组长',
  community_staff: '社区工作人员',
  street_staff: '街道工作人员',
  district_staff: '区级工作人员',
  admin: '系统管理员',
  volunteer: '志愿者',
}

const STREETS: { slug: string; name: string; communities: [slug: string, name: string][] }[] = [
  { slug: 'tuodong', name: '拓东街道', communities: [['mingtongxiang', '明通巷社区'], ['shangyi', '尚义社区'], ['zhuangyuanlou', '状元楼社区']] },
  { slug: 'lianmeng', name: '联盟街道', communities: [['jinjulu', '金菊路社区'], ['jinxing', '金星社区']] },
  { slug: 'qingyun', name: '青云街道', communities: [['jinsha', '金沙社区']] },
  { slug: 'gulou', name: '鼓楼街道', communities: [['wangqiying', '王旗营社区'], ['jinjianglu', '金江路社区'], ['taoyuan', '桃源社区']] },
  { slug: 'ciba', name: '茨坝街道', communities: [['qingsonglu', '青松路社区']] },
]

/** From 1980s six-storey walk-ups to 18-storey towers. */
const LAYOUTS: BuildingLayout[] = [
  { units: 2, floors: 6, roomsPerFloor: 2 },
  { units: 3, floors: 7, roomsPerFloor: 2 },
  { units: 2, floors: 6, roomsPerFloor: 3 },
  { units: 1, floors: 11, roomsPerFloor: 4 },
  { units: 2, floors: 18, roomsPerFloor: 4 },
  { units: 3, floors: 18, roomsPerFloor: 4 },
]

/** One 33-storey tower (状元楼 1栋), so a long building and its floor jump are part of the demo. */
const TOWERS: Record<string, BuildingLayout> = {
  'pl/tuodong/zhuangyuanlou/g01/b01': { units: 2, floors: 33, roomsPerFloor: 4 },
}

const GROUP_NAMES = ['第一居民小组', '第二居民小组']

const READING_POINTS: OrgNode[] = [
  { path: 'pl/tuodong/zhuangyuanlou/g01/rp-tiyu', kind: 'reading_point', name: '体育小区小广场', place: '体育小区内小广场凉亭', usualTime: '每天 8:30' },
  { path: 'pl/tuodong/zhuangyuanlou/g01/rp-jinzhihe', kind: 'reading_point', name: '金汁河畔', place: '金汁河畔步道休息亭', usualTime: '每天 9:00' },
  { path: 'pl/tuodong/zhuangyuanlou/g02/rp-tidiansuo', kind: 'reading_point', name: '体电所宿舍', place: '体电所宿舍院内活动室门口', usualTime: '每天 16:00' },
  { path: 'pl/tuodong/zhuangyuanlou/g02/rp-huanweizhan', kind: 'reading_point', name: '环卫站宿舍', place: '环卫站宿舍楼下', usualTime: '每天 19:30' },
]

/** The whole demo tree, parents before children. */
export function demoNodes(): OrgNode[] {
  const nodes: OrgNode[] = [{ path: 'pl', kind: 'district', name: '盘龙区' }]
  let layoutIndex = 0
  STREETS.forEach((street, si) => {
    const streetPath = `pl/${street.slug}`
    nodes.push({ path: streetPath, kind: 'street', name: street.name })
    street.communities.forEach(([slug, name], ci) => {
      const communityPath = `${streetPath}/${slug}`
      nodes.push({ path: communityPath, kind: 'community', name })
      let buildingNo = 0
      GROUP_NAMES.forEach((groupName, gi) => {
        const groupPath = `${communityPath}/g${String(gi + 1).padStart(2, '0')}`
        nodes.push({ path: groupPath, kind: 'group', name: groupName })
        const count = (si + ci + gi) % 2 === 0 ? 3 : 2
        for (let b = 1; b <= count; b++) {
          buildingNo++
          const path = `${groupPath}/b${String(b).padStart(2, '0')}`
          const layout = TOWERS[path] ?? LAYOUTS[layoutIndex % LAYOUTS.length]!
          layoutIndex++
          nodes.push({ path, kind: 'building', name: `${buildingNo}栋`, layout: { ...layout } })
        }
      })
    })
  })
  nodes.push(...READING_POINTS)
  return nodes
}

export interface DemoUser {
  id: string
  phone: string
  name: string
  role: Role
  scopes: string[]
}

export const DEMO_USERS: DemoUser[] = [
  { id: 'demo-13800000001', phone: '13800000001', name: '张秀英', role: 'building_leader', scopes: ['pl/tuodong/mingtongxiang/g01/b01', 'pl/tuodong/mingtongxiang/g01/b02'] },
  { id: 'demo-13800000011', phone: '13800000011', name: '李建华', role: 'building_leader', scopes: ['pl/tuodong/zhuangyuanlou/g01/b01'] },
  { id: 'demo-13800000002', phone: '13800000002', name: '王志强', role: 'group_leader', scopes: ['pl/tuodong/mingtongxiang/g01'] },
  { id: 'demo-13800000012', phone: '13800000012', name: '赵丽华', role: 'group_leader', scopes: ['pl/tuodong/zhuangyuanlou/g01'] },
  { id: 'demo-13800000003', phone: '13800000003', name: '刘敏', role: 'community_staff', scopes: ['pl/tuodong/mingtongxiang'] },
  { id: 'demo-13800000004', phone: '13800000004', name: '陈刚', role: 'street_staff', scopes: ['pl/tuodong'] },
  { id: 'demo-13800000005', phone: '13800000005', name: '杨丽', role: 'district_staff', scopes: ['pl'] },
  { id: 'demo-13800000000', phone: '13800000000', name: '系统管理员', role: 'admin', scopes: ['pl'] },
  { id: 'demo-13800000021', phone: '13800000021', name: '孙丽', role: 'volunteer', scopes: ['pl/tuodong/mingtongxiang'] },
]

export interface DemoLogin {
  phone: string
  role: string
  name: string
  scope: string
}

/** "明通巷社区 第一居民小组 1栋": the scope named from the community down (or just the node above that). */
function scopeLabel(path: string, names: Map<string, string>): string {
  const chain: string[] = []
  for (let p: string | null = path; p !== null; p = parentPath(p)) chain.unshift(names.get(p) ?? p)
  const depth = path.split('/').length
  return depth >= 3 ? chain.slice(2).join(' ') : chain[chain.length - 1]!
}

export function demoLogins(nodes: OrgNode[] = demoNodes()): DemoLogin[] {
  const names = new Map(nodes.map((n) => [n.path, n.name]))
  return DEMO_USERS.map((u) => ({
    phone: u.phone,
    role: ROLE_LABEL[u.role],
    name: u.name,
    scope: u.scopes.map((s) => scopeLabel(s, names)).join('、'),
  }))
}

/**
 * Writes the demo district and accounts (one transaction). `passwordHash` lets
 * tests reuse one scrypt hash of DEMO_PASSWORD instead of computing seven.
 */
export async function seedDemo(storage: Storage, opts: { passwordHash?: string } = {}): Promise<DemoLogin[]> {
  const nodes = demoNodes()
  const hashes = await Promise.all(DEMO_USERS.map(() => opts.passwordHash ?? hashPassword(DEMO_PASSWORD)))
  await storage.transaction(async (tx) => {
    for (const n of nodes) await tx.org.upsert(n)
    for (const [i, u] of DEMO_USERS.entries()) await tx.users.upsert({ ...u, passwordHash: hashes[i]! })
  })
  return demoLogins(nodes)
}

/**
 * Seeds the demo district when the database has no org nodes; returns the logins it made, or null.
 * `records` (default true; `DEMO_RECORDS=0` turns it off): also a few months of records for the ledger.
 */
export async function seedDemoIfEmpty(storage: Storage, opts: { records?: boolean } = {}): Promise<DemoLogin[] | null> {
  if ((await storage.org.count()) > 0) return null
  const logins = await seedDemo(storage)
  // a few months of rounds, feedback and reading, so the ledger is worth opening (first start only)
  if (opts.records !== false) {
    const now = Date.now()
    await seedDemoLedger(storage, now)
    await seedDemoVolunteers(storage, now)
  }
  return logins
}

/** The logins table printed at first start. */
export function formatLogins(logins: DemoLogin[]): string {
  const rows = [['手机号 phone', '角色 role', '姓名 name', '负责范围 scope'], ...logins.map((l) => [l.phone, l.role, l.name, l.scope])]
  // CJK characters take two columns in a terminal
  const width = (s: string) => [...s].reduce((w, ch) => w + (/[\u1100-\uffff]/.test(ch) ? 2 : 1), 0)
  const cols = rows[0]!.map((_, c) => Math.max(...rows.map((r) => width(r[c]!))))
  const line = (r: string[]) => r.map((cell, c) => (c === r.length - 1 ? cell : cell + ' '.repeat(cols[c]! - width(cell)))).join('  ')
  return [line(rows[0]!), ...rows.slice(1).map(line), `密码 password: ${DEMO_PASSWORD}`].join('\n')
}

/** True when any demo account exists: the database is a demo and must never hold real residents. */
export async function hasDemoAccounts(storage: Storage): Promise<boolean> {
  for (const u of DEMO_USERS) if (await storage.users.byId(u.id)) return true
  return false
}

/**
 * Why a real import into a demo database is refused, and the commands that start clean
 * instead (one bilingual message; the demo and real residents never share a database).
 */
export const DEMO_IMPORT_REFUSED =
  '这是演示数据库(含演示账号),不能导入真实数据。请换一个空的数据库再导入,演示数据不会被创建:\n' +
  'This is a demo database (it has the demo accounts); real data cannot be imported into it. Import into an empty database instead, where no demo data is created:\n' +
  '  NODE_ENV=production DATA_DIR=./data-real npm run admin -- import <file>\n' +
  '  NODE_ENV=production DATA_DIR=./data-real npm run server\n' +
  '(PostgreSQL: DATABASE_URL=postgres://…/<an empty database>)'
