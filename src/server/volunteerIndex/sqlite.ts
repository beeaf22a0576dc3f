/** The volunteer register by phone in the SQLite file (./store.ts). */
import type { Db } from '../db'
import type { Gate } from '../audit/sqlite'
import { toStored, type RecordDbRow } from '../storage'
import { isUnderAny } from '../../shared/org'
import type { VolunteerIndexStore } from './store'

export function sqliteVolunteerIndex(db: Db, g: Gate): VolunteerIndexStore {
  // the expression and `type = 'volunteer'` exactly as in migration 012, so the partial index answers
  const named = db.prepare<[string], { id: string; of: string | null }>(
    "SELECT id, json_extract(body, '$.of') AS of FROM records WHERE type = 'volunteer' AND json_extract(body, '$.phone') = ?",
  )
  const root = db.prepare<[string], RecordDbRow>("SELECT * FROM records WHERE id = ? AND type = 'volunteer'")
  const chain = db.prepare<[string], RecordDbRow>("SELECT * FROM records WHERE target_id = ? AND type IN ('volunteer', 'volunteer.service') ORDER BY seq")
  return {
    ofPhone: g((scopes: readonly string[], phone: string) => {
      const roots = new Set(named.all(phone).map((r) => r.of ?? r.id))
      const out: RecordDbRow[] = []
      for (const id of roots) {
        const first = root.get(id)
        if (!first || !isUnderAny(first.org_path, scopes)) continue
        out.push(first, ...chain.all(id))
      }
      return out.sort((a, b) => a.seq - b.seq).map(toStored)
    }),
  }
}
