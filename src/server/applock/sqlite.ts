/** App lock policies in the SQLite file (./store.ts). */
import type { Db } from '../db'
import type { Gate } from '../audit/sqlite'
import { toPolicy, type AppLockDbRow, type AppLockStore } from './store'
import type { AppLockPolicy } from '../../shared/appLock'

export function sqliteAppLockStore(db: Db, g: Gate): AppLockStore {
  const get = db.prepare<[string], AppLockDbRow>('SELECT * FROM app_lock_policies WHERE community = ?')
  const put = db.prepare<[string, number, number, string, string]>(
    `INSERT INTO app_lock_policies (community, required, idle_minutes, set_by, set_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (community) DO UPDATE SET required = excluded.required, idle_minutes = excluded.idle_minutes, set_by = excluded.set_by, set_at = excluded.set_at`,
  )
  return {
    of: g((communities: readonly string[]) => [...new Set(communities)].flatMap((c) => (get.all(c) as AppLockDbRow[]).map(toPolicy))),
    set: g((p: AppLockPolicy) => {
      put.run(p.community, p.required ? 1 : 0, p.idleMinutes, p.setBy, p.setAt)
    }),
  }
}
