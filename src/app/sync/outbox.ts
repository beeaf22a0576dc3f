/**
 * Saving: a record and its outbox entry are written in one transaction, so
 * "saved" always means "will be sent". Nothing here touches the network.
 */
import { applyErasures } from './purge'
import { BODY_VERSION, canonicalJson, checkRecordShape, uuidv7, widenRecord, type AnyRecord, type BodyOf, type LocalRecord, type RecordIssue, type RecordType } from '@shared/index'
import type { LoudongDB } from '@app/db/database'
import { guardedWrite } from '@app/db/guarded'
import { IdTakenError, RecordShapeError } from './errors'
import { assertOwner, type Owner } from './owner'

export interface SaveInput<T extends RecordType> {
  type: T
  orgPath: string
  body: BodyOf<T>
  authorId: string
  deviceId: string
  /** device clock, ms; only becomes clientTime and the id's time part */
  now: number
  /**
   * An id made earlier, when others already refer to the record before it is
   * saved (a reading session's draft: feedback raised during it points at it).
   */
  id?: string
  /**
   * The session `authorId` was read from. When given, the save writes nothing
   * (throws SessionChangedError) if that person logged out or another logged in
   * before the write — a record must never carry someone else's name.
   */
  owner?: Owner
  /**
   * The checks that need the device's context (the shared rule table, see
   * deviceRules.ts), run on the built record before anything is written; an
   * issue throws RecordShapeError and nothing is saved.
   */
  check?: (record: LocalRecord) => Promise<RecordIssue | null>
}

/** Runs `check` on a built record; an issue becomes the RecordShapeError forms already show next to the field. */
async function verified<T extends RecordType>(record: LocalRecord<T>, check: SaveInput<T>['check']): Promise<LocalRecord<T>> {
  const issue = check ? await check(record as LocalRecord) : null
  if (issue) throw new RecordShapeError(issue.code, issue.path, issue.max)
  return record
}

function checked<T extends RecordType>(candidate: LocalRecord<T>): LocalRecord<T> {
  const result = checkRecordShape(candidate)
  if (!result.ok) throw new RecordShapeError(result.issue.code, result.issue.path, result.issue.max)
  return result.record as LocalRecord<T>
}

/**
 * The device clock can jump backwards (a phone set to 1990), so queuedAt never
 * goes below the newest queued entry: the outbox stays in the order records were
 * made, which matters when a later record refers to an earlier one.
 * Must run inside a transaction that includes `outbox`.
 */
export async function nextQueuedAt(db: LoudongDB, now: number): Promise<number> {
  const newest = await db.outbox.orderBy('queuedAt').last()
  return newest ? Math.max(now, newest.queuedAt + 1) : now
}

/**
 * Same record as far as saving goes: what the person said and where. clientTime
 * and deviceId are left out: a double tap or a retry a second later must still
 * be "the same record".
 */
function sameContent(a: Pick<AnyRecord, 'type' | 'orgPath' | 'authorId' | 'body'>, b: Pick<AnyRecord, 'type' | 'orgPath' | 'authorId'> & { body: unknown }): boolean {
  return a.type === b.type && a.orgPath === b.orgPath && a.authorId === b.authorId && canonicalJson(a.body) === canonicalJson(b.body)
}

/**
 * Builds, checks and saves a new record. The id is made here (or given, by a
 * form that made it when it opened) and reused by every retry. Saving is
 * idempotent on the id: a given id already stored with the same content (a
 * double tap, a retry, a replay) resolves to the stored record and writes
 * nothing — no second record, no second outbox entry, even once it has synced.
 * The same id with other content throws IdTakenError and writes nothing.
 * A full disk throws StorageFullError and a database that stays lost after one
 * reopen throws DatabaseLostError (both from @app/db/faults); nothing is saved then.
 */
export async function saveRecord<T extends RecordType>(db: LoudongDB, input: SaveInput<T>): Promise<LocalRecord<T>> {
  const built = checked<T>({
    id: input.id ?? uuidv7(input.now),
    type: input.type,
    v: BODY_VERSION[input.type],
    orgPath: input.orgPath,
    authorId: input.authorId,
    deviceId: input.deviceId,
    clientTime: new Date(input.now).toISOString(),
    body: input.body,
  })
  const record = await verified(built, input.check)
  return guardedWrite(db, () =>
    db.transaction('rw', db.records, db.outbox, db.meta, async (): Promise<LocalRecord<T>> => {
      // the reads side by side, then the writes: one wait each instead of one per request (a save's time is its waits)
      const [, stored, queuedAt] = await Promise.all([
        input.owner ? assertOwner(db, input.owner) : undefined,
        input.id === undefined ? undefined : db.records.get(record.id),
        nextQueuedAt(db, input.now),
      ])
      if (stored) {
        if (!sameContent(stored, record)) throw new IdTakenError(record.id)
        return stored as LocalRecord<T>
      }
      await Promise.all([db.records.add(widenRecord(record)), db.outbox.add({ id: record.id, state: 'pending', queuedAt, attempts: 0 })])
      // an erasure made here redacts this device's copies at once (purge.ts)
      if (record.type === 'household.erasure') await applyErasures(db, [widenRecord(record)])
      return record
    }),
  )
}

/**
 * Mends a record the server rejected. A rejected record never entered the
 * server's log, so its body may be edited in place and sent again under the
 * same id. It is stamped with `now` (clientTime): a record refused because the
 * phone clock was wrong goes again with the corrected time.
 */
export async function requeueRejected<T extends RecordType>(db: LoudongDB, id: string, body: BodyOf<T> | undefined, now: number): Promise<LocalRecord<T>> {
  return guardedWrite(db, () => db.transaction('rw', db.records, db.outbox, async () => {
    const [stored, entry] = await Promise.all([db.records.get(id), db.outbox.get(id)])
    if (!stored || !entry || entry.state !== 'attention') throw new Error(`record ${id} does not need attention`)
    const { seq: _seq, serverTime: _serverTime, ...local } = stored
    const record = checked<T>({ ...(local as LocalRecord<T>), clientTime: new Date(now).toISOString(), body: body ?? (local.body as BodyOf<T>) })
    const queuedAt = await nextQueuedAt(db, now)
    await db.records.put(widenRecord(record))
    await db.outbox.put({ id, state: 'pending', queuedAt, attempts: entry.attempts })
    return record
  }))
}

/**
 * Mends a conflict: the server already holds this id with other content, so the
 * content is saved again under a new id and the clashing local copy is dropped
 * in the same transaction — the words survive, only the id changes.
 */
export async function saveAsNewRecord<T extends RecordType>(
  db: LoudongDB,
  id: string,
  input: { body?: BodyOf<T>; authorId: string; deviceId: string; now: number; owner?: Owner },
): Promise<LocalRecord<T>> {
  const stored = await db.records.get(id)
  if (!stored) throw new Error(`record ${id} not found`)
  const record = checked<T>({
    id: uuidv7(input.now),
    type: stored.type as T,
    v: stored.v,
    orgPath: stored.orgPath,
    authorId: input.authorId,
    deviceId: input.deviceId,
    clientTime: new Date(input.now).toISOString(),
    body: input.body ?? (stored.body as BodyOf<T>),
  })
  await guardedWrite(db, () => db.transaction('rw', db.records, db.outbox, db.meta, async () => {
    if (input.owner) await assertOwner(db, input.owner)
    const entry = await db.outbox.get(id)
    if (!entry || entry.state !== 'attention') throw new Error(`record ${id} does not need attention`)
    const queuedAt = await nextQueuedAt(db, input.now)
    await db.records.add(widenRecord(record))
    await db.outbox.add({ id: record.id, state: 'pending', queuedAt, attempts: 0 })
    await db.outbox.delete(id)
    await db.records.delete(id)
  }))
  return record
}
