import type { Transaction } from 'dexie'
import type { AnyRecord } from '@shared/records'
import { doorEntriesFrom, doorRowsFrom, doorTablesFrom } from './doors'

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
  {
    // per-door last-visit summaries (db/doors.ts), built here from the records already on the phone;
    // `[type+orgPath]` was written on every save and never read: dropped
    version: 2,
    stores: {
      records: 'id, seq, type, orgPath',
      doors: 'ref, building',
      doorVisits: 'ref',
    },
    upgrade: async (tx) => {
      const records = (await tx.table('records').where('type').anyOf('visit', 'correction', 'void').toArray()) as AnyRecord[]
      const { doors, doorVisits } = doorRowsFrom(records)
      await tx.table('doors').bulkPut(doors)
      await tx.table('doorVisits').bulkPut(doorVisits)
    },
  },
  {
    // one `doorEntries` row per visit, correction or void (indexed by its door) instead of one `doorVisits`
    // list per door rewritten whole on every change: a pull's work is proportional to its pages again.
    // Rebuilt from the records, like version 2, so it never depends on what an older version left.
    version: 3,
    stores: {
      doorVisits: null,
      doorEntries: 'id, ref',
    },
    upgrade: async (tx) => {
      const records = (await tx.table('records').where('type').anyOf('visit', 'correction', 'void').toArray()) as AnyRecord[]
      const { doors, doorEntries } = doorEntriesFrom(records)
      await tx.table('doors').clear()
      await tx.table('doors').bulkPut(doors)
      await tx.table('doorEntries').bulkPut(doorEntries)
    },
  },
  {
    // a door's visits are read from `records` by `[orgPath+body.household]`; `doorEntries` keeps the
    // corrections and voids alone: a pulled page and a push's acknowledgement no longer write a row per visit.
    // Rebuilt from the records, like versions 2 and 3; records themselves are untouched (only indexed).
    version: 4,
    stores: {
      records: 'id, seq, type, orgPath, [orgPath+body.household]',
    },
    upgrade: async (tx) => {
      const records = (await tx.table('records').where('type').anyOf('visit', 'correction', 'void').toArray()) as AnyRecord[]
      const { doors, doorEntries } = doorTablesFrom(records)
      await tx.table('doors').clear()
      await tx.table('doorEntries').clear()
      await tx.table('doors').bulkPut(doors)
      await tx.table('doorEntries').bulkPut(doorEntries)
    },
  },
]
