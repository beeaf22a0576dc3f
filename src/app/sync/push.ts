/**
 * Push: send the outbox oldest first, in batches the server accepts, and apply
 * each record's answer only after the response arrived, in one transaction.
 */
import { PUSH_MAX_BYTES, PUSH_MAX_RECORDS, type AnyRecord, type KnownDatabase, type LocalRecord, type PushResult } from '@shared/index'
import type { LoudongDB } from '@app/db/database'
import type { OutboxEntry } from '@app/db/schema'
import { guardedWrite } from '@app/db/guarded'
import { claimRecords } from '@app/db/doors'
import type { SyncApi } from './api'
import { assertOwner, type Owner } from './owner'
import type { TransportFailure } from './transport'
import { jsonBytes, toWire } from './wire'

export type PushOutcome =
  | { kind: 'done'; accepted: number; attention: number }
  | { kind: 'failed'; failure: TransportFailure }

export interface PushLimits {
  maxRecords: number
  maxBytes: number
}

const DEFAULT_LIMITS: PushLimits = { maxRecords: PUSH_MAX_RECORDS, maxBytes: PUSH_MAX_BYTES }
/** `{"records":[` + `]}` */
const WRAPPER_BYTES = jsonBytes({ records: [] })

/** Pending entries oldest first: queuedAt never goes backwards (see outbox.ts), the id breaks ties. */
export async function pendingInOrder(db: LoudongDB): Promise<OutboxEntry[]> {
  const pending = await db.outbox.where('state').equals('pending').toArray()
  return pending.sort((a, b) => a.queuedAt - b.queuedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

async function markAttention(db: LoudongDB, id: string, code: string, reason: string, path: string): Promise<void> {
  await guardedWrite(db, () =>
    db.transaction('rw', db.outbox, async () => {
      const entry = await db.outbox.get(id)
      if (entry?.state === 'pending') await db.outbox.put({ ...entry, state: 'attention', code, reason, path, attempts: entry.attempts + 1 })
    }),
  )
}

/**
 * Up to `max` pending entries not yet tried in this run, in the same order as
 * pendingInOrder, read through the queuedAt index a page at a time (IndexedDB
 * orders equal index keys by primary key, so ties come in id order). A batch
 * reads about its own size, not the whole outbox: the accepted ones before it
 * are gone, and only entries set aside (attention, unanswered) are read past.
 */
async function nextPending(db: LoudongDB, tried: ReadonlySet<string>, max: number): Promise<OutboxEntry[]> {
  const out: OutboxEntry[] = []
  const seen = new Set<string>()
  let from = -Infinity
  let page = max
  for (;;) {
    const rows = await db.outbox.where('queuedAt').aboveOrEqual(from).limit(page).toArray()
    for (const entry of rows) {
      // the next page starts at the last queuedAt read, so rows sharing it come again
      if (seen.has(entry.id)) continue
      seen.add(entry.id)
      if (entry.state !== 'pending' || tried.has(entry.id)) continue
      out.push(entry)
      if (out.length >= max) return out
    }
    if (rows.length < page) return out
    const last = rows[rows.length - 1]!.queuedAt
    // a whole page of one queuedAt (never made by saveRecord, but possible): read more of it at once
    if (last === from) page *= 2
    from = last
  }
}

/**
 * The next batch of records not yet tried in this run. A record too big to send
 * even alone goes to needs-attention rather than blocking everything behind it.
 */
async function nextBatch(db: LoudongDB, tried: Set<string>, limits: PushLimits): Promise<LocalRecord[]> {
  const entries = await nextPending(db, tried, limits.maxRecords)
  const stored = await recordsOf(db, entries.map((e) => e.id))
  const batch: LocalRecord[] = []
  let bytes = WRAPPER_BYTES
  for (const [i, entry] of entries.entries()) {
    const record = stored[i]
    if (!record) {
      // nothing left to send: skipping it would leave it waiting forever, unseen, so it is shown instead
      tried.add(entry.id)
      await markAttention(db, entry.id, 'missing_record', '', '')
      continue
    }
    const wire = toWire(record)
    const size = jsonBytes(wire) + (batch.length ? 1 : 0)
    if (bytes + size > limits.maxBytes) {
      if (batch.length) break
      tried.add(entry.id)
      await markAttention(db, entry.id, 'too_large', '', '')
      continue
    }
    bytes += size
    batch.push(wire)
  }
  return batch
}

/**
 * The records of `ids` (undefined where missing), in that order. Outbox ids are
 * time-ordered (uuidv7) like the outbox, so one read of the id range, capped at
 * twice the count, usually holds them all; the few it missed (records of others
 * made meanwhile fill the range) are read one by one.
 */
async function recordsOf(db: LoudongDB, ids: readonly string[]): Promise<(AnyRecord | undefined)[]> {
  if (!ids.length) return []
  const [lo, hi] = idRange(ids)
  const found = new Map<string, AnyRecord>()
  for (const r of await db.records.where(':id').between(lo, hi, true, true).limit(ids.length * 2).toArray()) found.set(r.id, r)
  const missed = ids.filter((id) => !found.has(id))
  if (missed.length) (await db.records.bulkGet(missed)).forEach((r) => r && found.set(r.id, r))
  return ids.map((id) => found.get(id))
}

function idRange(ids: readonly string[]): [string, string] {
  let lo = ids[0]!
  let hi = lo
  for (const id of ids) {
    if (id < lo) lo = id
    if (id > hi) hi = id
  }
  return [lo, hi]
}

/**
 * The outbox entries of `ids` as they are now, by id, with every other entry
 * whose id falls between theirs: one range read rather than a get per id.
 * Record ids are time-ordered (uuidv7) and so is the outbox, so the range
 * holds little else. Must run inside a transaction that includes `outbox`.
 */
async function outboxAround(db: LoudongDB, ids: readonly string[]): Promise<Map<string, OutboxEntry>> {
  if (!ids.length) return new Map()
  const rows = await inRange(db, ids).toArray()
  return new Map(rows.map((e) => [e.id, e]))
}

/** The outbox entries whose id lies between the smallest and the largest of `ids` (non-empty), both included. */
function inRange(db: LoudongDB, ids: readonly string[]) {
  const [lo, hi] = idRange(ids)
  return db.outbox.where(':id').between(lo, hi, true, true)
}

function isAccepted(result: PushResult): result is Extract<PushResult, { status: 'accepted' | 'duplicate' }> {
  return result.status === 'accepted' || result.status === 'duplicate'
}

/**
 * Applies the server's answers. Records it did not answer for stay exactly as they were.
 * With `owner`, applies nothing (throws SessionChangedError) when the device no longer
 * belongs to the session the push began with.
 */
export async function applyResults(db: LoudongDB, batch: readonly LocalRecord[], results: readonly PushResult[], owner?: Owner): Promise<{ accepted: number; attention: number }> {
  const sent = new Set(batch.map((r) => r.id))
  // the first answer for an id counts, as when they were applied one by one; answers for ids not sent are ignored
  const answers = new Map<string, PushResult>()
  for (const result of results) if (sent.has(result.id) && !answers.has(result.id)) answers.set(result.id, result)
  const ids = [...answers.keys()]
  const acceptedIds = ids.filter((id) => isAccepted(answers.get(id)!))
  // counted afresh on each attempt: a lost connection retries the whole transaction
  let counts = { accepted: 0, attention: 0 }
  await guardedWrite(db, () => db.transaction('rw', db.records, db.outbox, db.meta, async (tx) => {
    if (owner) await assertOwner(db, owner)
    counts = { accepted: 0, attention: 0 }
    // a handful of IndexedDB requests per batch instead of three per record
    const [entries, records] = await Promise.all([outboxAround(db, ids), db.records.bulkGet(acceptedIds)])
    const recordOf = new Map<string, AnyRecord>()
    for (const record of records) if (record) recordOf.set(record.id, record)
    const stamped: AnyRecord[] = []
    const settled: string[] = []
    const flagged: OutboxEntry[] = []
    for (const id of ids) {
      const entry = entries.get(id)
      const result = answers.get(id)!
      // another tab may have settled it meanwhile
      if (entry?.state !== 'pending') continue
      if (isAccepted(result)) {
        const record = recordOf.get(id)
        if (record) stamped.push({ ...record, seq: result.seq, serverTime: result.serverTime })
        settled.push(id)
        counts.accepted++
      } else {
        const path = result.status === 'rejected' ? result.path : ''
        flagged.push({ ...entry, state: 'attention', code: result.code, reason: result.reason, path, attempts: entry.attempts + 1 })
        counts.attention++
      }
    }
    // when the settled entries are all the id range holds (the usual case: ids are time-ordered like the
    // outbox), one range delete replaces a delete request per entry
    // only seq and serverTime change: no door summary reads them (db/doors.ts claimRecords)
    claimRecords(tx, 'stamped', stamped.map((r) => r.id))
    const removal = settled.length && settled.length === entries.size ? inRange(db, ids).delete() : db.outbox.bulkDelete(settled)
    await Promise.all([db.records.bulkPut(stamped), removal, db.outbox.bulkPut(flagged)])
  }))
  return counts
}

/**
 * Sends every pending record once per run. Records saved (here or in another
 * tab) while the run is going are picked up too, because each batch is read
 * fresh from the outbox.
 *
 * A batch's answers are stored, and the batch after it read, while the next
 * batch is on its way (the database and the network overlap); answers are
 * always stored before the run returns. If
 * storing them fails, the run throws once the batch in flight has come back;
 * that batch's records stay pending and are sent again (as duplicates) later.
 */
export interface PushExtras {
  /** the server database this device synced with, sent with every batch (see KnownDatabase) */
  known?: KnownDatabase
  /** hears each batch's size as its answer arrives, for progress */
  onAnswered?: (records: number) => void
}

export async function pushOutbox(db: LoudongDB, api: SyncApi, limits: PushLimits = DEFAULT_LIMITS, owner?: Owner, extras: PushExtras = {}): Promise<PushOutcome> {
  const { known, onAnswered } = extras
  const tried = new Set<string>()
  const total = { accepted: 0, attention: 0 }
  let maxRecords = limits.maxRecords
  /** the last batch the server answered, whose answers are not stored yet */
  let answered: { batch: LocalRecord[]; results: PushResult[] } | null = null
  /** the next batch, read while the one before it was on its way */
  let upcoming: Promise<LocalRecord[]> | null = null
  for (;;) {
    // read before the previous answers are stored: their entries are already in `tried`
    const batch = upcoming ? await upcoming : await nextBatch(db, tried, { ...limits, maxRecords })
    upcoming = null
    const storing = answered ? applyResults(db, answered.batch, answered.results, owner) : null
    answered = null
    // awaited below, after the request; this only keeps a failure from counting as unhandled meanwhile
    storing?.catch(() => undefined)
    let res: Awaited<ReturnType<SyncApi['push']>> | null = null
    if (batch.length) {
      const sending = api.push(batch, known)
      // the batch after it is read while it is on its way (the database and the network overlap): its records
      // count as tried from now; a 413 takes them back and reads again, any other failure ends the run
      for (const r of batch) tried.add(r.id)
      upcoming = nextBatch(db, tried, { ...limits, maxRecords })
      upcoming.catch(() => undefined)
      res = await sending
    }
    if (storing) {
      const counts = await storing
      total.accepted += counts.accepted
      total.attention += counts.attention
    }
    if (!res) return { kind: 'done', ...total }
    if (res.kind === 'http' && res.status === 413) {
      await upcoming?.catch(() => undefined)
      upcoming = null
      for (const r of batch) tried.delete(r.id)
      if (batch.length > 1) {
        maxRecords = Math.max(1, Math.floor(batch.length / 2))
        continue
      }
      tried.add(batch[0]!.id)
      await markAttention(db, batch[0]!.id, 'too_large', '', '')
      total.attention++
      continue
    }
    if (res.kind !== 'ok') {
      await upcoming?.catch(() => undefined)
      return { kind: 'failed', failure: res }
    }
    answered = { batch, results: res.data.results }
    onAnswered?.(batch.length)
  }
}
