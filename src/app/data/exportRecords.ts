/** Builds the records file from the device database. Reads only; nothing changes. */
import type { AnyRecord } from '@shared/index'
import type { LoudongDB } from '@app/db/database'
import { EXPORT_FORMAT, EXPORT_VERSION, type ExportFile } from './format'

export interface ExportRequest {
  userId: string
  userName: string
  deviceId: string
  /** also the user's records the server already has */
  includeSynced: boolean
  now: number
}

/**
 * Every record still in the outbox (waiting or needing attention), oldest
 * first as queued — the order matters on import, where a correction must come
 * after what it corrects — then, when asked, the user's synced records.
 */
export async function buildExport(db: LoudongDB, req: ExportRequest): Promise<ExportFile> {
  const records = await db.transaction('r', db.records, db.outbox, async () => {
    const entries = (await db.outbox.toArray()).sort((a, b) => a.queuedAt - b.queuedAt || (a.id < b.id ? -1 : 1))
    const unsynced = (await db.records.bulkGet(entries.map((e) => e.id))).filter((r): r is AnyRecord => r !== undefined)
    if (!req.includeSynced) return unsynced
    const queued = new Set(entries.map((e) => e.id))
    const synced = (await db.records.where('seq').above(0).toArray()).filter((r) => r.authorId === req.userId && !queued.has(r.id))
    return [...synced, ...unsynced]
  })
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: new Date(req.now).toISOString(),
    userId: req.userId,
    userName: req.userName,
    deviceId: req.deviceId,
    scope: req.includeSynced ? 'mine' : 'unsynced',
    records,
  }
}
