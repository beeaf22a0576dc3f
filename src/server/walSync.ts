/**
 * Appends made durable off the event loop (SQLite in WAL mode). With synchronous=FULL
 * every append commit fsyncs the log on the one thread that also parses and checks
 * every push: ≈ 2–6 ms here during which no request moves, once per group commit.
 * Instead the append commits with synchronous=NORMAL (its log frames written, not
 * synced) and the log is then synced on libuv's thread pool, one fdatasync covering
 * every commit made before it began. A caller is answered only after that sync, so
 * "accepted" still means "on disk", as before.
 *
 * Between the commit and the sync another request could read the new rows; a power
 * cut then could take back seqs a device has already pulled. So the readers that hand
 * out seqs (pull, the highest seq) see only seqs below `visibleBelow()`: the lowest
 * seq committed and not yet synced. A process crash (kill -9) loses nothing: the
 * frames are in the operating system's cache.
 */
import { open } from 'node:fs/promises'
import type { Db } from './db'

export interface WalSync {
  /**
   * Runs `commit` (one synchronous write transaction, not inside another) with
   * synchronous=NORMAL and resolves with its result once the log holding it is
   * synced; rejects when the sync fails (the caller's answer is then an error, and a
   * retry is answered as a duplicate). `lowest`: the lowest seq it appended, or null.
   */
  durably<T>(commit: () => T, lowest: (result: T) => number | null): Promise<T>
  /** Seqs at or above this are committed but not yet on disk (Infinity: none). */
  visibleBelow(): number
}

/** A WalSync for `db`, or null when it is not a file in WAL mode (then commit with the connection's own setting). */
export function walSync(db: Db): WalSync | null {
  if (db.memory || String(db.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return null
  const walFile = `${db.name}-wal`
  const level = Number(db.pragma('synchronous', { simple: true }))
  // seqs committed since the running sync began (they need the next one), and those the running one covers
  let waiting = Infinity
  let syncing = Infinity
  let running: Promise<void> | null = null
  let next: Promise<void> | null = null

  const syncOnce = async (): Promise<void> => {
    const file = await open(walFile, 'r')
    try {
      await file.datasync()
    } finally {
      await file.close()
    }
  }

  /** Resolves after a sync that began after this call. */
  const sync = (): Promise<void> => {
    if (!running) {
      syncing = waiting
      waiting = Infinity
      running = syncOnce().then(
        () => {
          running = null
          syncing = Infinity
        },
        (err: unknown) => {
          // not known to be on disk: hidden until a later sync (the next append's) succeeds
          running = null
          waiting = Math.min(waiting, syncing)
          syncing = Infinity
          throw err
        },
      )
      return running
    }
    // one sync at a time; everyone who committed meanwhile shares the next one
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = null
        return sync()
      })
    return next
  }

  return {
    async durably(commit, lowest) {
      db.pragma('synchronous = NORMAL')
      let result
      try {
        result = commit()
      } finally {
        db.pragma(`synchronous = ${level}`)
      }
      const low = lowest(result)
      if (low !== null) waiting = Math.min(waiting, low)
      await sync()
      return result
    },
    visibleBelow: () => Math.min(waiting, syncing),
  }
}
