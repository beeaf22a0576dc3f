/**
 * The ledger's summaries: one row per visit, feedback item, reading session and
 * care flag, each what the shared folds (src/shared/ledger.ts converters) make
 * of it with every record that amends it, plus who recorded where in which
 * month. Both storages keep them current inside the transaction of every append
 * (migrations sqlite 006 / postgres 005) and read back one scope's month.
 *
 * Which rows an appended record changes, and to what, is decided here once; the
 * storages only read what `summaryNeeds` asks for and write what
 * `summaryWrites` answers:
 * - every record: its (month, place, author) activity row;
 * - a visit, feedback or reading session: its own row, folded from itself
 *   (nothing can refer to a record before it is stored: the rules refuse it);
 * - a correction, void or feedback event: its target's row, refolded from the
 *   target and every record that refers to it (this one included), so a visit
 *   moved to another month, a void, an escalation, a resolution, a reopening or
 *   a 回访 lands where the fold would put it; a voided visit or session loses
 *   its row;
 * - a volunteer service: its contacts (one row per household), folded like a visit;
 * - a care flag: the household's flag, refolded from every care flag of its building.
 *
 * Beside the item rows, the month's tallies (migrations sqlite 012 / postgres
 * 011): per place and month the visits by outcome and the households covered,
 * and per place, level and month the change in feedback open (and overdue) at
 * the month's end, so that the open figure of a month is the sum of the
 * changes up to it (`openMonths`). A storage reads the rows a write replaces,
 * hands old and new to `addVisitTally` / `addFeedbackTally` and adds the
 * resulting `TallyDeltas` (linear, so a batch may add them up first).
 */
import { foldVisits } from '../../shared/fold'
import { foldFeedback } from '../../shared/feedback'
import { foldReadingSessions } from '../../shared/reading'
import { foldCareFlags, householdRef } from '../../shared/rounds'
import { foldServices } from '../../shared/volunteers'
import { monthKey } from '../../shared/time'
import type { StoredRecord } from '../../shared/records'
import {
  authoredInstant, ledgerCare, ledgerFeedback, ledgerService, ledgerSession, ledgerVisit, openMonths, visitInstant,
  type LedgerCare, type LedgerFeedback, type LedgerItems, type LedgerService, type LedgerSession, type LedgerTally, type LedgerVisit,
} from '../../shared/ledger'
import { LEVELS, type Level } from '../../shared/org'

/** What a storage must read before `summaryWrites` can answer for `record`. */
export interface SummaryNeeds {
  /** the id of the record `record` amends: load it and every record referring to it, in seq order */
  target?: string
  /** the building whose care flags to load, in seq order */
  careAt?: string
}

/** The rows one appended record changes. `item: null` deletes the row. */
export interface SummaryWrites {
  activity: { month: string; path: string; authorId: string; at: number }
  visit?: { id: string; item: LedgerVisit | null }
  feedback?: { id: string; item: LedgerFeedback | null }
  session?: { id: string; item: LedgerSession | null }
  service?: { id: string; item: LedgerService | null }
  care?: LedgerCare
}

/** The record a correction, void or feedback event amends (the records table's target_id). */
export function amendedId(r: StoredRecord): string | undefined {
  if (r.type === 'correction' || r.type === 'void') return r.body.target
  if (r.type === 'feedback.event') return r.body.feedback
  return undefined
}

/** What to read for `r` (see the module comment). */
export function summaryNeeds(r: StoredRecord): SummaryNeeds {
  const target = amendedId(r)
  if (target !== undefined) return { target }
  if (r.type === 'care.flag') return { careAt: r.orgPath }
  return {}
}

/**
 * The rows `r` changes. `target`: the amended record and every record referring
 * to it (with `r`), when `summaryNeeds` asked; `care`: the building's care flags
 * (with `r`), when asked.
 */
export function summaryWrites(r: StoredRecord, loaded: { target?: readonly StoredRecord[]; care?: readonly StoredRecord[] } = {}): SummaryWrites {
  const at = authoredInstant(r)
  const out: SummaryWrites = { activity: { month: monthKey(at), path: r.orgPath, authorId: r.authorId, at } }
  const targetId = amendedId(r)
  const entity = targetId !== undefined ? (loaded.target ?? []) : [r]
  const base = targetId !== undefined ? entity.find((x) => x.id === targetId) : r
  if (!base) return out
  const serverTime = new Map(entity.map((x) => [x.id, x.serverTime]))
  if (base.type === 'visit') {
    const v = foldVisits(entity).get(base.id)
    out.visit = { id: base.id, item: v && !v.voided ? ledgerVisit(v, visitInstant(v, (id) => serverTime.get(id))) : null }
  } else if (base.type === 'reading.session') {
    const s = foldReadingSessions(entity).get(base.id)
    out.session = { id: base.id, item: s && !s.voided ? ledgerSession(s, serverTime.get(s.id)) : null }
  } else if (base.type === 'volunteer.service') {
    const s = foldServices(entity).get(base.id)
    out.service = { id: base.id, item: s ? ledgerService(s) : null }
  } else if (base.type === 'feedback') {
    const f = foldFeedback(entity).get(base.id)
    out.feedback = { id: base.id, item: f ? ledgerFeedback(f) : null }
  } else if (r.type === 'care.flag') {
    const flag = foldCareFlags(loaded.care ?? [r]).get(householdRef(r.orgPath, r.body.household))
    if (flag) out.care = ledgerCare(flag)
  }
  return out
}

/** Every summary table, emptied by a rebuild. */
export const SUMMARY_TABLES = [
  'ledger_visits', 'ledger_feedback', 'ledger_sessions', 'ledger_care', 'ledger_activity',
  'ledger_tallies', 'ledger_covered', 'ledger_open', 'ledger_services',
] as const

// ---------------------------------------------------------------- the detailed sheets

/**
 * Record types an export reads whole under its scope (household profiles for
 * the visit sheet, volunteers and wishes for the volunteer sheet). The partial
 * index records_sheet_kinds (migrations sqlite 012 / postgres 011) lists exactly
 * these: keep both the same.
 */
export const SHEET_KINDS = ['household.profile', 'volunteer', 'volunteer.team', 'volunteer.pairing', 'volunteer.service', 'wish', 'wish.event', 'wish.address'] as const
export const SHEET_KINDS_SQL = SHEET_KINDS.map((k) => `'${k}'`).join(', ')

// ---------------------------------------------------------------- tallies

/** Visit counts in the order of ledger_tallies' columns after (month, org_path): visits, met, nobody home, declined, publicity. */
export type VisitCounts = [number, number, number, number, number]

/**
 * Changes to add to the tallies. Keys join their parts with NUL:
 * visits `month·path`; covered `month·path·household` (met visits of a household
 * in a month: the tally's households covered counts those above 0); open
 * `month·path·level` → [open, overdue] changes.
 */
export interface TallyDeltas {
  visits: Map<string, VisitCounts>
  covered: Map<string, number>
  open: Map<string, [number, number]>
}

export const emptyDeltas = (): TallyDeltas => ({ visits: new Map(), covered: new Map(), open: new Map() })
export const keyOf = (...parts: string[]): string => parts.join('\u0000')
export const partsOf = (key: string): string[] => key.split('\u0000')

function bump<K>(m: Map<K, number>, k: K, n: number): void {
  m.set(k, (m.get(k) ?? 0) + n)
}

/** Adds (`sign` 1) or takes away (−1) what visit `v` counts in its month. */
export function addVisitTally(d: TallyDeltas, v: LedgerVisit, sign: 1 | -1): void {
  const month = monthKey(v.at)
  const k = keyOf(month, v.path)
  const c = d.visits.get(k) ?? [0, 0, 0, 0, 0]
  c[0] += sign
  c[v.outcome === 'met' ? 1 : v.outcome === 'nobody_home' ? 2 : 3] += sign
  if (v.policy) c[4] += sign
  d.visits.set(k, c)
  if (v.covering) bump(d.covered, keyOf(month, v.path, v.household), sign)
}

/** Adds (`sign` 1) or takes away (−1) what item `f` changes in the open and overdue tallies. */
export function addFeedbackTally(d: TallyDeltas, f: LedgerFeedback, sign: 1 | -1): void {
  const span = openMonths(f)
  if (!span) return
  const add = (month: string, open: number, overdue: number) => {
    const k = keyOf(month, f.path, f.heldLevel)
    const c = d.open.get(k) ?? [0, 0]
    c[0] += open * sign
    c[1] += overdue * sign
    d.open.set(k, c)
  }
  add(span.from, 1, 0)
  if (span.until === undefined || span.overdueFrom < span.until) add(span.overdueFrom, 0, 1)
  if (span.until !== undefined) add(span.until, -1, span.overdueFrom < span.until ? -1 : 0)
}

/** Change of the households covered when a household's met visits in a month went from `before` to `after`. */
export const coveredChange = (before: number, after: number): number => (after > 0 ? 1 : 0) - (before > 0 ? 1 : 0)

/** Rows of ledger_tallies / ledger_open as read back for one scope and month (open: summed up to the month). */
export interface TallyRow { org_path: string; visits: Int; visits_met: Int; visits_nobody: Int; visits_declined: Int; publicity: Int; covered: Int }
export interface OpenRow { org_path: string; level: string; open: Int; overdue: Int }

/** One `LedgerTally` per place from the rows read back. */
export function talliesOfRows(tallies: readonly TallyRow[], open: readonly OpenRow[]): LedgerTally[] {
  const out = new Map<string, LedgerTally>()
  const at = (path: string): LedgerTally => {
    let t = out.get(path)
    if (!t) {
      t = {
        path, visits: 0, visitsMet: 0, visitsNobodyHome: 0, visitsDeclined: 0, publicityVisits: 0, householdsCovered: 0,
        feedbackOpenByLevel: Object.fromEntries(LEVELS.map((l) => [l, 0])) as Record<Level, number>, feedbackOverdue: 0,
      }
      out.set(path, t)
    }
    return t
  }
  for (const r of tallies) {
    const t = at(r.org_path)
    t.visits += Number(r.visits)
    t.visitsMet += Number(r.visits_met)
    t.visitsNobodyHome += Number(r.visits_nobody)
    t.visitsDeclined += Number(r.visits_declined)
    t.publicityVisits += Number(r.publicity)
    t.householdsCovered += Number(r.covered)
  }
  for (const r of open) {
    const t = at(r.org_path)
    t.feedbackOpenByLevel[r.level as Level] += Number(r.open)
    t.feedbackOverdue += Number(r.overdue)
  }
  return [...out.values()]
}

// ---------------------------------------------------------------- rows, as both databases give them back

/** PostgreSQL returns BIGINT as a string; SQLite as a number. */
type Int = number | string

export interface VisitRow { id: string; org_path: string; household: string; at: Int; outcome: string; policy: Int; covering: Int }
export interface FeedbackRow {
  id: string; org_path: string; raised_at: Int; resolved_at: Int | null; resolved_level: string | null; held_level: string
  urgency: string; reopened: Int; reported_back: Int; satisfied: Int
}
export interface SessionRow { id: string; org_path: string; at: Int; attendance: Int; households: string }
export interface CareRow { building: string; household: string; flagged_at: Int; interval_days: Int; active: Int }
export interface ActivityRow { author_id: string; first_at: Int }
export interface ServiceRow { id: string; building: string; household: string; at: Int }

export const visitOfRow = (r: VisitRow): LedgerVisit => ({
  id: r.id, path: r.org_path, household: r.household, at: Number(r.at), outcome: r.outcome as LedgerVisit['outcome'],
  policy: Number(r.policy) === 1, covering: Number(r.covering) === 1,
})

export const feedbackOfRow = (r: FeedbackRow): LedgerFeedback => ({
  id: r.id, path: r.org_path, raised: Number(r.raised_at),
  ...(r.resolved_at !== null && r.resolved_level !== null ? { resolved: Number(r.resolved_at), resolvedLevel: r.resolved_level as Level } : {}),
  heldLevel: r.held_level as Level, urgency: r.urgency as LedgerFeedback['urgency'], reopened: Number(r.reopened) === 1,
  reportedBack: Number(r.reported_back) === 1, satisfied: Number(r.satisfied) === 1,
})

export const sessionOfRow = (r: SessionRow): LedgerSession => ({
  id: r.id, path: r.org_path, at: Number(r.at), attendance: Number(r.attendance), households: JSON.parse(r.households) as string[],
})

export const careOfRow = (r: CareRow): LedgerCare => ({
  building: r.building, household: r.household, flaggedAt: Number(r.flagged_at), intervalDays: Number(r.interval_days), active: Number(r.active) === 1,
})

/** The column values of each row kind, in the order of the INSERT statements of both storages. */
export const visitValues = (v: LedgerVisit): (string | number)[] => [v.id, v.path, v.household, v.at, v.outcome, v.policy ? 1 : 0, v.covering ? 1 : 0]
export const feedbackValues = (f: LedgerFeedback): (string | number | null)[] => [
  f.id, f.path, f.raised, f.resolved ?? null, f.resolvedLevel ?? null, f.heldLevel, f.urgency, f.reopened ? 1 : 0, f.reportedBack ? 1 : 0, f.satisfied ? 1 : 0,
]
export const sessionValues = (s: LedgerSession): (string | number)[] => [s.id, s.path, s.at, s.attendance, JSON.stringify(s.households)]
/** One row per household of a service: [id, building, household, at]. */
export const serviceValues = (s: LedgerService): (string | number)[][] => s.households.map((h) => [s.id, s.building, h, s.at])
export const careValues = (c: LedgerCare): (string | number)[] => [c.building, c.household, c.flaggedAt, c.intervalDays, c.active ? 1 : 0]

/**
 * Assembles one scope's month from the rows read back: the tallies (visit
 * counts, households covered, open feedback), the care households' met visits
 * and services in the month and the last of each before it (each once; the care
 * figure needs no earlier one), feedback raised or resolved in the month, care
 * flags, sessions in the month, and authors who recorded in it.
 */
export function itemsOfRows(rows: {
  tallies: TallyRow[]; open: OpenRow[]; careVisits: VisitRow[]; careServices: ServiceRow[]; feedback: FeedbackRow[]
  care: CareRow[]; sessions: SessionRow[]; activity: ActivityRow[]
}): LedgerItems {
  const visits = new Map<string, LedgerVisit>()
  for (const r of rows.careVisits) if (!visits.has(r.id)) visits.set(r.id, visitOfRow(r))
  const feedback = new Map<string, LedgerFeedback>()
  for (const r of rows.feedback) if (!feedback.has(r.id)) feedback.set(r.id, feedbackOfRow(r))
  const services = new Map<string, LedgerService>()
  for (const r of rows.careServices) {
    const k = keyOf(r.id, r.household)
    if (!services.has(k)) services.set(k, { id: r.id, building: r.building, households: [r.household], at: Number(r.at) })
  }
  return {
    visits: [...visits.values()],
    feedback: [...feedback.values()],
    care: rows.care.map(careOfRow),
    sessions: rows.sessions.map(sessionOfRow),
    services: [...services.values()],
    authored: new Map(rows.activity.map((a) => [a.author_id, [Number(a.first_at)]])),
    tallies: talliesOfRows(rows.tallies, rows.open),
  }
}
