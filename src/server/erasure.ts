/**
 * Erasures outlive a restore. An erasure is a `household.erasure` record in the log
 * (the storage redacts the household's records in the transaction that appends it),
 * and every erasure is also appended to a journal file beside the database
 * (`erasures.jsonl` in DATA_DIR, or ERASURE_JOURNAL): one JSON line per erasure
 * record, which holds no personal data (who, when, which household, why). A backup
 * taken before an erasure still holds the data; when it is restored, the server at
 * start (and `npm run admin -- erasures:reapply`) appends every journalled erasure
 * the database does not hold, so the redaction runs again before anyone pulls, and
 * devices receive the erasure again.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Storage } from './storage'
import { contentHash } from './sync/push'
import { recordAudit } from './audit/record'
import { uuidv7 } from '../shared/ids'
import { message } from '../shared/messages'
import { checkRecordShape, type LocalRecord } from '../shared/records'

/** The journal's path: ERASURE_JOURNAL, else `erasures.jsonl` in the data directory. */
export function journalPath(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.ERASURE_JOURNAL?.trim() || join(dataDir, 'erasures.jsonl')
}

/** Appends accepted erasure records to the journal (one line each, fsync'd by appendFileSync's close). */
export function journalErasures(path: string, records: readonly LocalRecord[]): void {
  const erasures = records.filter((r) => r.type === 'household.erasure')
  if (!erasures.length) return
  mkdirSync(dirname(path), { recursive: true })
  appendFileSync(path, erasures.map((r) => JSON.stringify(r) + '\n').join(''), { mode: 0o600 })
}

/** The journalled erasure records, in the order they were made; a line that does not parse is skipped and counted. */
export function readJournal(path: string): { records: LocalRecord<'household.erasure'>[]; bad: number } {
  if (!existsSync(path)) return { records: [], bad: 0 }
  const records: LocalRecord<'household.erasure'>[] = []
  let bad = 0
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue
    try {
      const shape = checkRecordShape(JSON.parse(line))
      if (shape.ok && shape.record.type === 'household.erasure') records.push(shape.record as LocalRecord<'household.erasure'>)
      else bad++
    } catch {
      bad++
    }
  }
  return { records, bad }
}

/**
 * Appends (with a new seq, so devices pull them again) every journalled erasure the
 * database does not hold, each redacting its household as it is appended. Returns how
 * many were applied. Idempotent: a second run finds them all stored.
 */
export async function reapplyErasures(storage: Storage, path: string, now = Date.now()): Promise<{ applied: number; bad: number }> {
  const { records, bad } = readJournal(path)
  if (!records.length) return { applied: 0, bad }
  const stored = await storage.records.existing(records.map((r) => r.id))
  const missing = records.filter((r) => !stored.has(r.id))
  if (!missing.length) return { applied: 0, bad }
  const serverTime = new Date(now).toISOString()
  const outcomes = await storage.records.appendBatch(
    missing.map((record) => ({ kind: 'append' as const, record, hash: contentHash(record), raw: '' })),
    { userId: 'erasure-journal', serverTime, reason: (code) => message(code, 'zh-CN') },
  )
  let applied = 0
  for (const [i, o] of outcomes.entries()) {
    if (o.status !== 'accepted') continue
    applied++
    await auditErasure(storage, missing[i]!, null, now, { reapplied: true })
  }
  return { applied, bad }
}

/**
 * The audit entry of an erasure: who (`actorId`, null for the command line), when,
 * which building and household, and the erasure record's id; never the reason's words
 * beyond the record (the record itself holds them).
 */
export function auditErasure(storage: Storage, erasure: LocalRecord, actorId: string | null, now: number, extra: Record<string, boolean> = {}): Promise<unknown> {
  const household = erasure.type === 'household.erasure' ? erasure.body.household : null
  return recordAudit(storage, { actorId, action: 'household.erase', scope: erasure.orgPath, target: household, detail: { record: erasure.id, ...extra }, now })
}

/** An erasure made by the server itself (the admin command), authored `admin-cli`. */
export function adminErasure(building: string, household: string, reason: string, now = Date.now()): LocalRecord<'household.erasure'> {
  return {
    id: uuidv7(now),
    type: 'household.erasure',
    v: 1,
    orgPath: building,
    authorId: ADMIN_AUTHOR,
    deviceId: ADMIN_AUTHOR,
    clientTime: new Date(now).toISOString(),
    body: { household, reason },
  }
}

/** Who erasures made from the command line are by (no account: the administrator at the server). */
export const ADMIN_AUTHOR = 'admin-cli'
