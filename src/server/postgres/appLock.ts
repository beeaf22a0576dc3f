/** App lock policies on PostgreSQL (../applock/store.ts). */
import { toPolicy, type AppLockDbRow, type AppLockStore } from '../applock/store'
import type { Pool, PoolClient } from './db'

export function postgresAppLockStore(db: Pick<Pool, 'query'> | PoolClient): AppLockStore {
  return {
    of: async (communities) => {
      if (!communities.length) return []
      return (await db.query<AppLockDbRow>('SELECT * FROM app_lock_policies WHERE community = ANY($1)', [[...new Set(communities)]])).rows.map(toPolicy)
    },
    set: async (p) => {
      await db.query(
        `INSERT INTO app_lock_policies (community, required, idle_minutes, set_by, set_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (community) DO UPDATE SET required = excluded.required, idle_minutes = excluded.idle_minutes, set_by = excluded.set_by, set_at = excluded.set_at`,
        [p.community, p.required ? 1 : 0, p.idleMinutes, p.setBy, p.setAt],
      )
    },
  }
}
