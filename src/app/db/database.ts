import Dexie, { type Table } from 'dexie'
import type { AnyRecord, OrgNode } from '@shared/index'
import type { Draft, MetaKey, MetaRow, MetaValues, OutboxEntry } from './schema'
import { doorsMiddleware, type DoorEntryRow, type DoorSummary } from './doors'
import { guardAgainstOtherTabs } from './tabs'
import { SCHEMA_VERSIONS } from './versions'
import { DB_NAME } from './savedSession'

/**
 * The device database. Every version ever shipped stays listed in versions.ts,
 * so an upgrade from any of them keeps every outbox row.
 */
export class LoudongDB extends Dexie {
  records!: Table<AnyRecord, string>
  outbox!: Table<OutboxEntry, string>
  meta!: Table<MetaRow, MetaKey>
  org!: Table<OrgNode, string>
  drafts!: Table<Draft, string>
  /** per-door last-visit summaries, kept by `doorsMiddleware` with every write to `records` (doors.ts) */
  doors!: Table<DoorSummary, string>
  doorEntries!: Table<DoorEntryRow, string>

  constructor(name = DB_NAME) {
    super(name)
    for (const { version, stores, upgrade } of SCHEMA_VERSIONS) {
      const declared = this.version(version).stores(stores)
      if (upgrade) declared.upgrade(upgrade)
    }
    this.use(doorsMiddleware)
  }

  async getMeta<K extends MetaKey>(key: K): Promise<MetaValues[K] | undefined> {
    const row = await this.meta.get(key)
    return row?.value as MetaValues[K] | undefined
  }

  async setMeta<K extends MetaKey>(key: K, value: MetaValues[K]): Promise<void> {
    await this.meta.put({ key, value } as MetaRow)
  }
}

/** The one instance the app and its service worker use. */
export const db = new LoudongDB()
guardAgainstOtherTabs(db)
