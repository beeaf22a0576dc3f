/**
 * The ledger's summaries in PostgreSQL (../ledger/summaries.ts says what they
 * are). `applyLedger` runs inside the append transaction, after the records it
 * is given were inserted; the rest backs `Storage.ledger`.
 */
import type { Pool, PoolClient } from './db'
import type { StoredRecord } from '../../shared/records'
import type { LedgerItems } from '../../shared/ledger'
import type { LedgerStore } from '../storage'
import { monthRange } from '../../shared/time'
import {
  careValues, feedbackValues, itemsOfRows, sessionValues, summaryNeeds, summaryWrites, visitValues,
  type ActivityRow, type CareRow, type FeedbackRow, type SessionRow, type SummaryWrites, type VisitRow,
} from '../ledger/summaries'

type Queryable = Pick<Pool, 'query'> | PoolClient

const COLUMNS = 'seq, id, type, v, org_path, author_id, device_id, client_time, body, server_time'

interface RecordRow {
  seq: number; id: string; type: string; v: number; org_path: string; author_id: string; device_id: string
  client_time: string; body: string; server_time: string
}

const toStored = (r: RecordRow): StoredRecord =>
  ({
    id: r.id, type: r.type, v: r.v, orgPath: r.org_path, authorId: r.author_id, deviceId: r.device_id,
    clientTime: r.client_time, body: JSON.parse(r.body), seq: r.seq, serverTime: r.server_time,
  }) as StoredRecord

/** One multi-row upsert: `rows` must not repeat a key (callers keep the last write per key). */
async function upsert(db: Queryable, table: string, cols: string[], key: string[], rows: unknown[][]): Promise<void> {
  if (!rows.length) return
  const n = cols.length
  const tuples = rows.map((_, i) => `(${cols.map((__, k) => `$${i * n + k + 1}`).join(', ')})`)
  const set = cols.filter((c) => !key.includes(c)).map((c) => (table === 'ledger_activity' ? `${c} = LEAST(${table}.${c}, excluded.${c})` : `${c} = excluded.${c}`))
  await db.query(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${set.join(', ')}`, rows.flat())
}

/** Keeps the summaries current for `records`, just inserted in this transaction, in seq order. */
export async function applyLedger(db: Queryable, records: readonly StoredRecord[]): Promise<void> {
  const writes: SummaryWrites[] = []
  for (const r of records) {
    const needs = summaryNeeds(r)
    const loaded: { target?: StoredRecord[]; care?: StoredRecord[] } = {}
    if (needs.target !== undefined) {
      loaded.target = (await db.query<RecordRow>(`SELECT ${COLUMNS} FROM records WHERE id = $1 OR target_id = $1 ORDER BY seq`, [needs.target])).rows.map(toStored)
    }
    if (needs.careAt !== undefined) {
      loaded.care = (await db.query<RecordRow>(`SELECT ${COLUMNS} FROM records WHERE org_path = $1 AND type = 'care.flag' ORDER BY seq`, [needs.careAt])).rows.map(toStored)
    }
    writes.push(summaryWrites(r, loaded))
  }
  // the last write per row wins (it folded everything the earlier ones did); activity keeps the earliest instant
  const activity = new Map<string, unknown[]>()
  const visits = new Map<string, unknown[] | null>()
  const feedback = new Map<string, unknown[] | null>()
  const sessions = new Map<string, unknown[] | null>()
  const care = new Map<string, unknown[]>()
  for (const w of writes) {
    const a = w.activity
    const k = `${a.month}\u0000${a.path}\u0000${a.authorId}`
    const prev = activity.get(k)
    if (!prev || (prev[3] as number) > a.at) activity.set(k, [a.month, a.path, a.authorId, a.at])
    if (w.visit) visits.set(w.visit.id, w.visit.item ? visitValues(w.visit.item) : null)
    if (w.feedback) feedback.set(w.feedback.id, w.feedback.item ? feedbackValues(w.feedback.item) : null)
    if (w.session) sessions.set(w.session.id, w.session.item ? sessionValues(w.session.item) : null)
    if (w.care) care.set(`${w.care.building}\u0000${w.care.household}`, careValues(w.care))
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
}

/** `Storage.ledger` over `db`; `inTransaction` runs the rebuild's pages each in a transaction. */
export function postgresLedger(db: Queryable, inTransaction: <T>(fn: (c: Queryable) => Promise<T>) => Promise<T>): LedgerStore {
  const rows = async <R extends object>(sql: string, params: unknown[]): Promise<R[]> => (await db.query<R>(sql, params)).rows
  const SCOPE = '(org_path = $1 OR (org_path >= $2 AND org_path < $3))'
  return {
    async items(scope, month): Promise<LedgerItems> {
      const p = [scope, scope + '/', scope + '0']
      const { from, to } = monthRange(month)
      const [visits, careVisits, feedback, care, sessions, activity] = await Promise.all([
        rows<VisitRow>(`SELECT * FROM ledger_visits WHERE at >= $4 AND at < $5 AND ${SCOPE}`, [...p, from, to]),
        // the last met visit before the month of each care household: all a month's care figure needs from before it
        rows<VisitRow>(
          `SELECT v.* FROM ledger_care c JOIN ledger_visits v ON v.id = (
             SELECT w.id FROM ledger_visits w WHERE w.org_path = c.building AND w.household = c.household AND w.covering = 1 AND w.at < $4
             ORDER BY w.at DESC LIMIT 1)
           WHERE c.active = 1 AND (c.building = $1 OR (c.building >= $2 AND c.building < $3))`,
          [...p, from],
        ),
        rows<FeedbackRow>(`SELECT * FROM ledger_feedback WHERE raised_at < $5 AND (resolved_at IS NULL OR resolved_at >= $4) AND ${SCOPE}`, [...p, from, to]),
        rows<CareRow>('SELECT * FROM ledger_care WHERE building = $1 OR (building >= $2 AND building < $3)', p),
        rows<SessionRow>(`SELECT * FROM ledger_sessions WHERE at >= $4 AND at < $5 AND ${SCOPE}`, [...p, from, to]),
        rows<ActivityRow>(`SELECT author_id, min(first_at) AS first_at FROM ledger_activity WHERE month = $4 AND ${SCOPE} GROUP BY author_id`, [...p, month]),
      ])
      return itemsOfRows({ visits, careVisits, feedback, care, sessions, activity })
    },
    weights: async (street) => (await rows<RecordRow>(`SELECT ${COLUMNS} FROM records WHERE org_path = $1 AND type = 'ledger.weights' ORDER BY seq`, [street])).map(toStored),
    stale: async () => (await rows<{ stale: number }>('SELECT stale FROM ledger_state WHERE id = 1', []))[0]?.stale === 1,
    async rebuild() {
      const PAGE = 5000
      await inTransaction(async (c) => {
        for (const t of ['ledger_visits', 'ledger_feedback', 'ledger_sessions', 'ledger_care', 'ledger_activity']) await c.query(`DELETE FROM ${t}`)
        await c.query('UPDATE ledger_state SET stale = 1 WHERE id = 1')
      })
      let total = 0
      for (let after = 0; ; ) {
        const page = await inTransaction(async (c) => {
          const got = (await c.query<RecordRow>(`SELECT ${COLUMNS} FROM records WHERE seq > $1 ORDER BY seq LIMIT $2`, [after, PAGE])).rows.map(toStored)
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
