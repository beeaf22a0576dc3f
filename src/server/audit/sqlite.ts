/** The audit trail in the SQLite file (./store.ts says what it keeps). */
import type { Db } from '../db'
import { belowRange } from '../storage'
import { normalizeScopes } from '../../shared/org'
import { AUDIT_PAGE_MAX, toAuditEntry, type AuditDbRow, type AuditQuery, type AuditStore, type NewAuditEntry } from './store'

/** Wraps a synchronous statement so it waits its turn (the storage's transaction gate). */
export type Gate = <A extends unknown[], R>(f: (...args: A) => R) => (...args: A) => Promise<R>

/** The SQLite audit store; `g` is the storage's gate, so entries written inside a transaction commit with it. */
export function sqliteAuditStore(db: Db, g: Gate): AuditStore {
  const insert = db.prepare<[string, string | null, string, string, string | null, string | null]>(
    'INSERT INTO audit_trail (at, actor_id, action, scope, target, detail) VALUES (?, ?, ?, ?, ?, ?)',
  )
  // one scope of the reader: the scope itself or its range; ids below `before`; an optional action
  const page = db.prepare<[string, string, string, number, string | null, string | null, number], AuditDbRow>(
    `SELECT * FROM audit_trail
     WHERE (scope = ? OR (scope >= ? AND scope < ?)) AND id < ? AND (? IS NULL OR action = ?)
     ORDER BY id DESC LIMIT ?`,
  )
  return {
    append: g((e: NewAuditEntry) => {
      const res = insert.run(e.at, e.actorId, e.action, e.scope, e.target, e.detail ? JSON.stringify(e.detail) : null)
      return { ...e, id: Number(res.lastInsertRowid) }
    }),
    read: g((q: AuditQuery) => {
      const limit = Math.max(0, Math.min(q.limit, AUDIT_PAGE_MAX))
      const before = q.before ?? Number.MAX_SAFE_INTEGER
      const action = q.action ?? null
      const rows = normalizeScopes(q.scopes).flatMap((s) => page.all(s, ...belowRange(s), before, action, action, limit))
      return rows
        .sort((a, b) => Number(b.id) - Number(a.id))
        .slice(0, limit)
        .map(toAuditEntry)
    }),
  }
}
