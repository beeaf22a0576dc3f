/**
 * The ledger's summaries in the SQLite file (./summaries.ts says what they
 * are). `apply` runs inside the append transaction (synchronous, like every
 * better-sqlite3 call); the rest backs `Storage.ledger`.
 */
import type { Db } from '../db'
import type { StoredRecord } from '../../shared/records'
import type { LedgerItems } from '../../shared/ledger'
import { monthRange } from '../../shared/time'
import { toStored, type RecordDbRow } from '../storage'
import {
  addFeedbackTally, addVisitTally, amendedId, careValues, coveredChange, emptyDeltas, feedbackOfRow, feedbackValues, itemsOfRows, keyOf, partsOf,
  serviceValues, sessionValues, SHEET_KINDS_SQL, SUMMARY_TABLES, summaryNeeds, summaryWrites, visitOfRow, visitValues,
  type ActivityRow, type CareRow, type FeedbackRow, type OpenRow, type ServiceRow, type SessionRow, type TallyDeltas, type TallyRow, type VisitRow,
} from './summaries'

/** Paths strictly beneath `scope`: [scope + '/', scope + '0') ('0' follows '/'). */
const below = (scope: string): [string, string] => [scope + '/', scope + '0']

export interface SqliteLedger {
  /**
   * Keeps the summaries current for the records one transaction appends (inside it):
   * `apply` each record just inserted, in seq order (its item rows are written then),
   * then `finish` once, which adds up the tally and activity changes of them all (a push
   * of 100 visits to one building is one tally row written, not 100).
   */
  batch(): { apply(record: StoredRecord): void; finish(): void }
  items(scope: string, month: string): LedgerItems
  /** `ledger.weights` records placed on `street`, in seq order */
  weights(street: string): StoredRecord[]
  /** see `LedgerStore.sheetRecords` */
  sheetRecords(scope: string, month: string): StoredRecord[]
  stale(): boolean
  /** empties and refills every summary from the log, one transaction per page; returns the records read */
  rebuild(): number
}

export function createSqliteLedger(db: Db): SqliteLedger {
  const SCOPE = '(org_path = @scope OR (org_path >= @lo AND org_path < @hi))'
  const q = {
    byId: db.prepare<[string], RecordDbRow>('SELECT * FROM records WHERE id = ?'),
    related: db.prepare<[string], RecordDbRow>('SELECT * FROM records WHERE target_id = ? ORDER BY seq'),
    careFlags: db.prepare<[string], RecordDbRow>("SELECT * FROM records WHERE org_path = ? AND type = 'care.flag' ORDER BY seq"),
    activity: db.prepare(
      `INSERT INTO ledger_activity (month, org_path, author_id, first_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (month, org_path, author_id) DO UPDATE SET first_at = min(first_at, excluded.first_at)`,
    ),
    visitPut: db.prepare(
      `INSERT INTO ledger_visits (id, org_path, household, at, outcome, policy, covering) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET org_path = excluded.org_path, household = excluded.household, at = excluded.at,
         outcome = excluded.outcome, policy = excluded.policy, covering = excluded.covering`,
    ),
    visitDrop: db.prepare('DELETE FROM ledger_visits WHERE id = ?'),
    visitGet: db.prepare<[string], VisitRow>('SELECT * FROM ledger_visits WHERE id = ?'),
    feedbackGet: db.prepare<[string], FeedbackRow>('SELECT * FROM ledger_feedback WHERE id = ?'),
    serviceDrop: db.prepare('DELETE FROM ledger_services WHERE id = ?'),
    servicePut: db.prepare('INSERT INTO ledger_services (id, building, household, at) VALUES (?, ?, ?, ?)'),
    tallyAdd: db.prepare(
      `INSERT INTO ledger_tallies (month, org_path, visits, visits_met, visits_nobody, visits_declined, publicity, covered) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (month, org_path) DO UPDATE SET visits = visits + excluded.visits, visits_met = visits_met + excluded.visits_met,
         visits_nobody = visits_nobody + excluded.visits_nobody, visits_declined = visits_declined + excluded.visits_declined,
         publicity = publicity + excluded.publicity, covered = covered + excluded.covered`,
    ),
    coveredAdd: db.prepare<[string, string, string, number], { n: number }>(
      `INSERT INTO ledger_covered (month, org_path, household, n) VALUES (?, ?, ?, ?)
       ON CONFLICT (month, org_path, household) DO UPDATE SET n = n + excluded.n RETURNING n`,
    ),
    coveredPrune: db.prepare('DELETE FROM ledger_covered WHERE month = ? AND org_path = ? AND household = ? AND n = 0'),
    openAdd: db.prepare(
      `INSERT INTO ledger_open (org_path, level, month, open, overdue) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (org_path, level, month) DO UPDATE SET open = open + excluded.open, overdue = overdue + excluded.overdue`,
    ),
    talliesIn: db.prepare<{ scope: string; lo: string; hi: string; month: string }, TallyRow>(
      `SELECT * FROM ledger_tallies WHERE month = @month AND ${SCOPE}`,
    ),
    openIn: db.prepare<{ scope: string; lo: string; hi: string; month: string }, OpenRow>(
      `SELECT org_path, level, sum(open) AS open, sum(overdue) AS overdue FROM ledger_open WHERE month <= @month AND ${SCOPE} GROUP BY org_path, level`,
    ),
    careVisitsIn: db.prepare<{ scope: string; lo: string; hi: string; from: number; to: number }, VisitRow>(
      `SELECT v.* FROM ledger_care c JOIN ledger_visits v ON v.org_path = c.building AND v.household = c.household AND v.covering = 1 AND v.at >= @from AND v.at < @to
       WHERE c.active = 1 AND (c.building = @scope OR (c.building >= @lo AND c.building < @hi))`,
    ),
    careServices: db.prepare<{ scope: string; lo: string; hi: string; from: number; to: number }, ServiceRow>(
      `SELECT s.* FROM ledger_care c JOIN ledger_services s ON s.building = c.building AND s.household = c.household AND s.at < @to AND s.at >= coalesce(
         (SELECT max(w.at) FROM ledger_services w WHERE w.building = c.building AND w.household = c.household AND w.at < @from), @from)
       WHERE c.active = 1 AND (c.building = @scope OR (c.building >= @lo AND c.building < @hi))`,
    ),
    feedbackPut: db.prepare(
      `INSERT INTO ledger_feedback (id, org_path, raised_at, resolved_at, resolved_level, held_level, urgency, reopened, reported_back, satisfied)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET org_path = excluded.org_path, raised_at = excluded.raised_at, resolved_at = excluded.resolved_at,
         resolved_level = excluded.resolved_level, held_level = excluded.held_level, urgency = excluded.urgency,
         reopened = excluded.reopened, reported_back = excluded.reported_back, satisfied = excluded.satisfied`,
    ),
    feedbackDrop: db.prepare('DELETE FROM ledger_feedback WHERE id = ?'),
    sessionPut: db.prepare(
      `INSERT INTO ledger_sessions (id, org_path, at, attendance, households) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET org_path = excluded.org_path, at = excluded.at, attendance = excluded.attendance, households = excluded.households`,
    ),
    sessionDrop: db.prepare('DELETE FROM ledger_sessions WHERE id = ?'),
    carePut: db.prepare(
      `INSERT INTO ledger_care (building, household, flagged_at, interval_days, active) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (building, household) DO UPDATE SET flagged_at = excluded.flagged_at, interval_days = excluded.interval_days, active = excluded.active`,
    ),
    // the last met visit before the month of each care household: all a month's care figure needs from before it
    careVisits: db.prepare<{ scope: string; lo: string; hi: string; from: number }, VisitRow>(
      `SELECT v.* FROM ledger_care c JOIN ledger_visits v ON v.id = (
         SELECT w.id FROM ledger_visits w WHERE w.org_path = c.building AND w.household = c.household AND w.covering = 1 AND w.at < @from
         ORDER BY w.at DESC LIMIT 1)
       WHERE c.active = 1 AND (c.building = @scope OR (c.building >= @lo AND c.building < @hi))`,
    ),
    feedbackIn: db.prepare<{ scope: string; lo: string; hi: string; from: number; to: number }, FeedbackRow>(
      `SELECT * FROM ledger_feedback WHERE raised_at >= @from AND raised_at < @to AND ${SCOPE}
       UNION ALL SELECT * FROM ledger_feedback WHERE resolved_at >= @from AND resolved_at < @to AND ${SCOPE}`,
    ),
    careIn: db.prepare<{ scope: string; lo: string; hi: string }, CareRow>(
      'SELECT * FROM ledger_care WHERE building = @scope OR (building >= @lo AND building < @hi)',
    ),
    sessionsIn: db.prepare<{ scope: string; lo: string; hi: string; from: number; to: number }, SessionRow>(
      `SELECT * FROM ledger_sessions WHERE at >= @from AND at < @to AND ${SCOPE}`,
    ),
    activityIn: db.prepare<{ scope: string; lo: string; hi: string; month: string }, ActivityRow>(
      `SELECT author_id, min(first_at) AS first_at FROM ledger_activity WHERE month = @month AND ${SCOPE} GROUP BY author_id`,
    ),
    sheetRecords: db.prepare<{ scope: string; lo: string; hi: string; from: number; to: number }, RecordDbRow>(
      `WITH ids(id) AS (
         SELECT id FROM ledger_visits WHERE at >= @from AND at < @to AND ${SCOPE}
         UNION SELECT id FROM ledger_sessions WHERE at >= @from AND at < @to AND ${SCOPE}
         UNION SELECT id FROM ledger_feedback WHERE raised_at < @to AND (resolved_at IS NULL OR resolved_at >= @from) AND ${SCOPE}
         UNION SELECT id FROM records WHERE type IN (${SHEET_KINDS_SQL}) AND ${SCOPE})
       SELECT * FROM records WHERE id IN (SELECT id FROM ids)
       UNION SELECT * FROM records WHERE target_id IN (SELECT id FROM ids)
       ORDER BY seq`,
    ),
    weights: db.prepare<[string], RecordDbRow>("SELECT * FROM records WHERE org_path = ? AND type = 'ledger.weights' ORDER BY seq"),
    stale: db.prepare<[], { stale: number }>('SELECT stale FROM ledger_state WHERE id = 1'),
    page: db.prepare<[number, number], RecordDbRow>('SELECT * FROM records WHERE seq > ? ORDER BY seq LIMIT ?'),
  }

  function batch(): { apply(record: StoredRecord): void; finish(): void } {
    const d = emptyDeltas()
    const activity: Activity = new Map()
    return {
      apply: (r) => applyInto(r, d, activity, true),
      finish: () => {
        addActivity(activity)
        addDeltas(d)
      },
    }
  }

  /** Each (month, place, author)'s earliest instant among the records applied. */
  type Activity = Map<string, [month: string, path: string, authorId: string, at: number]>

  function addActivity(activity: Activity): void {
    for (const a of activity.values()) q.activity.run(...a)
  }

  /**
   * Writes `r`'s item rows, adds its tally changes to `d` and its activity to `activity`
   * (linear: a transaction, or a rebuild's page, adds them up first; nothing here reads
   * the tallies or the activity rows). `appended`: `r` was inserted in this transaction.
   */
  function applyInto(r: StoredRecord, d: TallyDeltas, activity: Activity, appended: boolean): void {
    const needs = summaryNeeds(r)
    const w = summaryWrites(r, {
      ...(needs.target !== undefined
        ? { target: [...(q.byId.all(needs.target)), ...q.related.all(needs.target)].map(toStored) }
        : {}),
      ...(needs.careAt !== undefined ? { care: q.careFlags.all(needs.careAt).map(toStored) } : {}),
    })
    const a = w.activity
    const key = keyOf(a.month, a.path, a.authorId)
    const seen = activity.get(key)
    if (!seen || a.at < seen[3]) activity.set(key, [a.month, a.path, a.authorId, a.at])
    // appended just now, a record that is its own entity (not an amendment) has no row yet:
    // no id is stored twice (a rebuild's page may meet a record another process applied)
    const own = appended && amendedId(r) === undefined
    if (w.visit) {
      const old = own ? undefined : q.visitGet.get(w.visit.id)
      if (old) addVisitTally(d, visitOfRow(old), -1)
      if (w.visit.item) addVisitTally(d, w.visit.item, 1)
    }
    if (w.feedback) {
      const old = own ? undefined : q.feedbackGet.get(w.feedback.id)
      if (old) addFeedbackTally(d, feedbackOfRow(old), -1)
      if (w.feedback.item) addFeedbackTally(d, w.feedback.item, 1)
    }
    if (w.visit?.item) q.visitPut.run(...visitValues(w.visit.item))
    else if (w.visit) q.visitDrop.run(w.visit.id)
    if (w.feedback?.item) q.feedbackPut.run(...feedbackValues(w.feedback.item))
    else if (w.feedback) q.feedbackDrop.run(w.feedback.id)
    if (w.session?.item) q.sessionPut.run(...sessionValues(w.session.item))
    else if (w.session) q.sessionDrop.run(w.session.id)
    if (w.service) {
      q.serviceDrop.run(w.service.id)
      if (w.service.item) for (const row of serviceValues(w.service.item)) q.servicePut.run(...row)
    }
    if (w.care) q.carePut.run(...careValues(w.care))
  }

  /** Adds the tally changes (inside the caller's transaction). */
  function addDeltas(d: TallyDeltas): void {
    const covered = new Map<string, number>()
    for (const [k, n] of d.covered) {
      if (!n) continue
      const [month, path, household] = partsOf(k) as [string, string, string]
      const after = q.coveredAdd.get(month, path, household, n)!.n
      if (!after) q.coveredPrune.run(month, path, household)
      const change = coveredChange(after - n, after)
      if (change) covered.set(keyOf(month, path), (covered.get(keyOf(month, path)) ?? 0) + change)
    }
    for (const k of new Set([...d.visits.keys(), ...covered.keys()])) {
      const c = d.visits.get(k) ?? [0, 0, 0, 0, 0]
      const cov = covered.get(k) ?? 0
      if (!cov && c.every((x) => x === 0)) continue
      const [month, path] = partsOf(k) as [string, string]
      q.tallyAdd.run(month, path, ...c, cov)
    }
    for (const [k, [open, overdue]] of d.open) {
      if (!open && !overdue) continue
      const [month, path, level] = partsOf(k) as [string, string, string]
      q.openAdd.run(path, level, month, open, overdue)
    }
  }

  const PAGE = 5000
  const rebuildPage = db.transaction((after: number): { read: number; last: number } => {
    const rows = q.page.all(after, PAGE)
    const d = emptyDeltas()
    const activity: Activity = new Map()
    for (const row of rows) applyInto(toStored(row), d, activity, false)
    addActivity(activity)
    addDeltas(d)
    return { read: rows.length, last: rows.length ? rows[rows.length - 1]!.seq : after }
  })

  return {
    batch,
    items(scope, month) {
      const [lo, hi] = below(scope)
      const { from, to } = monthRange(month)
      const p = { scope, lo, hi }
      return itemsOfRows({
        tallies: q.talliesIn.all({ ...p, month }),
        open: q.openIn.all({ ...p, month }),
        careVisits: [...q.careVisits.all({ ...p, from }), ...q.careVisitsIn.all({ ...p, from, to })],
        careServices: q.careServices.all({ ...p, from, to }),
        feedback: q.feedbackIn.all({ ...p, from, to }),
        care: q.careIn.all(p),
        sessions: q.sessionsIn.all({ ...p, from, to }),
        activity: q.activityIn.all({ ...p, month }),
      })
    },
    weights: (street) => q.weights.all(street).map(toStored),
    sheetRecords(scope, month) {
      const [lo, hi] = below(scope)
      return q.sheetRecords.all({ scope, lo, hi, ...monthRange(month) }).map(toStored)
    },
    stale: () => q.stale.get()?.stale === 1,
    rebuild() {
      db.transaction(() => {
        for (const t of SUMMARY_TABLES) db.exec(`DELETE FROM ${t}`)
        db.exec('UPDATE ledger_state SET stale = 1 WHERE id = 1')
      })()
      let total = 0
      for (let after = 0; ; ) {
        const { read, last } = rebuildPage(after)
        total += read
        if (read < PAGE) break
        after = last
      }
      db.exec('UPDATE ledger_state SET stale = 0 WHERE id = 1')
      return total
    },
  }
}
