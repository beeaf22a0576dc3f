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
 * - a care flag: the household's flag, refolded from every care flag of its building.
 */
import { foldVisits } from '../../shared/fold'
import { foldFeedback } from '../../shared/feedback'
import { foldReadingSessions } from '../../shared/reading'
import { foldCareFlags, householdRef } from '../../shared/rounds'
import { monthKey } from '../../shared/time'
import type { StoredRecord } from '../../shared/records'
import {
  authoredInstant, ledgerCare, ledgerFeedback, ledgerSession, ledgerVisit, visitInstant,
  type LedgerCare, type LedgerFeedback, type LedgerItems, type LedgerSession, type LedgerVisit,
} from '../../shared/ledger'
import type { Level } from '../../shared/org'

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
  } else if (base.type === 'feedback') {
    const f = foldFeedback(entity).get(base.id)
    out.feedback = { id: base.id, item: f ? ledgerFeedback(f) : null }
  } else if (r.type === 'care.flag') {
    const flag = foldCareFlags(loaded.care ?? [r]).get(householdRef(r.orgPath, r.body.household))
    if (flag) out.care = ledgerCare(flag)
  }
  return out
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
export const careValues = (c: LedgerCare): (string | number)[] => [c.building, c.household, c.flaggedAt, c.intervalDays, c.active ? 1 : 0]

/**
 * Assembles one scope's month from the rows read back: visits in the month and
 * the last met visit before it of each care household (each once; the care
 * figure needs no earlier one), feedback
 * raised before its end and not resolved before its start, care flags, sessions
 * in the month, and authors who recorded in it.
 */
export function itemsOfRows(rows: { visits: VisitRow[]; careVisits: VisitRow[]; feedback: FeedbackRow[]; care: CareRow[]; sessions: SessionRow[]; activity: ActivityRow[] }): LedgerItems {
  const visits = new Map<string, LedgerVisit>()
  for (const r of rows.visits) visits.set(r.id, visitOfRow(r))
  for (const r of rows.careVisits) if (!visits.has(r.id)) visits.set(r.id, visitOfRow(r))
  return {
    visits: [...visits.values()],
    feedback: rows.feedback.map(feedbackOfRow),
    care: rows.care.map(careOfRow),
    sessions: rows.sessions.map(sessionOfRow),
    authored: new Map(rows.activity.map((a) => [a.author_id, [Number(a.first_at)]])),
  }
}
