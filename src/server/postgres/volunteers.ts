/** The volunteer register by phone on PostgreSQL (../volunteerIndex/store.ts). */
import type { VolunteerIndexStore } from '../volunteerIndex/store'
import { isUnderAny } from '../../shared/org'
import { RECORD_COLUMNS, toStored, type RecordDbRow } from './storage'
import type { Pool, PoolClient } from './db'

export function postgresVolunteerIndex(db: Pick<Pool, 'query'> | PoolClient): VolunteerIndexStore {
  return {
    ofPhone: async (scopes, phone) => {
      if (phone.includes('\u0000')) return []
      // the expression and `type = 'volunteer'` exactly as in migration 011, so the partial index answers
      const named = await db.query<{ id: string; of: string | null }>(
        "SELECT id, (body::jsonb) ->> 'of' AS of FROM records WHERE type = 'volunteer' AND ((body::jsonb) ->> 'phone') = $1",
        [phone],
      )
      const roots = [...new Set(named.rows.map((r) => r.of ?? r.id))]
      if (!roots.length) return []
      const firsts = (await db.query<RecordDbRow>(`SELECT ${RECORD_COLUMNS} FROM records WHERE id = ANY($1) AND type = 'volunteer'`, [roots])).rows.filter((r) => isUnderAny(r.org_path, scopes))
      if (!firsts.length) return []
      const rest = await db.query<RecordDbRow>(
        `SELECT ${RECORD_COLUMNS} FROM records WHERE target_id = ANY($1) AND type IN ('volunteer', 'volunteer.service') ORDER BY seq`,
        [firsts.map((r) => r.id)],
      )
      return [...firsts, ...rest.rows].sort((a, b) => a.seq - b.seq).map(toStored)
    },
  }
}
