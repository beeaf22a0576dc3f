/**
 * The organisation tree of five-level governance, addressed by materialized paths
 * such as `pl/tudong/mingtongxiang/g01/b01`. A path's depth gives its level.
 */

export const LEVELS = ['district', 'street', 'community', 'group', 'building'] as const
export type Level = (typeof LEVELS)[number]

/** Where escalated feedback can go, lowest first. */
export const HANDLING_LEVELS = LEVELS

export type NodeKind = Level | 'reading_point'

export interface BuildingLayout {
  /** number of units (单元), numbered from 1 */
  units: number
  /** floors per unit, numbered from 1 */
  floors: number
  /** rooms per floor, numbered from 1 */
  roomsPerFloor: number
}

export interface OrgNode {
  path: string
  kind: NodeKind
  name: string
  /** buildings only */
  layout?: BuildingLayout
  /** reading points only */
  place?: string
  usualTime?: string
  /** communities and streets: the office phone, named to people who cannot log in (whom to ask) */
  phone?: string
}

export function parentPath(path: string): string | null {
  const i = path.lastIndexOf('/')
  return i < 0 ? null : path.slice(0, i)
}

/** True when `path` is `scope` itself or lies beneath it. */
export function isUnder(path: string, scope: string): boolean {
  return path === scope || path.startsWith(scope + '/')
}

export function isUnderAny(path: string, scopes: readonly string[]): boolean {
  return scopes.some((s) => isUnder(path, s))
}

/**
 * Scopes without repeats and without any scope that lies under another one,
 * sorted, so no record is fetched twice and equal sets compare equal.
 */
export function normalizeScopes(scopes: readonly string[]): string[] {
  const sorted = [...new Set(scopes)].sort()
  const out: string[] = []
  for (const s of sorted) if (!out.some((o) => isUnder(s, o))) out.push(s)
  return out
}

/** The level of an org path by its depth (reading points are not levels). */
export function levelOfPath(path: string): Level | null {
  const depth = path.split('/').length
  return LEVELS[depth - 1] ?? null
}

/** The ancestor of `path` at `level`, or null when `path` is above it. */
export function ancestorAt(path: string, level: Level): string | null {
  const parts = path.split('/')
  const depth = LEVELS.indexOf(level) + 1
  return parts.length >= depth ? parts.slice(0, depth).join('/') : null
}

/**
 * A household is one room, keyed inside its building as `unit-floor-room`
 * (e.g. `2-12-3` is unit 2, room 1203).
 */
export function householdKey(unit: number, floor: number, room: number): string {
  return `${unit}-${floor}-${room}`
}

export function parseHouseholdKey(key: string): { unit: number; floor: number; room: number } | null {
  const m = /^(\d{1,2})-(\d{1,3})-(\d{1,2})$/.exec(key)
  if (!m) return null
  return { unit: Number(m[1]), floor: Number(m[2]), room: Number(m[3]) }
}

/** Room number as residents say it: floor 12, room 3 → "1203". */
export function roomLabel(key: string): string {
  const h = parseHouseholdKey(key)
  if (!h) return key
  return `${h.floor}${String(h.room).padStart(2, '0')}`
}

export function householdInLayout(key: string, layout: BuildingLayout): boolean {
  const h = parseHouseholdKey(key)
  return (
    !!h &&
    h.unit >= 1 && h.unit <= layout.units &&
    h.floor >= 1 && h.floor <= layout.floors &&
    h.room >= 1 && h.room <= layout.roomsPerFloor
  )
}

export function householdsOf(layout: BuildingLayout): string[] {
  const keys: string[] = []
  for (let u = 1; u <= layout.units; u++)
    for (let f = 1; f <= layout.floors; f++)
      for (let r = 1; r <= layout.roomsPerFloor; r++) keys.push(householdKey(u, f, r))
  return keys
}
