/**
 * Puts the records of an exported file back into this device's outbox, so they
 * go to the server as if they had been saved here. Safe to repeat: the record
 * id is the key everywhere, so a record already here is skipped, and one the
 * server already holds comes back from it as `duplicate`.
 */
import { checkRecordShape, type LocalRecord } from '@shared/index'
import type { LoudongDB } from '@app/db/database'
import { guardedWrite } from '@app/db/guarded'
import { nextQueuedAt } from '@app/sync/outbox'
import { EXPORT_FORMAT, EXPORT_VERSION, type ExportFile } from './format'

export type ParseResult =
  | { ok: true; file: ExportFile }
  | { ok: false; reason: 'notFile' | 'newer' }

/** Checks the wrapper only; each record is checked on import. */
export function parseExport(text: string): ParseResult {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    return { ok: false, reason: 'notFile' }
  }
  const f = data as Partial<ExportFile> | null
  if (typeof f !== 'object' || f === null || f.format !== EXPORT_FORMAT || typeof f.version !== 'number') return { ok: false, reason: 'notFile' }
  if (f.version > EXPORT_VERSION) return { ok: false, reason: 'newer' }
  if (typeof f.userId !== 'string' || !Array.isArray(f.records)) return { ok: false, reason: 'notFile' }
  return { ok: true, file: { ...f, userName: typeof f.userName === 'string' ? f.userName : '' } as ExportFile }
}

export interface ImportCounts {
  /** new on this device, now waiting to be sent */
  added: number
  /** already on this device (waiting, synced or pulled), left as it is */
  present: number
  /** accepted by the server before the export; nothing to send */
  synced: number
  /** failed the shape check or written by someone else */
  invalid: number
}

export class OtherUserFile extends Error {
  override readonly name = 'OtherUserFile'
  constructor(readonly owner: string) {
    super('file of another user')
  }
}

/** The envelope alone, checked like a fresh save; null when it is not a record this user could have made. */
function validRecord(raw: unknown, userId: string): LocalRecord | null {
  if (typeof raw !== 'object' || raw === null) return null
  const { seq: _seq, serverTime: _serverTime, ...envelope } = raw as Record<string, unknown>
  const checked = checkRecordShape(envelope)
  if (!checked.ok || checked.record.authorId !== userId) return null
  return checked.record
}

/** records checked between two pauses that let the screen draw the progress */
const CHECK_CHUNK = 200

/** `checked` of `total` records of the file checked; then the write, one transaction with nothing to count */
export interface ImportProgress {
  checked: number
  total: number
}

/**
 * One transaction: either every new record and its outbox entry is stored, or
 * nothing is. Refuses a file exported by another user before touching anything.
 * `onProgress` hears how many records are checked (before the transaction: the
 * pauses that let the screen draw must not fall inside it).
 */
export async function importRecords(db: LoudongDB, file: ExportFile, userId: string, now: number, onProgress?: (p: ImportProgress) => void): Promise<ImportCounts> {
  if (file.userId !== userId) throw new OtherUserFile(file.userName || file.userId)
  const counts: ImportCounts = { added: 0, present: 0, synced: 0, invalid: 0 }
  const candidates: LocalRecord[] = []
  const seen = new Set<string>()
  const total = file.records.length
  for (const [i, raw] of file.records.entries()) {
    if (onProgress && i % CHECK_CHUNK === 0) {
      onProgress({ checked: i, total })
      await new Promise((resolve) => setTimeout(resolve, 0))
    }
    const record = validRecord(raw, userId)
    if (!record) counts.invalid++
    else if (typeof (raw as { seq?: unknown }).seq === 'number') counts.synced++
    else if (seen.has(record.id)) counts.present++
    else {
      seen.add(record.id)
      candidates.push(record)
    }
  }
  const outcome = await guardedWrite(db, () =>
    db.transaction('rw', db.records, db.outbox, async () => {
      const existing = await db.records.bulkGet(candidates.map((r) => r.id))
      let added = 0
      let queuedAt = await nextQueuedAt(db, now)
      for (const [i, record] of candidates.entries()) {
        if (existing[i]) continue
        await db.records.add(record)
        await db.outbox.add({ id: record.id, state: 'pending', queuedAt: queuedAt++, attempts: 0 })
        added++
      }
      return added
    }),
  )
  onProgress?.({ checked: total, total })
  counts.added = outcome
  counts.present += candidates.length - outcome
  return counts
}
