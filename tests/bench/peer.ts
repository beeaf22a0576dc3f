/**
 * The peer side by side: the same 10,000 records as the push figure, put in
 * PouchDB in the same Chromium (IndexedDB), replicated to express-pouchdb
 * running on this machine — the pairing the Community Health Toolkit's
 * offline devices rely on (PouchDB on the phone, the CouchDB API on the server).
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import type { LocalRecord } from '../../src/shared/index'
import { DESKTOP, freePort, tempDir, cleanup } from '../e2e/harness'
import { generateLog, type BenchWorld } from './data'
import { NAME_SHIM, type Measured, type Measures } from './device'
import { median, sleep, withTimeout, type Scope } from './util'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** The browser PouchDB build's global, as far as the bench uses it. */
interface PouchLike {
  bulkDocs(docs: object[]): Promise<unknown[]>
  destroy(): Promise<unknown>
  info(): Promise<{ doc_count: number }>
}
interface PouchCtor {
  new (name: string): PouchLike
  replicate(from: PouchLike, to: string, opts?: object): Promise<{ ok: boolean; docs_written: number; doc_write_failures: number }>
}
declare global {
  interface Window {
    PouchDB?: PouchCtor
  }
}

export interface PeerServer {
  url: string
  pid: number
  stop: () => Promise<void>
}

export async function startPeerServer(scope: Scope): Promise<PeerServer> {
  const port = await freePort()
  const dataDir = tempDir('peer')
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'tests/bench/peer-server.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()))
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()))
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM')
      await Promise.race([new Promise((r) => proc.once('exit', r)), sleep(5000)])
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
    }
    cleanup(dataDir)
  }
  scope.defer(stop)
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`express-pouchdb exited early: ${out.trim().slice(-300)}`)
    try {
      if ((await fetch(`${url}/db/`)).ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('express-pouchdb did not start in 30 s')
    await sleep(150)
  }
  return { url, pid: proc.pid!, stop }
}

/** A record as a CouchDB document: the same fields, the id as `_id`. */
function toDoc(r: LocalRecord): object {
  const { id, ...rest } = r
  return { _id: id, ...rest }
}

/** The remote database every run replicates into: filled first to the size of our server's. */
const REMOTE = 'bench-remote'

/**
 * Fills the peer's remote database with `size` records from the same generator
 * (and seed) as our server's database, through CouchDB's `_bulk_docs`, so both
 * sides take the pushed records into databases of the same size.
 */
async function prefill(url: string, world: BenchWorld, size: number, log: (s: string) => void): Promise<number> {
  const t0 = performance.now()
  const put = await fetch(`${url}/db/${REMOTE}`, { method: 'PUT' })
  if (!put.ok) throw new Error(`creating the peer's database: HTTP ${put.status}`)
  let docs: object[] = []
  let written = 0
  const flush = async () => {
    if (!docs.length) return
    const res = await fetch(`${url}/db/${REMOTE}/_bulk_docs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ docs }) })
    if (!res.ok) throw new Error(`filling the peer's database: HTTP ${res.status}`)
    written += docs.length
    docs = []
  }
  for (const day of generateLog(world, size, Date.now())) {
    for (const g of day) {
      docs.push(toDoc(g.record))
      if (docs.length >= 5000) await flush()
    }
  }
  await flush()
  log(`  PouchDB remote filled with ${written.toLocaleString('en')} records in ${((performance.now() - t0) / 1000).toFixed(0)} s`)
  return written
}

/** Documents per replication batch: the same as our push's batches of 500 (PouchDB's default is 100). */
export const POUCH_BATCH = 500

/**
 * Replicates each record set from a PouchDB in Chromium's IndexedDB to the
 * remote database, filled first with `size` records (our server's database
 * size), in batches of POUCH_BATCH, timed from start to the replication's
 * completion. Filling either side is not timed. The remote grows by each run's
 * records, as our server does.
 */
export async function pouchFigure(browser: Browser, scope: Scope, sets: LocalRecord[][], world: BenchWorld, size: number, log: (s: string) => void): Promise<Measures & { pouch: Measured }> {
  const peer = await startPeerServer(scope)
  const filled = await prefill(peer.url, world, size, log)
  const context = await browser.newContext({ viewport: DESKTOP })
  scope.defer(() => context.close())
  await context.addInitScript({ content: NAME_SHIM })
  const page = await context.newPage()
  await page.goto(`${peer.url}/peer/`)
  await page.waitForFunction(() => typeof window.PouchDB === 'function')
  const rates: number[] = []
  for (const [r, records] of sets.entries()) {
    const docs = records.map(toDoc)
    const res = await withTimeout(
      page.evaluate(
        async ({ docs, r, batch, remote }) => {
          const Pouch = window.PouchDB!
          const local = new Pouch(`bench-local-${r}`)
          for (let i = 0; i < docs.length; i += 1000) await local.bulkDocs(docs.slice(i, i + 1000))
          const t0 = performance.now()
          const out = await Pouch.replicate(local, `${location.origin}/db/${remote}`, { batch_size: batch, batches_limit: 10 })
          const ms = performance.now() - t0
          await local.destroy()
          return { ms, ok: out.ok, written: out.docs_written, failures: out.doc_write_failures }
        },
        { docs, r, batch: POUCH_BATCH, remote: REMOTE },
      ),
      240_000,
      'PouchDB replication',
    )
    if (!res.ok || res.written !== records.length) throw new Error(`PouchDB wrote ${res.written} of ${records.length} (${res.failures} failures)`)
    rates.push(records.length / (res.ms / 1000))
    log(`  PouchDB run ${r + 1}: ${(res.ms / 1000).toFixed(2)} s`)
  }
  return { pouch: { value: median(rates), runs: rates, detail: `PouchDB 9.0.0 (IndexedDB) → express-pouchdb 4.2.0 (LevelDB), batches of ${POUCH_BATCH} as ours, into a database of ${filled.toLocaleString('en')}+ records as ours` } }
}
