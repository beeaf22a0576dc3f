/**
 * A server restored from a backup has lost the records it accepted after the backup,
 * and hands their seq values to new records. Every sync answer names the database's
 * identity and highest seq (DatabaseHead in src/shared/protocol.ts); when the identity
 * is not the one this device synced with, or the highest seq is below the device's
 * cursor, the device:
 *  1. asks the server which of its own synced records it lacks (POST /sync/missing,
 *     ids only: cheaper than sending every record again). A push carries the
 *     identity and cursor the device knows (KnownDatabase), so a restored server
 *     refuses it before storing anything and the lost records go first,
 *  2. puts those back in the outbox, ahead of what already waits (a waiting
 *     correction may refer to one of them), and in one transaction sets the pull
 *     cursor to 0 and stores the new identity,
 *  3. then the run pushes them (the server dedups by id) and pulls from the start;
 *     records already here are kept once, only their seq is updated (pull.ts).
 * Interrupted anywhere, nothing is half done: before step 2 the next run notices the
 * restore again; after it, the outbox and the cursor carry on.
 */
import { MISSING_MAX_IDS, type DatabaseHead } from '@shared/index'
import type { LoudongDB } from '@app/db/database'
import type { OutboxEntry } from '@app/db/schema'
import { guardedWrite } from '@app/db/guarded'
import type { SyncApi } from './api'
import { assertOwner, type Owner } from './owner'
import type { TransportFailure } from './transport'

/** What a long recovery shows: ids checked, records sent again, records pulled (of the highest seq). */
export interface RecoveryProgress {
  phase: 'check' | 'send' | 'pull'
  done: number
  total: number
}

/**
 * True when `head` is not the log this device synced with: another identity than
 * `known` (undefined: none learned yet), or a highest seq below the cursor (a restore
 * whose identity was not renewed). Pure.
 */
export function isRestored(head: DatabaseHead, known: string | undefined, cursor: number): boolean {
  if (known !== undefined && head.identity !== known) return true
  return head.highestSeq < cursor
}

/** Reads what the device knows and answers isRestored for `head`. */
export async function restoredFor(db: LoudongDB, head: DatabaseHead): Promise<boolean> {
  const [known, cursor] = await Promise.all([db.getMeta('serverIdentity'), db.getMeta('cursor')])
  return isRestored(head, known, cursor ?? 0)
}

/** Stores the identity of a server met for the first time (after an update, or the first sync of a login). */
export async function learnIdentity(db: LoudongDB, head: DatabaseHead, owner: Owner): Promise<void> {
  if ((await db.getMeta('serverIdentity')) === head.identity) return
  await guardedWrite(db, () =>
    db.transaction('rw', db.meta, async () => {
      await assertOwner(db, owner)
      if ((await db.getMeta('serverIdentity')) === undefined) await db.setMeta('serverIdentity', head.identity)
    }),
  )
}

export type RecoveryOutcome = { kind: 'done'; requeued: number; head: DatabaseHead } | { kind: 'failed'; failure: TransportFailure }

/**
 * Steps 1 and 2 above for `owner`'s records, against the server as it answers now (its
 * head comes with the answers). `now`: device clock, only for the queue times of an
 * empty outbox.
 */
export async function requeueMissing(
  db: LoudongDB,
  api: SyncApi,
  owner: Owner,
  now: number,
  onProgress: (p: RecoveryProgress) => void = () => undefined,
): Promise<RecoveryOutcome> {
  // my records the server once accepted (they have a seq), in the order it accepted them
  const mine: { id: string; seq: number }[] = []
  await db.records.each((r) => {
    if (r.authorId === owner.userId && r.seq !== undefined) mine.push({ id: r.id, seq: r.seq })
  })
  mine.sort((a, b) => a.seq - b.seq)
  const missing = new Set<string>()
  let head: DatabaseHead | null = null
  onProgress({ phase: 'check', done: 0, total: mine.length })
  // at least one call, even with nothing to ask about: its answer names the database
  for (let i = 0; i === 0 || i < mine.length; i += MISSING_MAX_IDS) {
    const res = await api.missing(mine.slice(i, i + MISSING_MAX_IDS).map((r) => r.id))
    if (res.kind !== 'ok') return { kind: 'failed', failure: res }
    for (const id of res.data.missing) missing.add(id)
    head = res.data.database
    onProgress({ phase: 'check', done: Math.min(mine.length, i + MISSING_MAX_IDS), total: mine.length })
  }
  const lost = mine.filter((r) => missing.has(r.id)).map((r) => r.id)
  const identity = head!.identity
  let requeued = 0
  await guardedWrite(db, () =>
    db.transaction('rw', db.outbox, db.meta, async () => {
      await assertOwner(db, owner)
      const queued = await db.outbox.bulkGet(lost)
      const again = lost.filter((_, i) => !queued[i])
      // ahead of everything waiting: a waiting record may refer to one of them
      const first = await db.outbox.orderBy('queuedAt').first()
      const base = (first?.queuedAt ?? now) - again.length
      const rows: OutboxEntry[] = again.map((id, i) => ({ id, state: 'pending', queuedAt: base + i, attempts: 0 }))
      await db.outbox.bulkAdd(rows)
      await db.setMeta('cursor', 0)
      await db.setMeta('serverIdentity', identity)
      requeued = rows.length
    }),
  )
  return { kind: 'done', requeued, head: head! }
}
