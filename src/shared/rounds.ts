/**
 * Door-to-door rounds: which doors were visited when (the building grid and
 * coverage), the care list (关爱对象) and the minimal household profile.
 * All calendar reasoning is in Asia/Shanghai whatever zone the device is in.
 */
import { inLogOrder, type VisitView } from './fold'
import { householdInLayout, householdsOf, levelOfPath, roomLabel, type BuildingLayout, type OrgNode } from './org'
import type { AnyRecord, CareKind, Consent, RecordIssue } from './records'
import { DAY_MS, dayKey, daysBetween, monthKey, previousMonthKey } from './time'
import { isReadingPointPath } from './reading'

/** One household anywhere: `building path:household key`. */
export function householdRef(building: string, household: string): string {
  return `${building}:${household}`
}

/**
 * Context check for records about one household (visit, care.flag,
 * household.profile, feedback naming a household): it belongs to a building
 * (`out_of_scope` otherwise) and the room exists in its layout (`unknown_household`).
 */
export function checkHouseholdRecord(record: { orgPath: string; body: { household?: string } }, building: OrgNode | undefined): RecordIssue | null {
  if (record.body.household === undefined) return null
  if (!building || building.kind !== 'building' || building.path !== record.orgPath) return { code: 'out_of_scope', path: 'orgPath' }
  if (building.layout && !householdInLayout(record.body.household, building.layout)) return { code: 'unknown_household', path: 'body.household' }
  return null
}

// ---------------------------------------------------------------- coverage

/**
 * A door's state this month. Only a visit that met the resident (见到住户)
 * covers a household; 无人在家 and 拒绝 are attempts: `attempted` means tried
 * this month but not met this month (whatever happened in earlier months).
 */
export const DOOR_STATUSES = ['this_month', 'attempted', 'last_month', 'older', 'never'] as const
export type DoorStatus = (typeof DOOR_STATUSES)[number]

type Instant = number | string | Date

/**
 * The one definition of coverage, used by the grid, the overview and the ledger:
 * a live (not voided) visit whose outcome is `met`. Corrections apply first
 * (a visit corrected from 无人在家 to 见到住户 covers, and the other way round).
 */
export function isCoveringVisit(v: Pick<VisitView, 'outcome' | 'voided'>): boolean {
  return !v.voided && v.outcome === 'met'
}

/** A live visit that did not meet the resident (无人在家, 拒绝): effort, not coverage. */
export function isAttemptVisit(v: Pick<VisitView, 'outcome' | 'voided'>): boolean {
  return !v.voided && v.outcome !== 'met'
}

/**
 * How recently a door was covered (a `met` visit), by Asia/Shanghai calendar
 * month. A visit stamped a little in the future (a fast clock) still counts as
 * this month. `lastAttemptAt` (the latest attempt) turns a door not met this
 * month into `attempted` when that attempt was this month.
 */
export function doorStatus(lastMetAt: string | null | undefined, now: Instant, lastAttemptAt?: string | null): DoorStatus {
  const current = monthKey(now)
  const met = lastMetAt ? monthKey(lastMetAt) : null
  if (met !== null && met >= current) return 'this_month'
  if (lastAttemptAt && monthKey(lastAttemptAt) >= current) return 'attempted'
  if (met === null) return 'never'
  if (met === previousMonthKey(current)) return 'last_month'
  return 'older'
}

function valuesOf<T>(items: Map<string, T> | Iterable<T>): Iterable<T> {
  return items instanceof Map ? items.values() : items
}

/** What deciding a door's last visit reads of a visit: the full view, or a device's per-door summary of it. */
export type VisitFacts = Pick<VisitView, 'id' | 'orgPath' | 'household' | 'outcome' | 'voided' | 'visitedAt'>

/**
 * The latest live visit per household (by visitedAt; at the same instant the
 * larger id, so the answer never depends on the order visits come in),
 * optionally only those matching `keep`.
 */
export function lastVisits<V extends VisitFacts>(visits: Map<string, V> | Iterable<V>, keep: (v: V) => boolean = () => true): Map<string, V> {
  const last = new Map<string, V>()
  for (const v of valuesOf(visits)) {
    if (v.voided || !keep(v)) continue
    const ref = householdRef(v.orgPath, v.household)
    const prev = last.get(ref)
    if (!prev) {
      last.set(ref, v)
      continue
    }
    const t = Date.parse(v.visitedAt)
    const p = Date.parse(prev.visitedAt)
    if (t > p || (t === p && v.id > prev.id)) last.set(ref, v)
  }
  return last
}

export interface DoorCoverage {
  household: string
  status: DoorStatus
  /** the visit the status stands on: the last met one, or this month's attempt for `attempted` */
  lastVisitAt?: string
  lastVisitId?: string
}

export interface BuildingCoverage {
  building: string
  /** households in the layout */
  total: number
  /** households met (见到住户) this month: the coverage */
  metThisMonth: number
  /** households tried this month (无人在家 / 拒绝) but not met this month; not coverage */
  attemptedThisMonth: number
  /** metThisMonth ÷ total, 0 for an empty layout */
  shareThisMonth: number
  counts: Record<DoorStatus, number>
  /** every door of the layout, unit by unit, floor by floor, room by room */
  doors: DoorCoverage[]
}

/** Last covering and last attempt visit per household, for `coverageFrom`. */
interface LastByKind {
  met: Map<string, VisitFacts>
  attempt: Map<string, VisitFacts>
}

function lastByKind(visits: Map<string, VisitFacts> | Iterable<VisitFacts>, keep: (v: VisitFacts) => boolean = () => true): LastByKind {
  const all = [...valuesOf(visits)].filter(keep)
  return { met: lastVisits(all, isCoveringVisit), attempt: lastVisits(all, isAttemptVisit) }
}

function coverageFrom(last: LastByKind, layout: BuildingLayout, buildingPath: string, now: Instant): BuildingCoverage {
  const counts: Record<DoorStatus, number> = { this_month: 0, attempted: 0, last_month: 0, older: 0, never: 0 }
  const doors = householdsOf(layout).map((household): DoorCoverage => {
    const ref = householdRef(buildingPath, household)
    const met = last.met.get(ref)
    const attempt = last.attempt.get(ref)
    const status = doorStatus(met?.visitedAt, now, attempt?.visitedAt)
    counts[status]++
    const v = status === 'attempted' ? attempt : met
    return { household, status, ...(v ? { lastVisitAt: v.visitedAt, lastVisitId: v.id } : {}) }
  })
  return {
    building: buildingPath,
    total: doors.length,
    metThisMonth: counts.this_month,
    attemptedThisMonth: counts.attempted,
    shareThisMonth: doors.length ? counts.this_month / doors.length : 0,
    counts,
    doors,
  }
}

/**
 * The building grid and its coverage: each door's status from its last live
 * covering visit (`isCoveringVisit`) and this month's attempts; voided visits
 * are not counted, corrected ones count with their corrected time and outcome.
 * Visits to rooms outside the layout are ignored.
 */
export function buildingCoverage(
  visits: Map<string, VisitFacts> | Iterable<VisitFacts>,
  layout: BuildingLayout,
  buildingPath: string,
  now: Instant,
): BuildingCoverage {
  return coverageFrom(lastByKind(visits, (v) => v.orgPath === buildingPath), layout, buildingPath, now)
}

// ---------------------------------------------------------------- care list

export interface CareFlagView {
  building: string
  household: string
  kind: CareKind
  intervalDays: number
  note?: string
  active: boolean
  /** how the resident agreed to a sensitive category (records.ts Consent), as last recorded */
  consent?: Consent
  /**
   * When it went on the care list: the device time of the record that flagged
   * it. Changing kind or interval later keeps this, so it cannot reset the clock.
   */
  flaggedAt: string
  flaggedBy: string
  /** the latest record about this flag */
  recordId: string
  updatedAt: string
  updatedBy: string
}

/** The current care flag per household: the latest record in server order wins (unsynced last). */
export function foldCareFlags(records: readonly AnyRecord[]): Map<string, CareFlagView> {
  const flags = new Map<string, CareFlagView>()
  for (const r of inLogOrder(records)) {
    if (r.type !== 'care.flag') continue
    const b = r.body
    const ref = householdRef(r.orgPath, b.household)
    const prev = flags.get(ref)
    const stillFlagged = prev?.active && b.active
    flags.set(ref, {
      building: r.orgPath,
      household: b.household,
      kind: b.kind,
      intervalDays: b.intervalDays,
      ...(b.note ? { note: b.note } : {}),
      active: b.active,
      ...(b.consent ? { consent: b.consent } : {}),
      flaggedAt: stillFlagged ? prev.flaggedAt : r.clientTime,
      flaggedBy: stillFlagged ? prev.flaggedBy : r.authorId,
      recordId: r.id,
      updatedAt: r.clientTime,
      updatedBy: r.authorId,
    })
  }
  return flags
}

export interface CareItem extends CareFlagView {
  /** the latest live visit that met the resident */
  lastMetAt?: string
  /** (lastMetAt ?? flaggedAt) + interval */
  dueAt: string
  /** the Asia/Shanghai day it is due */
  dueDay: string
  /** whole Shanghai days past the due day: 0 on the day, negative before it */
  overdueDays: number
  /** past the due day */
  overdue: boolean
}

/**
 * Flagged households with when they were last met and when they are due, most
 * overdue first. Only a live visit with outcome 'met' counts as a care visit:
 * knocking on a door nobody answers is not seeing an elderly neighbour. A
 * household is overdue from the Shanghai day after its due day, so a visit
 * late in the evening does not make next week's one "late" by the hour.
 */
export function careList(
  flags: Map<string, CareFlagView> | Iterable<CareFlagView>,
  visits: Map<string, VisitFacts> | Iterable<VisitFacts>,
  now: Instant,
): CareItem[] {
  const met = lastVisits(visits, isCoveringVisit)
  const today = dayKey(now)
  const items: CareItem[] = []
  for (const f of valuesOf(flags)) {
    if (!f.active) continue
    const lastMetAt = met.get(householdRef(f.building, f.household))?.visitedAt
    const due = Date.parse(lastMetAt ?? f.flaggedAt) + f.intervalDays * DAY_MS
    const dueDay = dayKey(due)
    const overdueDays = daysBetween(dueDay, today)
    items.push({ ...f, ...(lastMetAt ? { lastMetAt } : {}), dueAt: new Date(due).toISOString(), dueDay, overdueDays, overdue: overdueDays > 0 })
  }
  return items.sort(
    (a, b) => b.overdueDays - a.overdueDays || Date.parse(a.dueAt) - Date.parse(b.dueAt) || (householdRef(a.building, a.household) < householdRef(b.building, b.household) ? -1 : 1),
  )
}

/** How many flagged households are overdue: the tab badge. */
export function overdueCount(
  flags: Map<string, CareFlagView> | Iterable<CareFlagView>,
  visits: Map<string, VisitFacts> | Iterable<VisitFacts>,
  now: Instant,
): number {
  return careList(flags, visits, now).filter((i) => i.overdue).length
}

// ---------------------------------------------------------------- group overview

export interface BuildingOverview {
  building: string
  name: string
  total: number
  /** households met this month (the coverage) */
  metThisMonth: number
  /** households tried but not met this month */
  attemptedThisMonth: number
  shareThisMonth: number
  overdueCare: number
}

/**
 * One line per building for a group leader's tablet: coverage this month and overdue care households.
 * `careVisits` (default `visits`): the contacts that restart a care clock, volunteers' services included.
 */
export function buildingsOverview(
  buildings: Iterable<OrgNode>,
  visits: Map<string, VisitFacts> | Iterable<VisitFacts>,
  flags: Map<string, CareFlagView> | Iterable<CareFlagView>,
  now: Instant,
  careVisits: Map<string, VisitFacts> | Iterable<VisitFacts> = visits,
): BuildingOverview[] {
  const last = lastByKind(visits)
  const overdue = new Map<string, number>()
  for (const item of careList(flags, careVisits, now)) if (item.overdue) overdue.set(item.building, (overdue.get(item.building) ?? 0) + 1)
  const out: BuildingOverview[] = []
  for (const b of buildings) {
    if (b.kind !== 'building' || !b.layout) continue
    const c = coverageFrom(last, b.layout, b.path, now)
    out.push({ building: b.path, name: b.name, total: c.total, metThisMonth: c.metThisMonth, attemptedThisMonth: c.attemptedThisMonth, shareThisMonth: c.shareThisMonth, overdueCare: overdue.get(b.path) ?? 0 })
  }
  return out
}

// ---------------------------------------------------------------- household profiles

export interface HouseholdProfileView {
  building: string
  household: string
  /** what neighbours call them, e.g. 王阿姨; may be empty */
  displayName: string
  phone?: string
  recordId: string
  updatedAt: string
  updatedBy: string
}

/** The current profile per household: the latest record in server order wins (unsynced last). */
export function foldHouseholdProfiles(records: readonly AnyRecord[]): Map<string, HouseholdProfileView> {
  const profiles = new Map<string, HouseholdProfileView>()
  for (const r of inLogOrder(records)) {
    if (r.type !== 'household.profile') continue
    const b = r.body
    profiles.set(householdRef(r.orgPath, b.household), {
      building: r.orgPath,
      household: b.household,
      displayName: b.displayName,
      ...(b.phone ? { phone: b.phone } : {}),
      recordId: r.id,
      updatedAt: r.clientTime,
      updatedBy: r.authorId,
    })
  }
  return profiles
}

export interface HouseholdMatch {
  building: string
  household: string
  /** room number as residents say it, e.g. 1203 */
  room: string
  displayName?: string
}

/**
 * Finds households by room number (digits: the room label contains them, so
 * "1203" or "12") or by display name (any other text, contained). Results in
 * building then unit/floor/room order, at most `limit`.
 */
export function searchHouseholds(
  query: string,
  buildings: Iterable<Pick<OrgNode, 'path' | 'layout'>>,
  profiles: Map<string, HouseholdProfileView>,
  limit = 50,
): HouseholdMatch[] {
  const q = query.trim().toLowerCase()
  if (!q) return []
  const byRoom = /^\d+$/.test(q)
  const matches: HouseholdMatch[] = []
  for (const b of buildings) {
    if (!b.layout) continue
    for (const household of householdsOf(b.layout)) {
      const name = profiles.get(householdRef(b.path, household))?.displayName
      const room = roomLabel(household)
      const hit = byRoom ? room.includes(q) : !!name && name.toLowerCase().includes(q)
      if (!hit) continue
      matches.push({ building: b.path, household, room, ...(name ? { displayName: name } : {}) })
      if (matches.length >= limit) return matches
    }
  }
  return matches
}

/** True for a path that can hold households: a building, not a reading point. */
export function isBuildingPath(path: string): boolean {
  return levelOfPath(path) === 'building' && !isReadingPointPath(path)
}
