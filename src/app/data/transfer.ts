/**
 * Export and import as 我的 and the storage-full notice use them: the signed-in
 * user, this phone's id, and words for the person.
 */
import { db } from '@app/db/database'
import { t } from '@app/i18n'
import { tn } from '@app/i18n/plural'
import { buildExport } from './exportRecords'
import { deliverFile, type Delivered } from './deliver'
import { exportFileName } from './format'
import { importRecords, OtherUserFile, parseExport, type ImportCounts, type ImportProgress } from './importRecords'

export interface ExportDone {
  count: number
  file: string
  delivered: Delivered | 'nothing'
}

/** Writes the file and hands it over; nothing is written when there is nothing to export. */
export async function exportRecords(includeSynced: boolean): Promise<ExportDone> {
  const session = await db.getMeta('session')
  if (!session) throw new Error('not signed in')
  const now = Date.now()
  const file = await buildExport(db, {
    userId: session.user.id,
    userName: session.user.name,
    deviceId: (await db.getMeta('deviceId')) ?? 'unknown',
    includeSynced,
    now,
  })
  const name = exportFileName(new Date(now))
  if (!file.records.length) return { count: 0, file: name, delivered: 'nothing' }
  const delivered = await deliverFile(JSON.stringify(file, null, 1), name)
  return { count: file.records.length, file: name, delivered }
}

export type ImportDone = { ok: true; counts: ImportCounts; text: string } | { ok: false; text: string }

/** Reads a file's text into the outbox and says what happened, in words; `onProgress` as importRecords. */
export async function importText(text: string, onProgress?: (p: ImportProgress) => void): Promise<ImportDone> {
  const session = await db.getMeta('session')
  if (!session) return { ok: false, text: t('me.data.errors.failed') }
  const parsed = parseExport(text)
  if (!parsed.ok) return { ok: false, text: t(`me.data.errors.${parsed.reason}`) }
  let counts: ImportCounts
  try {
    counts = await importRecords(db, parsed.file, session.user.id, Date.now(), onProgress)
  } catch (e) {
    if (e instanceof OtherUserFile) return { ok: false, text: t('me.data.errors.otherUser', { name: e.owner }) }
    return { ok: false, text: e instanceof Error && 'code' in e ? e.message : t('me.data.errors.failed') }
  }
  const skipped = counts.present + counts.synced
  const lines = [counts.added > 0 ? tn('me.data.imported', counts.added, { added: counts.added, skipped }) : tn('me.data.importedNone', skipped, { skipped })]
  if (counts.invalid > 0) lines.push(tn('me.data.invalid', counts.invalid))
  return { ok: true, counts, text: lines.join(' ') }
}
