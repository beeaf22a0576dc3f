/**
 * WAL checkpoints off the event loop (SQLite). By default the connection that commits
 * copies the log back into the database file every 1,000 pages, with an fsync of each
 * file, on the thread that also parses and checks every push: under ingest that was
 * ≈ 1/10 of the main thread. Instead the server's connection never checkpoints
 * (wal_autocheckpoint = 0) and a worker thread with a connection of its own runs a
 * PASSIVE checkpoint now and then: it copies what no reader still needs and never
 * waits for a lock, so it neither blocks nor is blocked by appends. The log is
 * reused from its start once a checkpoint has copied all of it (as before); when the
 * worker falls behind by WAL_PAGES_MAX pages, the server's connection checkpoints
 * itself again until it has caught up.
 */
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type { Db } from './db'

/** How often the worker checkpoints, ms. */
export const CHECKPOINT_EVERY_MS = 100

/**
 * Log pages (4 KiB) left behind by the worker's checkpoints (they only copy what no reader
 * needs, and under a steady ingest the log may not come back to its start for a while)
 * beyond which the server's connection checkpoints itself again, as by default, until
 * the log is short again: the log never grows without bound.
 */
export const WAL_PAGES_MAX = 8192

/** The worker's code (CommonJS, evaluated): opens the file, checkpoints every `every` ms and reports the log left. */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.module)
const db = new Database(workerData.file, { fileMustExist: true })
db.pragma('busy_timeout = 0')
const timer = setInterval(() => {
  try {
    const r = db.pragma('wal_checkpoint(PASSIVE)')[0]
    parentPort.postMessage({ left: r.log - r.checkpointed })
  } catch (err) { parentPort.postMessage({ error: String(err && err.message || err) }) }
}, workerData.every)
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close() })
`

export interface Checkpointer {
  /** stops the worker and closes its connection (before the server's own closes, so that one checkpoints last) */
  close(): Promise<void>
}

/**
 * Moves `db`'s checkpoints to a worker thread; null (nothing changed) when `db` is not
 * a file in WAL mode. A checkpoint that fails is written to stderr; the log then keeps
 * growing until one succeeds, nothing is lost.
 */
export function startCheckpointer(db: Db, every = CHECKPOINT_EVERY_MS): Checkpointer | null {
  if (db.memory || String(db.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return null
  const module = createRequire(import.meta.url).resolve('better-sqlite3')
  const worker = new Worker(WORKER, { eval: true, workerData: { file: db.name, module, every } })
  worker.unref()
  let selfCheckpointing = false
  worker.on('message', (msg: { left?: number; error?: string }) => {
    if (msg.error !== undefined) process.stderr.write(`[loudong] WAL checkpoint: ${msg.error}\n`)
    const behind = (msg.left ?? 0) > WAL_PAGES_MAX
    if (behind === selfCheckpointing || !db.open) return
    selfCheckpointing = behind
    db.pragma(`wal_autocheckpoint = ${behind ? 1000 : 0}`)
  })
  worker.on('error', (err) => {
    process.stderr.write(`[loudong] WAL checkpoint worker: ${err.message}; checkpoints back on the server's connection\n`)
    if (db.open) db.pragma('wal_autocheckpoint = 1000')
  })
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
  db.pragma('wal_autocheckpoint = 0')
  return {
    close: async () => {
      worker.postMessage('stop')
      await exited
    },
  }
}
