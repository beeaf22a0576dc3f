import type { Transaction } from 'dexie'

/**
 * Every schema version ever shipped, oldest first. Never edit a shipped entry:
 * add a new one (with an `upgrade` if rows must change) and one line to the
 * migration test (tests/unit/hardening/db-migrations.test.ts).
 */
export interface SchemaVersion {
  version: number
  stores: Record<string, string | null>
  upgrade?: (tx: Transaction) => Promise<void> | void
}

export const SCHEMA_VERSIONS: readonly SchemaVersion[] = [
  {
    version: 1,
    stores: {
      records: 'id, seq, type, orgPath, [type+orgPath]',
      outbox: 'id, state, queuedAt',
      meta: 'key',
      org: 'path, kind',
      drafts: 'key',
    },
  },
]
