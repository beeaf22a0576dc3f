/**
 * The ledger's summaries in PostgreSQL (../ledger/summaries.ts says what they
 * are). `applyLedger` runs inside the append transaction, after the records it
 * is given were inserted; the rest backs `Storage.ledger`.
 */
import type { Pool, PoolClient } from './db'
import type { StoredRecord } from '../../shared/records'
import type { LedgerItems } from '../../shared/ledger'
import type { LedgerStore } from '../storage'
import { RECORD_COLUMNS, toStored, type RecordDbRow } from './storage'
import { monthRange } from '../../shared/time'
import {
  addFeedbackTally, addVisitTally, amendedId, careValues, coveredChange, emptyDeltas, feedbackOfRow, feedbackValues, itemsOfRows, keyOf, partsOf,
  serviceValues, sessionValues, SHEET_KINDS_SQL, summaryNeeds, summaryWrites, visitOfRow, visitValues,
  type ActivityRow, type CareRow, type FeedbackRow, type OpenRow, type ServiceRow, type SessionRow, type SummaryWrites, type TallyDeltas,
  type TallyRow, type VisitRow, SUMMARY_TABLES,
} from '../ledger/summaries'

type Queryable = Pick<Pool, 'query'> | PoolClient

/** One multi-row upsert: `rows` must not repeat a key (callers keep the last write per key). */
async function upsert(db: Queryable, table: string, cols: string[], key: string[], rows: unknown[][]): Promise<void> {
  if (!rows.length) return
  const n = cols.length
  const tuples = rows.map((_, i) => `(${cols.map((__, k) => `$${i * n + k + 1}`).join(', ')})`)
  const set = cols.filter((c) => !key.includes(c)).map((c) => (table === 'ledger_activity' ? `${c} = LEAST(${table}.${c}, excluded.${c})` : `${c} = excluded.${c}`))
  await db.query(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${set.join(', ')}`, rows.flat())
}

/** Adds up `rows` into `table`'s counter columns (`cols` after `key`), one statement. */
async function addUp(db: Queryable, table: string, key: string[], cols: string[], rows: unknown[][], returning = ''): Promise<Record<string, unknown>[]> {
  if (!rows.length) return []
  const all = [...key, ...cols]
  const n = all.length
  const tuples = rows.map((_, i) => `(${all.map((__, k) => `$${i * n + k + 1}`).join(', ')})`)
  const set = cols.map((c) => `${c} = ${table}.${c} + excluded.${c}`)
  const sql = `INSERT INTO ${table} (${all.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${set.join(', ')}${returning ? ` RETURNING ${returning}` : ''}`
  return (await db.query<Record<string, unknown>>(sql, rows.flat())).rows
}

/** Adds the tally changes of a batch (inside the caller's transaction). */
async function addDeltas(db: Queryable, d: TallyDeltas): Promise<void> {
  const changes = [...d.covered].filter(([, n]) => n !== 0)
  const covered = new Map<string, number>()
  // the rows that came to 0, deleted after (none, mostly: then no round trip)
  const zero: string[][] = []
  for (let i = 0; i < changes.length; i += 1000) {
    const part = changes.slice(i, i + 1000)
    const rows = await addUp(db, 'ledger_covered', ['month', 'org_path', 'household'], ['n'], part.map(([k, n]) => [...partsOf(k), n]), 'month, org_path, household, n')
    for (const r of rows) {
      const k = keyOf(String(r.month), String(r.org_path), String(r.household))
      const after = Number(r.n)
      if (after === 0) zero.push([String(r.month), String(r.org_path), String(r.household)])
      const change = coveredChange(after - d.covered.get(k)!, after)
      if (change) covered.set(keyOf(String(r.month), String(r.org_path)), (covered.get(keyOf(String(r.month), String(r.org_path))) ?? 0) + change)
    }
  }
  if (zero.length) await db.query('DELETE FROM ledger_covered WHERE n = 0 AND (month, org_path, household) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))', [
    zero.map((z) => z[0]), zero.map((z) => z[1]), zero.map((z) => z[2]),
  ])
  const tallies: unknown[][] = []
  for (const k of new Set([...d.visits.keys(), ...covered.keys()])) {
    const c = d.visits.get(k) ?? [0, 0, 0, 0, 0]
    const cov = covered.get(k) ?? 0
    if (cov || c.some((x) => x !== 0)) tallies.push([...partsOf(k), ...c, cov])
  }
  for (let i = 0; i < tallies.length; i += 1000) {
    await addUp(db, 'ledger_tallies', ['month', 'org_path'], ['visits', 'visits_met', 'visits_nobody', 'visits_declined', 'publicity', 'covered'], tallies.slice(i, i + 1000))
  }
  const open = [...d.open].filter(([, [o, od]]) => o || od).map(([k, [o, od]]) => {
    const [month, path, level] = partsOf(k) as [string, string, string]
    return [path, level, month, o, od]
  })
  for (let i = 0; i < open.length; i += 1000) await addUp(db, 'ledger_open', ['org_path', 'level', 'month'], ['open', 'overdue'], open.slice(i, i + 1000))
}

/**
 * Keeps the summaries current for `records`, in seq order (`appended`: inserted in this
 * transaction, by the caller just before; a rebuild's page is not).
 * Round trips per batch, not per record: one read of every amended record with what refers
 * to it, one of the care flags of the buildings touched, one of the rows replaced.
 */
export async function applyLedger(db: Queryable, records: readonly StoredRecord[], appended = false): Promise<void> {
  const targets = new Set<string>()
  const careAt = new Set<string>()
  for (const r of records) {
    const needs = summaryNeeds(r)
    if (needs.target !== undefined) targets.add(needs.target)
    if (needs.careAt !== undefined) careAt.add(needs.careAt)
  }
  const byTarget = new Map<string, StoredRecord[]>()
  if (targets.size) {
    const ids = [...targets]
    for (const x of (await db.query<RecordDbRow>(`SELECT ${RECORD_COLUMNS} FROM records WHERE id = ANY($1) OR target_id = ANY($1) ORDER BY seq`, [ids])).rows.map(toStored)) {
      // the target itself, or a record amending one of the targets (in seq order either way)
      const t = targets.has(x.id) ? x.id : amendedId(x)
      if (t === undefined || !targets.has(t)) continue
      const list = byTarget.get(t)
      if (list) list.push(x)
      else byTarget.set(t, [x])
    }
  }
  const careFlags = new Map<string, StoredRecord[]>()
  if (careAt.size) {
    for (const x of (await db.query<RecordDbRow>(`SELECT ${RECORD_COLUMNS} FROM records WHERE org_path = ANY($1) AND type = 'care.flag' ORDER BY seq`, [[...careAt]])).rows.map(toStored)) {
      const list = careFlags.get(x.orgPath)
      if (list) list.push(x)
      else careFlags.set(x.orgPath, [x])
    }
  }
  const writes: SummaryWrites[] = []
  for (const r of records) {
    const needs = summaryNeeds(r)
    writes.push(summaryWrites(r, {
      ...(needs.target !== undefined ? { target: byTarget.get(needs.target) ?? [] } : {}),
      ...(needs.careAt !== undefined ? { care: careFlags.get(needs.careAt) ?? [] } : {}),
    }))
  }
  // the last write per row wins (it folded everything the earlier ones did); activity keeps the earliest instant
  const activity = new Map<string, unknown[]>()
  const visits = new Map<string, unknown[] | null>()
  const feedback = new Map<string, unknown[] | null>()
  const sessions = new Map<string, unknown[] | null>()
  const services = new Map<string, unknown[][] | null>()
  const care = new Map<string, unknown[]>()
  const newVisits = new Map<string, SummaryWrites['visit']>()
  const newFeedback = new Map<string, SummaryWrites['feedback']>()
  for (const w of writes) {
    const a = w.activity
    const k = `${a.month}\u0000${a.path}\u0000${a.authorId}`
    const prev = activity.get(k)
    if (!prev || (prev[3] as number) > a.at) activity.set(k, [a.month, a.path, a.authorId, a.at])
    if (w.visit) visits.set(w.visit.id, w.visit.item ? visitValues(w.visit.item) : null)
    if (w.feedback) feedback.set(w.feedback.id, w.feedback.item ? feedbackValues(w.feedback.item) : null)
    if (w.session) sessions.set(w.session.id, w.session.item ? sessionValues(w.session.item) : null)
    if (w.service) services.set(w.service.id, w.service.item ? serviceValues(w.service.item) : null)
    if (w.visit) newVisits.set(w.visit.id, w.visit)
    if (w.feedback) newFeedback.set(w.feedback.id, w.feedback)
    if (w.care) care.set(`${w.care.building}\u0000${w.care.household}`, careValues(w.care))
  }
  // the tallies change by what the batch's last write of each row counts less what the row counted before it
  const d = emptyDeltas()
  // `appended`: the records were inserted just now, so no row of theirs exists yet (no id is
  // stored twice); only the rows of records amended are read (none for a batch of new visits)
  const inserted = appended ? new Set(records.map((r) => r.id)) : new Set<string>()
  const before = (ids: Iterable<string>) => [...ids].filter((id) => !inserted.has(id))
  const oldVisits = before(newVisits.keys())
  const oldFeedback = before(newFeedback.keys())
  if (newVisits.size) {
    if (oldVisits.length) for (const old of (await db.query<VisitRow>('SELECT * FROM ledger_visits WHERE id = ANY($1)', [oldVisits])).rows) addVisitTally(d, visitOfRow(old), -1)
    for (const w of newVisits.values()) if (w?.item) addVisitTally(d, w.item, 1)
  }
  if (newFeedback.size) {
    if (oldFeedback.length) for (const old of (await db.query<FeedbackRow>('SELECT * FROM ledger_feedback WHERE id = ANY($1)', [oldFeedback])).rows) addFeedbackTally(d, feedbackOfRow(old), -1)
    for (const w of newFeedback.values()) if (w?.item) addFeedbackTally(d, w.item, 1)
  }
  const puts = (m: Map<string, unknown[] | null>) => [...m.values()].filter((v): v is unknown[] => v !== null)
  const drops = (m: Map<string, unknown[] | null>) => [...m.entries()].filter(([, v]) => v === null).map(([id]) => id)
  await upsert(db, 'ledger_activity', ['month', 'org_path', 'author_id', 'first_at'], ['month', 'org_path', 'author_id'], [...activity.values()])
  await upsert(db, 'ledger_visits', ['id', 'org_path', 'household', 'at', 'outcome', 'policy', 'covering'], ['id'], puts(visits))
  await upsert(
    db, 'ledger_feedback',
    ['id', 'org_path', 'raised_at', 'resolved_at', 'resolved_level', 'held_level', 'urgency', 'reopened', 'reported_back', 'satisfied'], ['id'], puts(feedback),
  )
  await upsert(db, 'ledger_sessions', ['id', 'org_path', 'at', 'attendance', 'households'], ['id'], puts(sessions))
  await upsert(db, 'ledger_care', ['building', 'household', 'flagged_at', 'interval_days', 'active'], ['building', 'household'], [...care.values()])
  for (const [table, ids] of [['ledger_visits', drops(visits)], ['ledger_feedback', drops(feedback)], ['ledger_sessions', drops(sessions)]] as const) {
    if (ids.length) await db.query(`DELETE FROM ${table} WHERE id = ANY($1)`, [ids])
  }
  if (services.size) {
    await db.query('DELETE FROM ledger_services WHERE id = ANY($1)', [[...services.keys()]])
    const rows = [...services.values()].flatMap((r) => r ?? [])
    for (let i = 0; i < rows.length; i += 1000) {
      const part = rows.slice(i, i + 1000)
      await db.query(`INSERT INTO ledger_services (id, building, household, at) VALUES ${part.map((_, j) => `($${j * 4 + 1}, $${j * 4 + 2}, $${j * 4 + 3}, $${j * 4 + 4})`).join(', ')}`, part.flat())
    }
  }
  await addDeltas(db, d)
}

/** `Storage.ledger` over `db`; `inTransaction` runs the rebuild's pages each in a transaction. */
export function postgresLedger(db: Queryable, inTransaction: <T>(fn: (c: Queryable) => Promise<T>) => Promise<T>): LedgerStore {
  const rows = async <R extends object>(sql: string, params: unknown[]): Promise<R[]> => (await db.query<R>(sql, params)).rows
  const SCOPE = '(org_path = $1 OR (org_path >= $2 AND org_path < $3))'
  return {
    async items(scope, month): Promise<LedgerItems> {
      const p = [scope, scope + '/', scope + '0']
      const { from, to } = monthRange(month)
      const CARE = 'c.active = 1 AND (c.building = $1 OR (c.building >= $2 AND c.building < $3))'
      const [tallies, open, careVisitsIn, careServices, careVisits, feedback, care, sessions, activity] = await Promise.all([
        rows<TallyRow>(`SELECT * FROM ledger_tallies WHERE month = $4 AND ${SCOPE}`, [...p, month]),
        rows<OpenRow>(`SELECT org_path, level, sum(open) AS open, sum(overdue) AS overdue FROM ledger_open WHERE month <= $4 AND ${SCOPE} GROUP BY org_path, level`, [...p, month]),
        rows<VisitRow>(
          `SELECT v.* FROM ledger_care c JOIN ledger_visits v ON v.org_path = c.building AND v.household = c.household AND v.covering = 1 AND v.at >= $4 AND v.at < $5
           WHERE ${CARE}`,
          [...p, from, to],
        ),
        rows<ServiceRow>(
          `SELECT s.* FROM ledger_care c JOIN ledger_services s ON s.building = c.building AND s.household = c.household AND s.at < $5 AND s.at >= coalesce(
             (SELECT max(w.at) FROM ledger_services w WHERE w.building = c.building AND w.household = c.household AND w.at < $4), $4)
           WHERE ${CARE}`,
          [...p, from, to],
        ),
        // the last met visit before the month of each care household: all a month's care figure needs from before it
        rows<VisitRow>(
          `SELECT v.* FROM ledger_care c JOIN ledger_visits v ON v.id = (
             SELECT w.id FROM ledger_visits w WHERE w.org_path = c.building AND w.household = c.household AND w.covering = 1 AND w.at < $4
             ORDER BY w.at DESC LIMIT 1)
           WHERE c.active = 1 AND (c.building = $1 OR (c.building >= $2 AND c.building < $3))`,
          [...p, from],
        ),
        rows<FeedbackRow>(
          `SELECT * FROM ledger_feedback WHERE raised_at >= $4 AND raised_at < $5 AND ${SCOPE}
           UNION ALL SELECT * FROM ledger_feedback WHERE resolved_at >= $4 AND resolved_at < $5 AND ${SCOPE}`,
          [...p, from, to],
        ),
        rows<CareRow>('SELECT * FROM ledger_care WHERE building = $1 OR (building >= $2 AND building < $3)', p),
        rows<SessionRow>(`SELECT * FROM ledger_sessions WHERE at >= $4 AND at < $5 AND ${SCOPE}`, [...p, from, to]),
        rows<ActivityRow>(`SELECT author_id, min(first_at) AS first_at FROM ledger_activity WHERE month = $4 AND ${SCOPE} GROUP BY author_id`, [...p, month]),
      ])
      return itemsOfRows({ tallies, open, careVisits: [...careVisits, ...careVisitsIn], careServices, feedback, care, sessions, activity })
    },
    weights: async (street) => (await rows<RecordDbRow>(`SELECT ${RECORD_COLUMNS} FROM records WHERE org_path = $1 AND type = 'ledger.weights' ORDER BY seq`, [street])).map(toStored),
    async sheetRecords(scope, month) {
      const { from, to } = monthRange(month)
      const found = await rows<RecordDbRow>(
        `WITH ids(id) AS (
           SELECT id FROM ledger_visits WHERE at >= $4 AND at < $5 AND ${SCOPE}
           UNION SELECT id FROM ledger_sessions WHERE at >= $4 AND at < $5 AND ${SCOPE}
           UNION SELECT id FROM ledger_feedback WHERE raised_at < $5 AND (resolved_at IS NULL OR resolved_at >= $4) AND ${SCOPE}
           UNION SELECT id FROM records WHERE type IN (${SHEET_KINDS_SQL}) AND ${SCOPE})
         SELECT ${RECORD_COLUMNS} FROM records WHERE id IN (SELECT id FROM ids)
         UNION SELECT ${RECORD_COLUMNS} FROM records WHERE target_id IN (SELECT id FROM ids)
         ORDER BY seq`,
        [scope, scope + '/', scope + '0', from, to],
      )
      return found.map(toStored)
    },
    stale: async () => (await rows<{ stale: number }>('SELECT stale FROM ledger_state WHERE id = 1', []))[0]?.stale === 1,
    async rebuild() {
      const PAGE = 5000
      await inTransaction(async (c) => {
        for (const t of SUMMARY_TABLES) await c.query(`DELETE FROM ${t}`)
        await c.query('UPDATE ledger_state SET stale = 1 WHERE id = 1')
      })
      let total = 0
      for (let after = 0; ; ) {
        const page = await inTransaction(async (c) => {
          const got = (await c.query<RecordDbRow>(`SELECT ${RECORD_COLUMNS} FROM records WHERE seq > $1 ORDER BY seq LIMIT $2`, [after, PAGE])).rows.map(toStored)
          await applyLedger(c, got)
          return got
        })
        total += page.length
        if (page.length < PAGE) break
        after = page[page.length - 1]!.seq
      }
      await db.query('UPDATE ledger_state SET stale = 0 WHERE id = 1')
      return total
    },
  }
}
