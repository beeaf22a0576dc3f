/**
 * Newspaper reading points (读报点) and their sessions (读报活动). A session runs
 * as a draft on the device and becomes one `reading.session` record when it
 * ends; later changes are corrections, a mistaken one is voided.
 */
import * as v from 'valibot'
import { applyAmendments, inLogOrder, type Amendable, type FieldGuard } from './fold'
import { uuidv7 } from './ids'
import { isUnder, householdInLayout, parentPath, type OrgNode } from './org'
import {
  CORRECTABLE,
  HEADCOUNT_MAX,
  MATERIAL_MAX,
  MATERIALS_MAX,
  ReadingSessionBody,
  namedHouseholdKey,
  type AnyRecord,
  type NamedHousehold,
  type RecordIssue,
} from './records'
import { DAY_MS, isoWeekKey, monthKey, weekStart } from './time'
import type { FeedbackView } from './feedback'

/**
 * Reading points are org nodes whose last path segment starts with `rp-`
 * (e.g. `pl/tuodong/zhuangyuanlou/g01/rp-tiyu`). Depth alone cannot tell them
 * apart — a point under a group is as deep as a building — and the fold must
 * know without the org tree, so the name carries it. Importers must keep to it.
 */
export const READING_POINT_PREFIX = 'rp-'

export function isReadingPointPath(path: string): boolean {
  const last = path.slice(path.lastIndexOf('/') + 1)
  return last.startsWith(READING_POINT_PREFIX) && path.includes('/')
}

/** Buildings whose households may be named at a point: those under the node the point belongs to. */
export function readingCatchment(pointPath: string, nodes: Iterable<OrgNode>): OrgNode[] {
  const owner = parentPath(pointPath)
  if (!owner) return []
  return [...nodes].filter((n) => n.kind === 'building' && isUnder(n.path, owner)).sort((a, b) => (a.path < b.path ? -1 : 1))
}

// ---------------------------------------------------------------- fold

export interface ReadingSessionView extends Amendable {
  /** the reading point */
  orgPath: string
  startedAt: string
  endedAt: string
  reader: string
  readerId?: string
  materials: string[]
  headCount: number
  households: NamedHousehold[]
  notes: string
  authorId: string
  seq?: number
  /**
   * People present: the head count, but never fewer than the named households.
   * Two corrections from different devices (one lowering the count, one adding
   * names) could otherwise leave fewer people than named households.
   */
  attendance: number
}

// A corrected end before the (never corrected) start is refused on both sides; should one slip by, it is skipped.
const sessionGuard: FieldGuard<ReadingSessionView> = (view, field, value) =>
  field !== 'endedAt' || Date.parse(value as string) >= Date.parse(view.startedAt)

/** Folds reading sessions with their corrections and voids (the same machinery as visits). */
export function foldReadingSessions(records: readonly AnyRecord[]): Map<string, ReadingSessionView> {
  const sessions = new Map<string, ReadingSessionView>()
  for (const r of inLogOrder(records)) {
    if (r.type !== 'reading.session') continue
    const b = r.body
    sessions.set(r.id, {
      id: r.id,
      orgPath: r.orgPath,
      startedAt: b.startedAt,
      endedAt: b.endedAt,
      reader: b.reader,
      ...(b.readerId !== undefined ? { readerId: b.readerId } : {}),
      materials: [...b.materials],
      headCount: b.headCount,
      households: b.households.map((h) => ({ ...h })),
      notes: b.notes,
      authorId: r.authorId,
      ...(r.seq !== undefined ? { seq: r.seq } : {}),
      voided: false,
      history: [],
      attendance: 0,
    })
  }
  applyAmendments(sessions, records, 'reading.session', sessionGuard)
  for (const s of sessions.values()) s.attendance = Math.max(s.headCount, s.households.length)
  return sessions
}

/** Live (not voided) sessions, newest first, optionally of one point. */
export function liveSessions(sessions: Map<string, ReadingSessionView> | Iterable<ReadingSessionView>, pointPath?: string): ReadingSessionView[] {
  return [...(sessions instanceof Map ? sessions.values() : sessions)]
    .filter((s) => !s.voided && (pointPath === undefined || s.orgPath === pointPath))
    .sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt) || (a.id < b.id ? 1 : -1))
}

// ---------------------------------------------------------------- checks with context

export type NodeLookup = (path: string) => OrgNode | undefined

function checkHouseholdsAt(pointPath: string, households: readonly NamedHousehold[], lookup: NodeLookup, base: string): RecordIssue | null {
  const owner = parentPath(pointPath)
  for (const [i, h] of households.entries()) {
    const building = lookup(h.building)
    if (!owner || !building || building.kind !== 'building' || !isUnder(h.building, owner)) {
      return { code: 'unknown_household', path: `${base}.${i}.building` }
    }
    if (building.layout && !householdInLayout(h.household, building.layout)) return { code: 'unknown_household', path: `${base}.${i}.household` }
  }
  return null
}

/**
 * Context checks of a new session beyond its shape: it belongs to a reading
 * point, and each named household is a room of a building in the point's
 * catchment (see readingCatchment).
 */
export function checkReadingSession(record: { orgPath: string; body: AnyRecord<'reading.session'>['body'] }, lookup: NodeLookup): RecordIssue | null {
  const point = lookup(record.orgPath)
  if (!isReadingPointPath(record.orgPath) || (point && point.kind !== 'reading_point')) return { code: 'out_of_scope', path: 'orgPath' }
  return checkHouseholdsAt(record.orgPath, record.body.households, lookup, 'body.households')
}

/**
 * Checks a correction of a session against the session as it is now: the head
 * count stays at least the named count, the end stays after the start, named
 * households stay in the catchment (when a lookup is given).
 */
export function checkSessionCorrection(
  fields: v.InferOutput<(typeof CORRECTABLE)['reading.session']>,
  view: ReadingSessionView,
  lookup?: NodeLookup,
): RecordIssue | null {
  const headCount = fields.headCount ?? view.headCount
  const households = fields.households ?? view.households
  if (fields.endedAt !== undefined && Date.parse(fields.endedAt) < Date.parse(view.startedAt)) return { code: 'end_before_start', path: 'body.fields.endedAt' }
  if (headCount < households.length) return { code: 'headcount_below_named', path: 'body.fields.headCount' }
  if (fields.households && lookup) return checkHouseholdsAt(view.orgPath, fields.households, lookup, 'body.fields.households')
  return null
}

// ---------------------------------------------------------------- the running session

/**
 * A session while it runs, kept on the device (plain JSON, so it survives a
 * reload). It holds the id its record will have, so feedback raised during the
 * session can already point at it.
 */
export interface SessionDraft {
  id: string
  pointPath: string
  startedAt: string
  reader: string
  readerId?: string
  materials: string[]
  headCount: number
  households: NamedHousehold[]
  notes: string
}

export function newSessionDraft(opts: { pointPath: string; reader: string; readerId?: string; now: number; id?: string }): SessionDraft {
  return {
    id: opts.id ?? uuidv7(opts.now),
    pointPath: opts.pointPath,
    startedAt: new Date(opts.now).toISOString(),
    reader: opts.reader,
    ...(opts.readerId !== undefined ? { readerId: opts.readerId } : {}),
    materials: [],
    headCount: 0,
    households: [],
    notes: '',
  }
}

/**
 * Ticks a named household in or out. Never lists one twice. Ticking one in
 * raises the head count when it would fall below the named count; ticking one
 * out leaves the head count alone (that person may still be there).
 */
export function tickHousehold(draft: SessionDraft, h: NamedHousehold): SessionDraft {
  const key = namedHouseholdKey(h)
  const present = draft.households.some((x) => namedHouseholdKey(x) === key)
  const households = present ? draft.households.filter((x) => namedHouseholdKey(x) !== key) : [...draft.households, { building: h.building, household: h.household }]
  return { ...draft, households, headCount: Math.max(draft.headCount, households.length) }
}

export function isTicked(draft: SessionDraft, h: NamedHousehold): boolean {
  const key = namedHouseholdKey(h)
  return draft.households.some((x) => namedHouseholdKey(x) === key)
}

/** Sets the head count, kept between the named count and the maximum: to go lower, untick households first. */
export function setHeadCount(draft: SessionDraft, n: number): SessionDraft {
  const whole = Number.isFinite(n) ? Math.round(n) : draft.headCount
  return { ...draft, headCount: Math.min(HEADCOUNT_MAX, Math.max(draft.households.length, whole)) }
}

/** The − / + of the big counter. */
export function adjustHeadCount(draft: SessionDraft, delta: number): SessionDraft {
  return setHeadCount(draft, draft.headCount + delta)
}

/** Adds a material (trimmed, once) or removes it when already there; quick picks are just strings. */
export function toggleMaterial(draft: SessionDraft, material: string): SessionDraft {
  const m = material.trim()
  if (!m) return draft
  if (draft.materials.includes(m)) return { ...draft, materials: draft.materials.filter((x) => x !== m) }
  if (draft.materials.length >= MATERIALS_MAX || m.length > MATERIAL_MAX) return draft
  return { ...draft, materials: [...draft.materials, m] }
}

export type SessionBodyResult =
  | { ok: true; id: string; orgPath: string; body: AnyRecord<'reading.session'>['body'] }
  | { ok: false; issues: RecordIssue[] }

/**
 * Turns a finished draft into the record's body, ending it at `now`. Text is
 * trimmed and empty materials dropped. Every problem is returned (as message
 * codes with `body.…` paths) so the form can mark each field; the draft itself
 * is left untouched so nothing typed is lost.
 */
export function draftToBody(draft: SessionDraft, now: number): SessionBodyResult {
  const body = {
    startedAt: draft.startedAt,
    endedAt: new Date(now).toISOString(),
    reader: draft.reader.trim(),
    ...(draft.readerId !== undefined ? { readerId: draft.readerId } : {}),
    materials: draft.materials.map((m) => m.trim()).filter((m) => m.length > 0),
    headCount: draft.headCount,
    households: draft.households.map((h) => ({ building: h.building, household: h.household })),
    notes: draft.notes.trim(),
  }
  const res = v.safeParse(ReadingSessionBody, body)
  if (!res.success) {
    return {
      ok: false,
      issues: res.issues.map((i) => {
        const dot = v.getDotPath(i)
        return { code: i.message as RecordIssue['code'], path: dot ? `body.${dot}` : 'body' }
      }),
    }
  }
  return { ok: true, id: draft.id, orgPath: draft.pointPath, body: res.output }
}

// ---------------------------------------------------------------- summaries

export interface ReadingStats {
  sessions: number
  /** sum of attendance (head counts) */
  attendees: number
  /** different named households */
  distinctHouseholds: number
  /** feedback raised from these sessions */
  feedbackRaised: number
}

export interface ReadingWeek {
  /** ISO week in Asia/Shanghai, `YYYY-Www` */
  week: string
  sessions: number
  attendees: number
}

export interface ReadingPointSummary {
  pointPath: string
  total: ReadingStats
  /** per Asia/Shanghai month of the session's start, oldest first */
  months: (ReadingStats & { month: string })[]
  /** weeks with sessions, oldest first; weeklySeries fills the gaps for a chart */
  weeks: ReadingWeek[]
}

interface Acc {
  sessions: number
  attendees: number
  households: Set<string>
  feedback: number
}
const newAcc = (): Acc => ({ sessions: 0, attendees: 0, households: new Set(), feedback: 0 })
const statsOf = (a: Acc): ReadingStats => ({ sessions: a.sessions, attendees: a.attendees, distinctHouseholds: a.households.size, feedbackRaised: a.feedback })

/**
 * Per point: totals, per-month and per-week numbers for the ledger, from the
 * folded sessions (corrected values; voided sessions left out) and folded
 * feedback. Feedback counts in the month of the session it was raised at.
 */
export function readingSummary(
  sessions: Map<string, ReadingSessionView> | Iterable<ReadingSessionView>,
  feedback: Map<string, FeedbackView> | Iterable<FeedbackView> = [],
): Map<string, ReadingPointSummary> {
  const live = liveSessions(sessions).reverse()
  const raisedAt = new Map<string, number>()
  for (const f of feedback instanceof Map ? feedback.values() : feedback) {
    if (f.source?.type === 'reading.session') raisedAt.set(f.source.id, (raisedAt.get(f.source.id) ?? 0) + 1)
  }
  const points = new Map<string, { total: Acc; months: Map<string, Acc>; weeks: Map<string, ReadingWeek> }>()
  for (const s of live) {
    let p = points.get(s.orgPath)
    if (!p) points.set(s.orgPath, (p = { total: newAcc(), months: new Map(), weeks: new Map() }))
    const month = monthKey(s.startedAt)
    let m = p.months.get(month)
    if (!m) p.months.set(month, (m = newAcc()))
    for (const acc of [p.total, m]) {
      acc.sessions++
      acc.attendees += s.attendance
      for (const h of s.households) acc.households.add(namedHouseholdKey(h))
      acc.feedback += raisedAt.get(s.id) ?? 0
    }
    const week = isoWeekKey(s.startedAt)
    const w = p.weeks.get(week) ?? { week, sessions: 0, attendees: 0 }
    w.sessions++
    w.attendees += s.attendance
    p.weeks.set(week, w)
  }
  const out = new Map<string, ReadingPointSummary>()
  for (const [pointPath, p] of [...points].sort(([a], [b]) => (a < b ? -1 : 1))) {
    out.set(pointPath, {
      pointPath,
      total: statsOf(p.total),
      months: [...p.months].sort(([a], [b]) => (a < b ? -1 : 1)).map(([month, acc]) => ({ month, ...statsOf(acc) })),
      weeks: [...p.weeks.values()].sort((a, b) => (a.week < b.week ? -1 : 1)),
    })
  }
  return out
}

/**
 * The last `count` ISO weeks up to and including the week of `now`, oldest
 * first, with zeros for weeks without sessions: the points of a small chart.
 */
export function weeklySeries(summary: ReadingPointSummary | undefined, now: number, count = 12): ReadingWeek[] {
  const byWeek = new Map((summary?.weeks ?? []).map((w) => [w.week, w]))
  const thisWeek = weekStart(isoWeekKey(now))
  const series: ReadingWeek[] = []
  for (let i = count - 1; i >= 0; i--) {
    // Mid-week keeps the key safely inside the week.
    const week = isoWeekKey(thisWeek - i * 7 * DAY_MS + 3.5 * DAY_MS)
    series.push(byWeek.get(week) ?? { week, sessions: 0, attendees: 0 })
  }
  return series
}

