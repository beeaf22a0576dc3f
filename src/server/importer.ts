/**
 * Importing an organisation tree and accounts: a JSON file
 * `{nodes: [...], users: [...]}`, a CSV of users or a CSV of nodes. Everything is
 * validated first (errors name the line or the entry), then written in one
 * transaction as an idempotent upsert: importing the same file twice changes nothing.
 */
import * as v from 'valibot'
import { hashPassword, verifyPassword } from './auth'
import { recordAudit } from './audit/record'
import type { Storage } from './storage'
import { ACCOUNT_NAME_MAX, ACCOUNT_PHONE_RE, auditScopeOf } from '../shared/accounts'
import { message } from '../shared/messages'
import { passwordProblem } from '../shared/password'
import { Envelope } from '../shared/records'
import { LEVELS, levelOfPath, parentPath, type BuildingLayout, type NodeKind, type OrgNode } from '../shared/org'
import { ROLE_LEVEL, ROLES, type Role } from '../shared/roles'
import { isReadingPointPath, READING_POINT_PREFIX } from '../shared/reading'

export interface ImportUser {
  phone: string
  name: string
  role: Role
  scopes: string[]
  /** required for a new account; an existing one keeps its password when absent */
  password?: string
}

export interface ImportData {
  nodes: OrgNode[]
  users: ImportUser[]
}

/** One problem, with where it is: `第 3 行 / line 3` or `users[2]`. */
export interface ImportIssue {
  where: string
  message: string
}

export class ImportError extends Error {
  constructor(readonly issues: ImportIssue[]) {
    super(issues.map((i) => `${i.where}: ${i.message}`).join('\n'))
    this.name = 'ImportError'
  }
}

export const LAYOUT_LIMITS = { units: 30, floors: 120, roomsPerFloor: 50 } as const
const NODE_KINDS: readonly NodeKind[] = [...LEVELS, 'reading_point']
const NAME_MAX = 40
/** An office phone as people write it: digits, spaces, dashes, brackets, a leading +. */
const OFFICE_PHONE_RE = /^\+?[\d\s()-]{5,30}$/

const lineOf = (n: number) => `第 ${n} 行 / line ${n}`

// ---------------------------------------------------------------- CSV

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. Returns rows with their first line number. */
export function parseCsv(text: string): { line: number; cells: string[] }[] {
  const rows: { line: number; cells: string[] }[] = []
  let cells: string[] = []
  let cell = ''
  let quoted = false
  let line = 1
  let rowLine = 1
  const s = text.replace(/^\uFEFF/, '')
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        cell += '"'
        i++
      } else if (ch === '"') quoted = false
      else {
        if (ch === '\n') line++
        cell += ch
      }
    } else if (ch === '"' && cell === '') quoted = true
    else if (ch === ',') {
      cells.push(cell)
      cell = ''
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && s[i + 1] === '\n') i++
      cells.push(cell)
      if (cells.some((c) => c.trim() !== '')) rows.push({ line: rowLine, cells })
      cells = []
      cell = ''
      line++
      rowLine = line
    } else cell += ch
  }
  cells.push(cell)
  if (cells.some((c) => c.trim() !== '')) rows.push({ line: rowLine, cells })
  return rows
}

const USER_COLUMNS = ['phone', 'name', 'role', 'scopes', 'password'] as const
const NODE_COLUMNS = ['path', 'kind', 'name', 'units', 'floors', 'roomsPerFloor', 'place', 'usualTime', 'phone'] as const

interface Located<T> {
  where: string
  item: T
}

/** Raw entries with where they came from, before validation. */
export interface RawImport {
  nodes: Located<Record<string, unknown>>[]
  users: Located<Record<string, unknown>>[]
}

function csvToRaw(text: string): RawImport {
  const rows = parseCsv(text)
  const header = rows.shift()
  if (!header) throw new ImportError([{ where: lineOf(1), message: '文件是空的 / the file is empty' }])
  const cols = header.cells.map((c) => c.trim())
  const isUsers = USER_COLUMNS.every((c) => cols.includes(c))
  const isNodes = NODE_COLUMNS.slice(0, 3).every((c) => cols.includes(c))
  if (!isUsers && !isNodes) {
    throw new ImportError([
      {
        where: lineOf(header.line),
        message: `表头应为 / the header must be "${USER_COLUMNS.join(',')}" 或 / or "${NODE_COLUMNS.join(',')}"`,
      },
    ])
  }
  const known: readonly string[] = isUsers ? USER_COLUMNS : NODE_COLUMNS
  const unknown = cols.filter((c) => !known.includes(c))
  if (unknown.length) throw new ImportError([{ where: lineOf(header.line), message: `不认识的列 / unknown columns: ${unknown.join(', ')}` }])
  const raw: RawImport = { nodes: [], users: [] }
  const issues: ImportIssue[] = []
  for (const row of rows) {
    if (row.cells.length !== cols.length) {
      issues.push({ where: lineOf(row.line), message: `应有 ${cols.length} 列,实有 ${row.cells.length} 列 / expected ${cols.length} columns, found ${row.cells.length}` })
      continue
    }
    const rec: Record<string, string> = {}
    cols.forEach((c, i) => {
      const value = row.cells[i]!.trim()
      if (value !== '') rec[c] = value
    })
    if (isUsers) {
      const { scopes, ...rest } = rec
      raw.users.push({ where: lineOf(row.line), item: { ...rest, scopes: scopes ? scopes.split(';').map((s) => s.trim()).filter(Boolean) : [] } })
    } else {
      const { units, floors, roomsPerFloor, ...rest } = rec
      const item: Record<string, unknown> = { ...rest }
      if (units !== undefined || floors !== undefined || roomsPerFloor !== undefined) {
        item.layout = { units: Number(units ?? NaN), floors: Number(floors ?? NaN), roomsPerFloor: Number(roomsPerFloor ?? NaN) }
      }
      raw.nodes.push({ where: lineOf(row.line), item })
    }
  }
  if (issues.length) throw new ImportError(issues)
  return raw
}

function jsonToRaw(text: string): RawImport {
  let data: unknown
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (err) {
    const pos = /position (\d+)/.exec(err instanceof Error ? err.message : '')
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : 1
    throw new ImportError([{ where: lineOf(line), message: `JSON 格式错误 / malformed JSON: ${err instanceof Error ? err.message : String(err)}` }])
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ImportError([{ where: 'JSON', message: '应为 {"nodes": [...], "users": [...]} / expected {"nodes": [...], "users": [...]}' }])
  }
  const d = data as Record<string, unknown>
  const extra = Object.keys(d).filter((k) => k !== 'nodes' && k !== 'users')
  const issues: ImportIssue[] = []
  if (extra.length) issues.push({ where: 'JSON', message: `不认识的字段 / unknown fields: ${extra.join(', ')}` })
  const list = (key: 'nodes' | 'users'): Located<Record<string, unknown>>[] => {
    const arr = d[key] ?? []
    if (!Array.isArray(arr)) {
      issues.push({ where: key, message: '应为数组 / must be an array' })
      return []
    }
    return arr.map((item: unknown, i) => ({ where: `${key}[${i}]`, item: typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : { __notObject: item } }))
  }
  const raw = { nodes: list('nodes'), users: list('users') }
  if (issues.length) throw new ImportError(issues)
  return raw
}

/** Reads a JSON or CSV import file's text into raw entries (shape errors throw ImportError). */
export function parseImportText(fileName: string, text: string): RawImport {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart()
  if (fileName.toLowerCase().endsWith('.json') || trimmed.startsWith('{')) return jsonToRaw(text)
  return csvToRaw(text)
}

// ---------------------------------------------------------------- validation

const orgPathSchema = Envelope.entries.orgPath

function checkLayout(raw: unknown, issues: string[]): BuildingLayout | undefined {
  if (typeof raw !== 'object' || raw === null) {
    issues.push('楼栋必须有单元数、层数、每层户数 / a building needs units, floors and roomsPerFloor')
    return undefined
  }
  const l = raw as Record<string, unknown>
  const out: Record<string, number> = {}
  for (const key of ['units', 'floors', 'roomsPerFloor'] as const) {
    const n = l[key]
    const max = LAYOUT_LIMITS[key]
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > max) issues.push(`${key} 应为 1–${max} 的整数 / ${key} must be a whole number from 1 to ${max}`)
    else out[key] = n
  }
  const extra = Object.keys(l).filter((k) => !['units', 'floors', 'roomsPerFloor'].includes(k))
  if (extra.length) issues.push(`layout 中不认识的字段 / unknown layout fields: ${extra.join(', ')}`)
  return out.units && out.floors && out.roomsPerFloor ? { units: out.units, floors: out.floors, roomsPerFloor: out.roomsPerFloor } : undefined
}

const isText = (x: unknown, max: number): x is string => typeof x === 'string' && x.trim().length > 0 && x.length <= max

/**
 * Validates raw entries against each other and against what is already stored.
 * Throws ImportError listing every problem; returns clean data otherwise.
 */
export async function validateImport(raw: RawImport, storage: Storage): Promise<ImportData> {
  const issues: ImportIssue[] = []
  const nodes: OrgNode[] = []
  const filePaths = new Map<string, NodeKind>()

  for (const { where, item } of raw.nodes) {
    const problems: string[] = []
    const known = ['path', 'kind', 'name', 'layout', 'place', 'usualTime', 'phone']
    const extra = Object.keys(item).filter((k) => !known.includes(k))
    if (extra.length) problems.push(`不认识的字段 / unknown fields: ${extra.join(', ')}`)
    const { path, kind, name } = item
    if (typeof path !== 'string' || !v.is(orgPathSchema, path)) problems.push('path 应为小写字母、数字、-、_ 组成的路径,如 pl/tuodong / path must be like pl/tuodong (a-z, 0-9, - and _)')
    if (typeof kind !== 'string' || !NODE_KINDS.includes(kind as NodeKind)) problems.push(`kind 应为 / kind must be one of: ${NODE_KINDS.join(', ')}`)
    if (!isText(name, NAME_MAX)) problems.push(`name 必填,最多 ${NAME_MAX} 字 / name is required (${NAME_MAX} characters at most)`)
    if (typeof path === 'string' && filePaths.has(path)) problems.push(`path 在文件中重复 / duplicate path in the file: ${path}`)
    const node: Partial<OrgNode> = {}
    if (!problems.length) {
      const p = path as string
      const k = kind as NodeKind
      const depth = p.split('/').length
      // the device tells reading points apart by name alone (shared/reading.ts)
      if ((k === 'reading_point') !== isReadingPointPath(p)) {
        problems.push(`读报点的路径末段以 ${READING_POINT_PREFIX} 开头,其他节点不能 / a reading point's last path segment starts with ${READING_POINT_PREFIX}, and no other node's does`)
      }
      if (k === 'reading_point') {
        if (depth !== 4 && depth !== 5) problems.push('读报点应放在社区或居民小组下 / a reading point belongs under a community or a group')
      } else if (levelOfPath(p) !== k) {
        problems.push(`路径层级与 kind 不符:${p} 是第 ${depth} 级,应为 ${levelOfPath(p) ?? '—'} / the path depth does not match kind: ${p} is at level ${depth} (${levelOfPath(p) ?? 'too deep'})`)
      }
      if (k === 'building') {
        const layout = checkLayout(item.layout, problems)
        if (layout) node.layout = layout
      } else if (item.layout !== undefined) problems.push('只有楼栋有 layout / only buildings have a layout')
      for (const key of ['place', 'usualTime'] as const) {
        const val = item[key]
        if (val === undefined) continue
        if (k !== 'reading_point') problems.push(`只有读报点有 ${key} / only reading points have ${key}`)
        else if (!isText(val, 100)) problems.push(`${key} 最多 100 字 / ${key} is 100 characters at most`)
        else node[key] = val
      }
      // whom to ask about a forgotten password (the login's message names it)
      if (item.phone !== undefined) {
        if (k !== 'community' && k !== 'street' && k !== 'district') problems.push('只有社区、街道和区有 phone / only communities, streets and districts have a phone')
        else if (typeof item.phone !== 'string' || !OFFICE_PHONE_RE.test(item.phone.trim())) problems.push('phone 应为办公电话,如 0871-63123456 / phone must be an office number such as 0871-63123456')
        else node.phone = item.phone.trim()
      }
      Object.assign(node, { path: p, kind: k, name: (name as string).trim() })
      filePaths.set(p, k)
    }
    if (problems.length) issues.push(...problems.map((message) => ({ where, message })))
    else nodes.push(node as OrgNode)
  }

  const kindOf = async (p: string): Promise<NodeKind | null> => filePaths.get(p) ?? (await storage.org.get(p))?.kind ?? null
  for (const [i, n] of nodes.entries()) {
    const parent = parentPath(n.path)
    if (parent === null) continue
    const pk = await kindOf(parent)
    const where = raw.nodes.find((r) => r.item.path === n.path)?.where ?? `nodes[${i}]`
    if (!pk) issues.push({ where, message: `上级 ${parent} 不存在 / the parent ${parent} does not exist` })
    else if (pk === 'reading_point' || pk === 'building') issues.push({ where, message: `${parent} 下面不能再有下级 / ${parent} cannot have children` })
    else if (n.kind === 'reading_point' && pk !== 'community' && pk !== 'group') issues.push({ where, message: '读报点应放在社区或居民小组下 / a reading point belongs under a community or a group' })
  }

  const users: ImportUser[] = []
  const phones = new Set<string>()
  for (const { where, item } of raw.users) {
    const problems: string[] = []
    const known = ['phone', 'name', 'role', 'scopes', 'password']
    const extra = Object.keys(item).filter((k) => !known.includes(k))
    if (extra.length) problems.push(`不认识的字段 / unknown fields: ${extra.join(', ')}`)
    const { phone, name, role, scopes, password } = item
    if (typeof phone !== 'string' || !ACCOUNT_PHONE_RE.test(phone)) problems.push('phone 应为以 1 开头的 11 位手机号 / phone must be 11 digits starting with 1')
    else if (phones.has(phone)) problems.push(`手机号在文件中重复 / duplicate phone in the file: ${phone}`)
    if (!isText(name, ACCOUNT_NAME_MAX)) problems.push(`name 必填,最多 ${ACCOUNT_NAME_MAX} 字 / name is required (${ACCOUNT_NAME_MAX} characters at most)`)
    const roleOk = typeof role === 'string' && (ROLES as readonly string[]).includes(role)
    if (!roleOk) problems.push(`role 应为 / role must be one of: ${ROLES.join(', ')}`)
    if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((s) => typeof s === 'string')) {
      problems.push('scopes 至少一个组织路径 / scopes needs at least one org path')
    } else if (roleOk) {
      for (const s of scopes as string[]) {
        const k = await kindOf(s)
        if (!k) problems.push(`负责范围 ${s} 不存在 / the scope ${s} does not exist`)
        else if (k === 'reading_point') problems.push(`负责范围不能是读报点:${s} / a scope cannot be a reading point: ${s}`)
        else if (role !== 'admin' && k !== ROLE_LEVEL[role as Role]) {
          problems.push(`${role} 的负责范围应是 ${ROLE_LEVEL[role as Role]},而 ${s} 是 ${k} / a ${role}'s scope must be a ${ROLE_LEVEL[role as Role]}, but ${s} is a ${k}`)
        }
      }
    }
    const existing = typeof phone === 'string' ? await storage.users.byPhone(phone) : null
    if (password === undefined) {
      if (!existing) problems.push('新账号必须设置密码 / a new account needs a password')
    } else if (typeof password !== 'string') {
      problems.push('password 应为文字 / password must be text')
    } else {
      // the same rule as the app and the login server (src/shared/password.ts)
      const problem = passwordProblem(password, typeof phone === 'string' ? phone : null)
      if (problem) problems.push(`${message(problem, 'zh-CN')} / ${message(problem, 'en')}`)
    }
    if (typeof phone === 'string') phones.add(phone)
    if (problems.length) issues.push(...problems.map((message) => ({ where, message })))
    else {
      users.push({
        phone: phone as string,
        name: (name as string).trim(),
        role: role as Role,
        scopes: [...new Set(scopes as string[])],
        ...(password !== undefined ? { password: password as string } : {}),
      })
    }
  }

  if (issues.length) throw new ImportError(issues)
  return { nodes, users }
}

// ---------------------------------------------------------------- writing

export interface ImportSummary {
  nodesAdded: number
  nodesUpdated: number
  usersAdded: number
  usersUpdated: number
}

/**
 * Writes validated data in one transaction (passwords are hashed before it starts).
 * A changed password ends every session of that account (any path that changes a
 * password does); new accounts and password changes go to the audit trail, done by
 * the command line (no actor).
 */
export async function applyImport(storage: Storage, data: ImportData, now = Date.now()): Promise<ImportSummary> {
  const hashes = await Promise.all(
    data.users.map(async (u) => {
      const existing = await storage.users.byPhone(u.phone)
      if (u.password === undefined) return existing!.passwordHash
      // the same password again keeps the stored hash, so a re-import changes nothing
      if (existing && (await verifyPassword(u.password, existing.passwordHash))) return existing.passwordHash
      return hashPassword(u.password)
    }),
  )
  const summary: ImportSummary = { nodesAdded: 0, nodesUpdated: 0, usersAdded: 0, usersUpdated: 0 }
  await storage.transaction(async (tx) => {
    // parents before children
    const ordered = [...data.nodes].sort((a, b) => a.path.split('/').length - b.path.split('/').length)
    for (const n of ordered) {
      if (await tx.org.get(n.path)) summary.nodesUpdated++
      else summary.nodesAdded++
      await tx.org.upsert(n)
    }
    for (const [i, u] of data.users.entries()) {
      const before = await tx.users.byPhone(u.phone)
      if (before) summary.usersUpdated++
      else summary.usersAdded++
      const after = await tx.users.upsert({ phone: u.phone, name: u.name, role: u.role, scopes: u.scopes, passwordHash: hashes[i]! })
      const scope = auditScopeOf(after.scopes)
      if (!before) await recordAudit(tx, { actorId: null, action: 'account.add', scope, target: after.id, detail: { role: after.role, by: 'import' }, now })
      else if (before.passwordHash !== after.passwordHash) {
        const sessions = await tx.sessions.revokeAllFor(after.id, now)
        await recordAudit(tx, { actorId: null, action: 'account.password_changed', scope, target: after.id, detail: { sessions, by: 'import' }, now })
      }
    }
  })
  return summary
}

/** Parses, validates and writes an import file's text. */
export async function importText(storage: Storage, fileName: string, text: string): Promise<ImportSummary> {
  return applyImport(storage, await validateImport(parseImportText(fileName, text), storage))
}
