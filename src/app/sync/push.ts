/**
 * Push: send the outbox oldest first, in batches the server accepts, and apply
 * each record's answer only after the response arrived, in one transaction.
 */
import { PUSH_MAX_BYTES, PUSH_MAX_RECORDS, type LocalRecord, type PushResult } from '@shared/index'
import type { LoudongDB } from '@app/db/database'
import type { OutboxEntry } from '@app/db/schema'
import { guardedWrite } from '@app/db/guarded'
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
 * The next batch of records not yet tried in this run. A record too big to send
 * even alone goes to needs-attention rather than blocking everything behind it.
 */
async function nextBatch(db: LoudongDB, tried: Set<string>, limits: PushLimits): Promise<LocalRecord[]> {
  const entries = (await pendingInOrder(db)).filter((e) => !tried.has(e.id)).slice(0, limits.maxRecords)
  const stored = await db.records.bulkGet(entries.map((e) => e.id))
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
 * Applies the server's answers. Records it did not answer for stay exactly as they were.
 * With `owner`, applies nothing (throws SessionChangedError) when the device no longer
 * belongs to the session the push began with.
 */
export async function applyResults(db: LoudongDB, batch: readonly LocalRecord[], results: readonly PushResult[], owner?: Owner): Promise<{ accepted: number; attention: number }> {
  const sent = new Set(batch.map((r) => r.id))
  // counted afresh on each attempt: a lost connection retries the whole transaction
  let counts = { accepted: 0, attention: 0 }
  await guardedWrite(db, () => db.transaction('rw', db.records, db.outbox, db.meta, async () => {
    if (owner) await assertOwner(db, owner)
    counts = { accepted: 0, attention: 0 }
    for (const result of results) {
      if (!sent.has(result.id)) continue
      const entry = await db.outbox.get(result.id)
      // another tab may have settled it meanwhile
      if (entry?.state !== 'pending') continue
      if (result.status === 'accepted' || result.status === 'duplicate') {
        await db.records.update(result.id, { seq: result.seq, serverTime: result.serverTime })
        await db.outbox.delete(result.id)
        counts.accepted++
      } else {
        const path = result.status === 'rejected' ? result.path : ''
        await db.outbox.put({ ...entry, state: 'attention', code: result.code, reason: result.reason, path, attempts: entry.attempts + 1 })
        counts.attention++
      }
    }
  }))
  return counts
}

function isPushResults(data: unknown): data is { results: PushResult[] } {
  const results = (data as { results?: unknown } | null)?.results
  return Array.isArray(results) && results.every((r) => typeof r === 'object' && r !== null && typeof (r as PushResult).id === 'string')
}

/**
 * Sends every pending record once per run. Records saved (here or in another
 * tab) while the run is going are picked up too, because each batch is read
 * fresh from the outbox.
 */
export async function pushOutbox(db: LoudongDB, api: SyncApi, limits: PushLimits = DEFAULT_LIMITS, owner?: Owner): Promise<PushOutcome> {
  const tried = new Set<string>()
  const total = { accepted: 0, attention: 0 }
  let maxRecords = limits.maxRecords
  for (;;) {
    const batch = await nextBatch(db, tried, { ...limits, maxRecords })
    if (!batch.length) return { kind: 'done', ...total }
    const res = await api.push(batch)
    if (res.kind === 'http' && res.status === 413) {
      if (batch.length > 1) {
        maxRecords = Math.max(1, Math.floor(batch.length / 2))
        continue
      }
      tried.add(batch[0]!.id)
      await markAttention(db, batch[0]!.id, 'too_large', '', '')
      total.attention++
      continue
    }
    if (res.kind !== 'ok') return { kind: 'failed', failure: res }
    if (!isPushResults(res.data)) return { kind: 'failed', failure: { kind: 'network', message: 'bad_response' } }
    for (const r of batch) tried.add(r.id)
    const counts = await applyResults(db, batch, res.data.results, owner)
    total.accepted += counts.accepted
    total.attention += counts.attention
  }
}
