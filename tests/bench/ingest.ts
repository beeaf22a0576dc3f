/**
 * Server ingest: autocannon posting batches of 100 new visits at 100
 * connections, as 100 building leaders' phones coming back online at once,
 * against the server holding 1,000,000 records. Records/s counts what the
 * server actually appended (max seq before and after), not requests sent.
 */
import autocannon from 'autocannon'
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { DB_FILE } from '../../src/server/db'
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from '../../src/shared/index'
import type { RunningServer } from '../e2e/harness'
import type { BenchWorld, BuildingPlan } from './data'
import type { Measures } from './device'
import { Rng, seededUuidv7 } from './rng'
import { median, percentile, processMemory } from './util'

export const BATCH = 100
export const CONNECTIONS = 100

function maxSeq(dataDir: string): number {
  const db = new Database(join(dataDir, DB_FILE), { readonly: true, fileMustExist: true })
  try {
    return (db.prepare('SELECT max(seq) AS n FROM records').get() as { n: number | null }).n ?? 0
  } finally {
    db.close()
  }
}

const NOTES = ['宣传了垃圾分类新规,住户表示支持', '家中无人,门上留了联系卡', '老人身体还好,提醒按时吃药', '反映楼道灯坏了好几天']

/** Builds push bodies: each call a new batch of 100 visits by the next of the 100 leaders, in turn. */
function batchMaker(buildings: readonly BuildingPlan[], tokens: Map<string, string>, seed: string) {
  const rng = new Rng(`${seed}/ingest`)
  let turn = 0
  return () => {
    const b = buildings[turn++ % buildings.length]!
    const now = Date.now()
    const visitedAt = new Date(now - 60_000).toISOString()
    const clientTime = new Date(now).toISOString()
    const records = []
    for (let i = 0; i < BATCH; i++) {
      records.push({
        id: seededUuidv7(now, rng),
        type: 'visit',
        v: 1,
        orgPath: b.path,
        authorId: b.leader.id,
        deviceId: b.leader.deviceId,
        clientTime,
        body: { household: b.households[rng.int(b.households.length)]!, outcome: 'met', purposes: ['policy'], note: NOTES[i % NOTES.length]!, visitedAt },
      })
    }
    return { token: tokens.get(b.leader.id)!, body: JSON.stringify({ records }) }
  }
}

/** Closed loop: each of the connections sends its next batch as soon as the last is answered. */
async function cannon(url: string, seconds: number, next: ReturnType<typeof batchMaker>): Promise<autocannon.Result> {
  return autocannon({
    url: `${url}/api/v1/sync/push`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const { token, body } = next()
          return { ...req, body, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) } }
        },
      },
    ],
  })
}

/**
 * Open loop: one batch every 1000/rate ms, evenly paced (autocannon's own rate
 * limit sends each second's requests in one burst), whatever the answers do.
 */
async function paced(url: string, seconds: number, rate: number, next: ReturnType<typeof batchMaker>): Promise<{ p50: number; p99: number; failed: number }> {
  const latencies: number[] = []
  let failed = 0
  const inflight: Promise<void>[] = []
  const start = performance.now()
  const total = Math.round(seconds * rate)
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate
    const wait = due - performance.now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    const { token, body } = next()
    const t0 = performance.now()
    inflight.push(
      fetch(`${url}/api/v1/sync/push`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) }, body })
        .then(async (res) => {
          await res.arrayBuffer()
          if (res.ok) latencies.push(performance.now() - t0)
          else failed++
        })
        .catch(() => void failed++),
    )
  }
  await Promise.all(inflight)
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), failed }
}

export async function ingestFigure(server: RunningServer, world: BenchWorld, tokens: Map<string, string>, runs: number, seconds: number, log: (s: string) => void): Promise<Measures> {
  for (const b of world.ingestBuildings) if (!tokens.has(b.leader.id)) throw new Error(`no session for ${b.leader.phone}`)
  const next = batchMaker(world.ingestBuildings, tokens, world.seed)
  const rssIdle = processMemory(server.proc.pid!)
  // warm-up: JIT, page cache, SQLite's cache of the indexes
  await cannon(server.url, 3, next)
  const rates: number[] = []
  const p99s: number[] = []
  const p50s: number[] = []
  const details: string[] = []
  for (let r = 0; r < runs; r++) {
    const before = maxSeq(server.dataDir)
    const t0 = performance.now()
    const res = await cannon(server.url, seconds, next)
    const elapsed = (performance.now() - t0) / 1000
    const appended = maxSeq(server.dataDir) - before
    if (res.non2xx || res.errors || res.timeouts) details.push(`run ${r + 1}: ${res.non2xx} non-2xx, ${res.errors} errors, ${res.timeouts} timeouts`)
    if (appended === 0) throw new Error(`nothing appended (${res['2xx']} 2xx, ${res.non2xx} non-2xx, ${res.errors} errors)`)
    rates.push(appended / elapsed)
    p99s.push(res.latency.p99)
    p50s.push(res.latency.p50)
    log(`  ingest run ${r + 1}: ${Math.round(appended / elapsed)} records/s, p50 ${res.latency.p50} ms, p99 ${res.latency.p99} ms, ${res.requests.average} req/s`)
  }
  // the same 100 connections offered exactly the goal's rate (10,000 records/s): latency when not saturated
  const open = await paced(server.url, seconds, 10_000 / BATCH, next)
  log(`  ingest at 10,000 records/s offered: p50 ${Math.round(open.p50)} ms, p99 ${Math.round(open.p99)} ms`)
  const mem = processMemory(server.proc.pid!)
  const records = maxSeq(server.dataDir)
  const out: Measures = {
    ingest: { value: median(rates), runs: rates, detail: `${CONNECTIONS} connections × batches of ${BATCH}, ${seconds} s a run, after a 3 s warm-up${details.length ? '; ' + details.join('; ') : ''}` },
    ingestP99: { value: median(p99s), runs: p99s, detail: `autocannon latency per batch request at ${CONNECTIONS} connections flat out (p50 of the runs ${median(p50s)} ms)` },
    ingestP99Open: { value: open.p99, detail: `open loop: ${10_000 / BATCH} batches/s evenly paced for ${seconds} s; p50 ${Math.round(open.p50)} ms, ${open.failed} failed` },
  }
  out.rss = mem
    ? { value: mem.rssMiB, detail: `after ingest, ${records.toLocaleString('en')} records; peak ${Math.round(mem.peakMiB)} MiB; ${rssIdle ? Math.round(rssIdle.rssMiB) : '?'} MiB before ingest (1M records, after the device figures)` }
    : { error: 'no /proc on this system' }
  return out
}
