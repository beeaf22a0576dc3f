/**
 * The PostgreSQL rows of `npm run bench` (issue 12): the same 1,000,000-record
 * district copied from the cached SQLite database into a throwaway PostgreSQL 15
 * cluster (fsync on, as SQLite runs with synchronous=FULL), then
 *   - ingest with one server process and with two (100 connections in all, batches
 *     of 100 new visits, like the SQLite ingest row), records/s from max(seq);
 *   - p99 at 10,000 records/s offered, evenly paced, spread over the two processes;
 *   - pull of the pull user's records into an empty device in Chromium (the same
 *     code as the SQLite pull row) from a PostgreSQL-backed server.
 */
import autocannon from 'autocannon'
import Database from 'better-sqlite3'
import { startCluster } from '../../scripts/pg-cluster.mjs'
import { join } from 'node:path'
import { hashToken, newToken } from '../../src/server/auth'
import { openPostgres, type Pool } from '../../src/server/postgres/db'
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from '../../src/shared/index'
import { startServer, tempDir, type RunningServer } from '../e2e/harness'
import type { BenchUser, BenchWorld, BuildingPlan } from './data'
import { pullSaveHeap, type DeviceEnv, type Measures } from './device'
import { Rng, seededUuidv7 } from './rng'
import type { CachedDb } from './serverdb'
import { drain, GOAL_P99_MS, OFFERED, p99Text, paced, sustainable, sweepMeasure, type PacedRun } from './ingest'
import { median, type Scope } from './util'
import { canReadCpu, postgresMs, processesMs, selfMs } from './cpu'

const BATCH = 100
const CONNECTIONS = 100
const CHUNK = 5000
const NOTES = ['宣传了垃圾分类新规,住户表示支持', '家中无人,门上留了联系卡', '老人身体还好,提醒按时吃药', '反映楼道灯坏了好几天']

/** Copies org, users and records (seq kept) from the cached SQLite file into PostgreSQL. */
async function load(pool: Pool, cached: CachedDb, log: (s: string) => void): Promise<void> {
  const t0 = performance.now()
  const src = new Database(cached.file, { readonly: true, fileMustExist: true })
  try {
    const nodes = src.prepare('SELECT path, kind, name, parent, layout, place, usual_time FROM org_nodes').all() as Record<string, string | null>[]
    await pool.query(
      `INSERT INTO org_nodes (path, kind, name, parent, layout, place, usual_time)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`,
      ['path', 'kind', 'name', 'parent', 'layout', 'place', 'usual_time'].map((k) => nodes.map((n) => n[k])),
    )
    const users = src.prepare('SELECT id, phone, name, role, scopes, password_hash FROM users').all() as Record<string, string>[]
    await pool.query(
      `INSERT INTO users (id, phone, name, role, scopes, password_hash) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])`,
      ['id', 'phone', 'name', 'role', 'scopes', 'password_hash'].map((k) => users.map((u) => u[k])),
    )
    const scopes = users.flatMap((u) => (JSON.parse(u.scopes!) as string[]).map((s) => [u.id!, s]))
    await pool.query('INSERT INTO user_scopes (user_id, scope) SELECT * FROM unnest($1::text[], $2::text[])', [scopes.map((s) => s[0]), scopes.map((s) => s[1])])
    const cols = ['seq', 'id', 'type', 'v', 'org_path', 'author_id', 'device_id', 'client_time', 'body', 'content_hash', 'server_time', 'target_id']
    const types = ['bigint', 'text', 'text', 'int', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text']
    const insert = `INSERT INTO records (${cols.join(', ')}) SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`
    let chunk: Record<string, unknown>[] = []
    const flush = async () => {
      if (!chunk.length) return
      await pool.query(insert, cols.map((c) => chunk.map((r) => r[c])))
      chunk = []
    }
    for (const row of src.prepare(`SELECT ${cols.join(', ')} FROM records ORDER BY seq`).iterate() as IterableIterator<Record<string, unknown>>) {
      chunk.push(row)
      if (chunk.length === CHUNK) await flush()
    }
    await flush()
    await pool.query("SELECT setval(pg_get_serial_sequence('records', 'seq'), (SELECT max(seq) FROM records))")
    await pool.query('VACUUM ANALYZE')
  } finally {
    src.close()
  }
  log(`  postgres: copied ${cached.records.toLocaleString('en')} records in ${((performance.now() - t0) / 1000).toFixed(0)} s`)
}

async function sessions(pool: Pool, users: readonly BenchUser[]): Promise<Map<string, string>> {
  const tokens = new Map<string, string>()
  const now = Date.now()
  for (const u of users) {
    const token = newToken()
    await pool.query('INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)', [hashToken(token), u.id, now])
    tokens.set(u.id, token)
  }
  return tokens
}

function batchMaker(buildings: readonly BuildingPlan[], tokens: Map<string, string>, seed: string) {
  const rng = new Rng(`${seed}/ingest-pg`)
  let turn = 0
  return () => {
    const b = buildings[turn++ % buildings.length]!
    const now = Date.now()
    const records = Array.from({ length: BATCH }, (_, i) => ({
      id: seededUuidv7(now, rng),
      type: 'visit',
      v: 1,
      orgPath: b.path,
      authorId: b.leader.id,
      deviceId: b.leader.deviceId,
      clientTime: new Date(now).toISOString(),
      body: { household: b.households[rng.int(b.households.length)]!, outcome: 'met', purposes: ['policy'], note: NOTES[i % NOTES.length]!, visitedAt: new Date(now - 60_000).toISOString() },
    }))
    return { token: tokens.get(b.leader.id)!, body: JSON.stringify({ records }) }
  }
}

const headers = (token: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${token}`, [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) })

function cannon(url: string, connections: number, seconds: number, next: ReturnType<typeof batchMaker>): Promise<autocannon.Result> {
  return autocannon({
    url: `${url}/api/v1/sync/push`,
    method: 'POST',
    connections,
    duration: seconds,
    timeout: 30,
    requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, ...(({ token, body }) => ({ body, headers: headers(token) }))(next()) }) }],
  })
}

const highestSeqOf = (pool: Pool) => async () => Number((await pool.query<{ n: number | null }>('SELECT max(seq) AS n FROM records')).rows[0]!.n ?? 0)

/** Waits for the servers to work off what they were still given (./ingest.ts `drain`), saying so when it took a while. */
async function drained(pool: Pool, servers: readonly RunningServer[], next: ReturnType<typeof batchMaker>, log: (s: string) => void): Promise<number> {
  const ms = await drain(highestSeqOf(pool), servers.map((s) => s.url), next)
  if (ms > 1500) log(`    (waited ${(ms / 1000).toFixed(1)} s for the servers to work off the backlog)`)
  return ms
}

/** Ingest flat out through `servers` (the connections split between them): records/s and p99 per run. */
async function ingest(pool: Pool, servers: RunningServer[], runs: number, seconds: number, next: ReturnType<typeof batchMaker>, clusterData: string, log: (s: string) => void) {
  const maxSeq = highestSeqOf(pool)
  const each = CONNECTIONS / servers.length
  await Promise.all(servers.map((s) => cannon(s.url, each, 3, next))) // warm-up
  const rates: number[] = []
  const p99s: number[] = []
  // CPU of the app's processes, PostgreSQL's and the load generator's (this process) over the runs (./cpu.ts)
  const cpu = { app: 0, database: 0, client: 0, wallMs: 0, records: 0 }
  const pids = servers.map((s) => s.proc.pid!)
  for (let r = 0; r < runs; r++) {
    await drained(pool, servers, next, log)
    const before = await maxSeq()
    const [app0, db0, client0] = [processesMs(pids), postgresMs(clusterData), selfMs()]
    const t0 = performance.now()
    const res = await Promise.all(servers.map((s) => cannon(s.url, each, seconds, next)))
    const elapsed = (performance.now() - t0) / 1000
    const appended = (await maxSeq()) - before
    cpu.app += processesMs(pids) - app0
    cpu.database += postgresMs(clusterData) - db0
    cpu.client += selfMs() - client0
    cpu.wallMs += elapsed * 1000
    cpu.records += appended
    const bad = res.reduce((n, x) => n + x.non2xx + x.errors + x.timeouts, 0)
    if (appended === 0) throw new Error(`nothing appended (${bad} failed requests)`)
    rates.push(appended / elapsed)
    p99s.push(Math.max(...res.map((x) => x.latency.p99)))
    log(`  postgres, ${servers.length} process(es), run ${r + 1}: ${Math.round(appended / elapsed)} records/s, p99 ${p99s[r]} ms${bad ? `, ${bad} failed` : ''}`)
  }
  return { rates, p99s, cpu }
}

/** CPU per 1,000 records of a flat-out ingest, and how many cores each side kept busy. */
function cpuText(cpu: { app: number; database: number; client: number; wallMs: number; records: number }): string {
  const per = (ms: number) => ((ms / cpu.records) * 1000).toFixed(0)
  const cores = (ms: number) => (ms / cpu.wallMs).toFixed(2)
  return `CPU ms per 1,000 records flat out: the app's processes ${per(cpu.app)} (${cores(cpu.app)} cores busy), PostgreSQL ${per(cpu.database)} (${cores(cpu.database)} cores), the load generator ${per(cpu.client)} (${cores(cpu.client)} cores), from /proc`
}

export interface PostgresBenchInput {
  world: BenchWorld
  cached: CachedDb
  dist: string
  runs: number
  seconds: number
  /** SQLite's ingest figure of the same run, records/s, for the ratio */
  sqliteIngest: number | undefined
  /** a device environment for the Chromium pull against `server`, or null without a browser */
  deviceEnv: ((server: RunningServer, tokens: Map<string, string>) => Promise<DeviceEnv>) | null
  log: (s: string) => void
}

/** Measures the PostgreSQL rows; every cluster and process it starts is stopped in `scope`. */
export async function postgresFigures(input: PostgresBenchInput, scope: Scope): Promise<Measures> {
  const { world, cached, runs, seconds, log } = input
  const out: Measures = {}
  const cluster = startCluster({ durable: true })
  scope.defer(() => cluster.stop())
  const pool = await openPostgres(cluster.url, { poolSize: 4 })
  scope.defer(() => pool.end())
  await load(pool, cached, log)
  const tokens = await sessions(pool, [world.pullUser, world.big.leader, world.pushBuilding.leader, ...world.ingestBuildings.map((b) => b.leader)])
  const env = { DATABASE_URL: cluster.url, DATABASE_POOL: '10' }
  const start = async () => {
    const s = await startServer({ dataDir: tempDir('bench-pg'), distDir: input.dist, env, startTimeoutMs: 120_000 })
    scope.defer(() => s.stop())
    return s
  }
  const a = await start()

  if (input.deviceEnv) {
    const pull = await pullSaveHeap(await input.deviceEnv(a, tokens), scope)
    out.pgPull = { ...pull.pull, detail: `${cached.counts.pullScope.toLocaleString('en')} records of ${cached.records.toLocaleString('en')}, the same Chromium pull as the SQLite row, server on PostgreSQL` }
  } else out.pgPull = { error: 'no Chromium' }

  const next = batchMaker(world.ingestBuildings, tokens, world.seed)
  const clusterData = join(cluster.dir, 'data')
  const one = await ingest(pool, [a], runs, seconds, next, clusterData, log)
  out.pgIngest1 = { value: median(one.rates), runs: one.rates, detail: `${CONNECTIONS} connections × batches of ${BATCH}, ${seconds} s a run; p99 ${median(one.p99s)} ms flat out` }
  const b = await start()
  const two = await ingest(pool, [a, b], runs, seconds, next, clusterData, log)
  out.pgIngest2 = { value: median(two.rates), runs: two.rates, detail: `${CONNECTIONS / 2} connections to each of 2 processes; p99 ${median(two.p99s)} ms flat out` }
  out.pgCpu = canReadCpu()
    ? { value: ((two.cpu.app + two.cpu.database) / two.cpu.records) * 1000, detail: `2 processes: ${cpuText(two.cpu)}; 1 process: ${cpuText(one.cpu)}` }
    : { error: 'no /proc on this system' }
  out.pgRatio =
    input.sqliteIngest !== undefined
      ? { value: median(two.rates) / input.sqliteIngest, detail: `${Math.round(median(two.rates))} ÷ ${Math.round(input.sqliteIngest)} records/s (SQLite, one process, same run)` }
      : { error: 'no SQLite ingest figure in this run (add the ingest step)' }
  // the same open loop as the SQLite row (./ingest.ts): latency from each batch's scheduled send, every failure counted
  const urls = [a.url, b.url]
  const open: PacedRun[] = []
  for (let r = 0; r < runs; r++) {
    await drained(pool, [a, b], next, log)
    const res = await paced((i) => urls[i % urls.length]!, seconds, OFFERED / BATCH, next)
    open.push(res)
    log(`  postgres, 2 processes, ${OFFERED.toLocaleString('en')} records/s offered, run ${r + 1}: p50 ${Math.round(res.p50)} ms, p99 ${p99Text(res)}, ${res.failed} of ${res.sent} failed${res.causes.length ? ` (${res.causes.join(', ')})` : ''}`)
  }
  // the goal's rate missed: how much two processes on this machine do sustain within the goal
  const sweep =
    median(open.map((o) => o.p99)) > GOAL_P99_MS || open.some((o) => o.failed)
      ? await sustainable((rate) => paced((i) => urls[i % urls.length]!, seconds, rate / BATCH, next), () => drained(pool, [a, b], next, log), GOAL_P99_MS, log)
      : null
  out.pgSustained = sweep ? sweepMeasure(sweep, GOAL_P99_MS, 'PostgreSQL, 2 processes') : { value: OFFERED, detail: `the goal's ${OFFERED.toLocaleString('en')} records/s held (no sweep needed)` }
  const failures = open.map((o) => o.failed)
  out.pgP99Open = {
    value: median(open.map((o) => o.p99)),
    runs: open.map((o) => o.p99),
    detail: `open loop: ${OFFERED / BATCH} batches of ${BATCH}/s evenly paced over 2 processes for ${seconds} s a run after a drain, latency from each batch's scheduled send, a failed batch counted as slower than any (capped at the 30 s timeout); p99 of the answered alone ${open.map((o) => (Number.isNaN(o.p99Answered) ? 'none' : `${Math.round(o.p99Answered)} ms`)).join(', ')}; p50 ${Math.round(median(open.map((o) => o.p50)))} ms, worst ${Math.round(Math.max(...open.map((o) => o.max)))} ms`,
  }
  out.pgIngestFailed = {
    value: failures.reduce((x, y) => x + y, 0),
    runs: failures,
    detail: `failed batches of ${open.map((o) => o.sent).join(' + ')} sent at ${OFFERED.toLocaleString('en')} records/s over 2 processes (non-2xx, network error or no answer in 30 s)${open.flatMap((o) => o.causes).length ? `: ${[...new Set(open.flatMap((o) => o.causes))].join(', ')}` : ''}`,
  }
  const records = Number((await pool.query<{ n: number }>('SELECT count(*) AS n FROM records')).rows[0]!.n)
  out.pgIngest1.detail += `; ${records.toLocaleString('en')} records at the end`
  return out
}
