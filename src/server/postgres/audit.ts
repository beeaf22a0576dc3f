/** The audit trail on PostgreSQL (../audit/store.ts says what it keeps). */
import { normalizeScopes } from '../../shared/org'
import { belowRange } from '../storage'
import { AUDIT_PAGE_MAX, toAuditEntry, type AuditDbRow, type AuditStore } from '../audit/store'
import type { Pool, PoolClient } from './db'

/** The PostgreSQL audit store on `db` (the pool, or a transaction's connection). */
export function postgresAuditStore(db: Pick<Pool, 'query'> | PoolClient): AuditStore {
  return {
    append: async (e) => {
      const r = await db.query<{ id: string }>(
        'INSERT INTO audit_trail (at, actor_id, action, scope, target, detail) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
        [e.at, e.actorId, e.action, e.scope, e.target, e.detail ? JSON.stringify(e.detail) : null],
      )
      return { ...e, id: Number(r.rows[0]!.id) }
    },
    read: async (q) => {
      const limit = Math.max(0, Math.min(q.limit, AUDIT_PAGE_MAX))
      const before = q.before ?? Number.MAX_SAFE_INTEGER
      const found: AuditDbRow[] = []
      for (const s of normalizeScopes(q.scopes)) {
        const r = await db.query<AuditDbRow>(
          `SELECT * FROM audit_trail
           WHERE (scope = $1 OR (scope >= $2 AND scope < $3)) AND id < $4 AND (CAST($5 AS TEXT) IS NULL OR action = $5)
           ORDER BY id DESC LIMIT $6`,
          [s, ...belowRange(s), before, q.action ?? null, limit],
        )
        found.push(...r.rows)
      }
      return found
        .sort((a, b) => Number(b.id) - Number(a.id))
        .slice(0, limit)
        .map(toAuditEntry)
    },
  }
}
