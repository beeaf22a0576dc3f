/**
 * `npm run bench`: every figure of issues 8 and 17 in one run, printed as one table
 * (figure | value | goal | met) and written to tests/bench/results/latest.{json,md}
 * (committed: the README's table comes from there).
 *
 *   npm run bench                       everything (≈ 5–8 min on 2 cores)
 *   npm run bench -- --only push,peer   some steps: build lighthouse pull warm big push peer ingest postgres ledger
 *   npm run bench -- --runs 5           runs per timed figure (default 3)
 *   npm run bench -- --records 200000   a smaller server database (default 1,000,000)
 *   npm run bench -- --skip-build       reuse .tmp/bench/dist
 *
 * A figure that cannot be measured prints `error: <why>` and the run goes on.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { Browser } from 'playwright-core'
import { findBrowser, launchBrowser, startServer, type RunningServer } from '../e2e/harness'
import { viteBuild, initialSizes, precacheSize } from './build'
import { bundleBrowserBench } from './bundle'
import { buildWorld, DEFAULT_SEED, type BenchWorld } from './data'
import { pullSaveHeap, pushFigure, pushRecords, warmStartAndGrid, type DeviceEnv, type Measured, type Measures } from './device'
import { ingestFigure } from './ingest'
import { postgresFigures } from './postgres'
import { ledgerFigure } from './ledger'
import { lighthouseOnce, type LighthouseRun } from './lighthouse'
import { bigDeviceFigures } from './phone'
import { pouchFigure } from './peer'
import { ensureServerDb, prepareRunDb, type CachedDb } from './serverdb'
import { describeMachine, errorText, median, Scope, withTimeout, type Machine } from './util'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const BENCH_DIR = join(ROOT, '.tmp/bench')
/** committed, so the README's table traces to a run: its commit, machine, load and date */
const RESULTS_DIR = join(ROOT, 'tests/bench/results')
const BUDGET_MS = 30 * 60 * 1000

// ---------------------------------------------------------------- rows

type Unit = 'kB' | 'score' | 'ms' | 's' | 'rec/s' | 'MiB' | '×' | 'count'
type Goal = { op: '<=' | '>='; target: number } | null

interface RowSpec {
  id: string
  figure: string
  unit: Unit
  goal: Goal
}

export interface Row extends RowSpec {
  value: number | null
  display: string
  goalText: string
  met: boolean | null
  runs?: number[]
  detail?: string
  error?: string
}

const le = (target: number): Goal => ({ op: '<=', target })
const ge = (target: number): Goal => ({ op: '>=', target })

/** Issue 12: the same server on PostgreSQL 15 (tests/bench/postgres.ts). */
const POSTGRES_ROWS: RowSpec[] = [
  { id: 'pgIngest1', figure: 'PostgreSQL ingest, 1 process, at 1M', unit: 'rec/s', goal: null },
  { id: 'pgIngest2', figure: 'PostgreSQL ingest, 2 processes', unit: 'rec/s', goal: null },
  { id: 'pgRatio', figure: '  2 processes on PostgreSQL ÷ 1 on SQLite', unit: '×', goal: ge(1.5) },
  { id: 'pgP99Open', figure: '  PostgreSQL p99 at 10,000 rec/s offered', unit: 'ms', goal: le(100) },
  { id: 'pgIngestFailed', figure: '  PostgreSQL at 10,000 rec/s offered, failed', unit: 'count', goal: le(0) },
  { id: 'pgSustained', figure: '  (extra) PostgreSQL, 2 processes: highest rate with p99 ≤ 100 ms', unit: 'rec/s', goal: null },
  { id: 'pgCpu', figure: '  (extra) PostgreSQL, 2 processes: CPU per 1,000 records, app + database', unit: 'ms', goal: null },
  { id: 'pgPull', figure: 'PostgreSQL pull 50,000 → empty device', unit: 's', goal: le(10) },
]

/** The issue's table, in its order; `(extra)` rows are kept for the trend and have no goal. */
const ROWS: RowSpec[] = [
  { id: 'initialJs', figure: 'initial JS, gzip', unit: 'kB', goal: le(100) },
  { id: 'initialCss', figure: 'initial CSS, gzip', unit: 'kB', goal: le(40) },
  { id: 'precache', figure: 'whole precache', unit: 'kB', goal: le(600) },
  { id: 'lhScore', figure: 'Lighthouse mobile /login: score', unit: 'score', goal: ge(0.95) },
  { id: 'lhLcp', figure: 'Lighthouse mobile /login: LCP', unit: 's', goal: le(2.0) },
  { id: 'lhTbt', figure: 'Lighthouse mobile /login: TBT', unit: 'ms', goal: le(100) },
  { id: 'coldStart', figure: 'cold start → first coloured door, 6× CPU', unit: 's', goal: le(2.5) },
  { id: 'warm', figure: 'warm offline start → first coloured door', unit: 'ms', goal: le(400) },
  { id: 'warmBig', figure: 'warm offline start, 50,000 records', unit: 'ms', goal: le(800) },
  { id: 'tapSheet', figure: 'tap a door → sheet, 6× CPU', unit: 'ms', goal: le(150) },
  { id: 'tapRecolour', figure: 'tap 无人在家 → door recoloured, 6× CPU', unit: 'ms', goal: le(150) },
  { id: 'save', figure: 'save a visit end to end, p95 (50,000 stored)', unit: 'ms', goal: le(30) },
  { id: 'grid', figure: 'grid 3×33×4 from a cold store', unit: 'ms', goal: le(200) },
  { id: 'push', figure: 'push 10,000 outbox records', unit: 'rec/s', goal: ge(5000) },
  { id: 'ratio', figure: 'push: ours ÷ PouchDB, batches of 500', unit: '×', goal: ge(3) },
  { id: 'pull', figure: 'pull 50,000 records → empty device', unit: 's', goal: le(5) },
  { id: 'ingestP99', figure: 'ingest at 10,000 rec/s offered, p99', unit: 'ms', goal: le(100) },
  { id: 'ingestFailed', figure: 'ingest at 10,000 rec/s offered, failed', unit: 'count', goal: le(0) },
  { id: 'ingest', figure: 'ingest flat out, 100 × 100 at 1M', unit: 'rec/s', goal: ge(10_000) },
  { id: 'saveWrite', figure: '  (extra) save: database write alone, p95', unit: 'ms', goal: null },
  { id: 'ingestP99Closed', figure: '  (extra) ingest flat out, p99 (closed loop)', unit: 'ms', goal: null },
  { id: 'ingestSustained', figure: '  (extra) ingest: highest rate with p99 ≤ 100 ms', unit: 'rec/s', goal: null },
  { id: 'ingestCpu', figure: '  (extra) ingest: CPU per 1,000 records, SQLite server', unit: 'ms', goal: null },
  { id: 'pouch', figure: '  (extra) PouchDB → express-pouchdb', unit: 'rec/s', goal: null },
  { id: 'heap', figure: '  (extra) JS heap, 50,000 records', unit: 'MiB', goal: null },
  { id: 'rss', figure: '  (extra) server RSS, 1M records', unit: 'MiB', goal: null },
  { id: 'ledgerStreet', figure: 'ledger: a street, one month (1M)', unit: 'ms', goal: le(1000) },
  { id: 'ledgerDistrict', figure: 'ledger: the district, one month (1M)', unit: 'ms', goal: le(3000) },
  ...POSTGRES_ROWS,
]

function fmt(v: number, unit: Unit): string {
  switch (unit) {
    case 'kB':
      return `${v.toFixed(1)} kB`
    case 'score':
      return v.toFixed(2)
    case 's':
      return `${v.toFixed(2)} s`
    case 'ms':
      return `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`
    case 'rec/s':
      return `${Math.round(v).toLocaleString('en')}/s`
    case 'MiB':
      return `${Math.round(v)} MiB`
    case '×':
      return `${v.toFixed(2)}×`
    case 'count':
      return String(Math.round(v))
  }
}

function goalText(spec: RowSpec): string {
  if (!spec.goal) return 'report'
  return `${spec.goal.op === '<=' ? '≤' : '≥'} ${fmt(spec.goal.target, spec.unit)}`
}

function toRow(spec: RowSpec, m: Measured | undefined, fallbackError?: string): Row {
  const base = { ...spec, goalText: goalText(spec) }
  const error = m?.error ?? (m?.value === undefined || Number.isNaN(m.value) ? (fallbackError ?? 'not measured') : undefined)
  if (error !== undefined || m?.value === undefined) return { ...base, value: null, display: `error: ${error}`, met: null, error, ...(m?.detail ? { detail: m.detail } : {}) }
  const v = m.value
  const met = spec.goal ? (spec.goal.op === '<=' ? v <= spec.goal.target : v >= spec.goal.target) : null
  return { ...base, value: v, display: fmt(v, spec.unit), met, ...(m.runs ? { runs: m.runs.map((x) => Math.round(x * 1000) / 1000) } : {}), ...(m.detail ? { detail: m.detail } : {}) }
}

/** Terminal width of a string: CJK characters take two columns. */
function width(s: string): number {
  let w = 0
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1
  return w
}

const mark = (r: Row) => (r.met === null ? (r.error ? '–' : 'report') : r.met ? '✓' : '✗')

export function formatTable(rows: Row[]): string {
  const cells = [['figure', 'value', 'goal', 'met'], ...rows.map((r) => [r.figure, r.display, r.goalText, mark(r)])]
  const cols = cells[0]!.map((_, c) => Math.max(...cells.map((row) => width(row[c]!))))
  const line = (row: string[]) => row.map((cell, c) => cell + ' '.repeat(cols[c]! - width(cell))).join(' | ')
  return [line(cells[0]!), cols.map((w) => '-'.repeat(w)).join('-|-'), ...cells.slice(1).map(line)].join('\n')
}

/** One `npm run bench` as the committed results name it: what ran, where, when, on which commit. */
interface RunInfo {
  run: number
  date: string
  commit: string
  machine: Machine
  loadAtEnd: number
  options: { runs: number; records: number; seed: string; only: string[] | null }
  data: { records: number; pullScope: number; bigBuilding: number; generatedS: number } | null
  durationS: number
}

type RunRow = Row & { run: number }

interface Results {
  runs: RunInfo[]
  rows: RunRow[]
}

/**
 * The committed results after this run: its rows replace the same figures of
 * earlier runs, the rest stay with the run that measured them (so a run of
 * some steps does not wipe the others, and every row still names its run).
 * A run of every step leaves only itself.
 */
export function mergeResults(previous: Results | null, info: Omit<RunInfo, 'run'>, rows: Row[]): Results {
  const measured = new Set(rows.map((r) => r.id))
  const kept = (previous?.rows ?? []).filter((r) => !measured.has(r.id) && ROWS.some((spec) => spec.id === r.id))
  const run = Math.max(0, ...(previous?.runs ?? []).map((r) => r.run)) + 1
  const all = [...kept, ...rows.map((r) => ({ ...r, run }))]
  all.sort((a, b) => ROWS.findIndex((spec) => spec.id === a.id) - ROWS.findIndex((spec) => spec.id === b.id))
  const used = new Set(all.map((r) => r.run))
  return { runs: [...(previous?.runs ?? []).filter((r) => used.has(r.run)), { ...info, run }], rows: all }
}

function readResults(file: string): Results | null {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as Partial<Results>
    return Array.isArray(r.runs) && Array.isArray(r.rows) ? (r as Results) : null
  } catch {
    return null
  }
}

/** The committed record as Markdown: the runs (commit, machine, load, date), then the table with each row's run. */
function resultsMarkdown(results: Results): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|')
  return [
    '# `npm run bench`: the latest figures',
    '',
    'Written by `npm run bench` (tests/bench/main.ts); each row names the run that measured it.',
    '',
    ...results.runs.map((r) => {
      const m = r.machine
      return `- run ${r.run}: ${r.date}, commit ${r.commit}; ${m.nproc} × ${m.cpu}, ${m.ramGiB} GiB, ${m.os}, Node ${m.node}, ${m.chromium}; load average (1 min) ${m.loadAtStart} at start, ${r.loadAtEnd} at end; steps: ${r.options.only ? r.options.only.join(', ') : 'all'}; ${r.options.runs} runs per timed figure (medians); server database ${r.options.records.toLocaleString('en')} records; ${r.durationS} s`
    }),
    '',
    '| figure | value | goal | met | run |',
    '|---|---|---|---|---|',
    ...results.rows.map((r) => `| ${esc(r.figure.trim())} | ${esc(r.display)} | ${esc(r.goalText)} | ${mark(r)} | ${r.run} |`),
    '',
    ...results.rows.filter((row) => row.detail).map((row) => `- ${row.figure.trim()}: ${row.detail}`),
    '',
  ].join('\n')
}

// ---------------------------------------------------------------- the run

interface Options {
  only: Set<string> | null
  runs: number
  records: number
  skipBuild: boolean
  seed: string
}

const STEPS = ['build', 'lighthouse', 'pull', 'warm', 'big', 'push', 'peer', 'ingest', 'postgres', 'ledger'] as const
type StepName = (typeof STEPS)[number]

function options(): Options {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      runs: { type: 'string' },
      records: { type: 'string' },
      'skip-build': { type: 'boolean' },
      seed: { type: 'string' },
    },
  })
  const only = values.only ? new Set(values.only.split(',').map((s) => s.trim())) : null
  for (const s of only ?? []) if (!(STEPS as readonly string[]).includes(s)) throw new Error(`unknown step ${s}; steps: ${STEPS.join(', ')}`)
  const runs = Number(values.runs ?? 3)
  const records = Number(values.records ?? 1_000_000)
  if (!Number.isInteger(runs) || runs < 1 || runs > 20) throw new Error('--runs must be 1–20')
  if (!Number.isInteger(records) || records < 20_000) throw new Error('--records must be an integer ≥ 20000')
  return { only, runs, records, skipBuild: values['skip-build'] ?? false, seed: values.seed ?? DEFAULT_SEED }
}

function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'index.html', 'vite.config.ts', 'package.json'], { cwd: ROOT, encoding: 'utf8' }).trim()
    return dirty ? `${sha} + uncommitted changes in src/` : sha
  } catch {
    return 'unknown'
  }
}

async function main(): Promise<void> {
  const opts = options()
  const started = performance.now()
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s`
  const log = (s: string) => process.stderr.write(`[bench ${elapsed()}] ${s}\n`)
  const wanted = (s: StepName) => !opts.only || opts.only.has(s)
  const measures: Measures = {}
  const rowsOf: Record<StepName, string[]> = {
    build: ['initialJs', 'initialCss', 'precache'],
    lighthouse: ['lhScore', 'lhLcp', 'lhTbt'],
    pull: ['pull', 'saveWrite', 'heap'],
    warm: ['warm', 'grid', 'coldStart', 'tapSheet', 'tapRecolour'],
    big: ['warmBig', 'save'],
    push: ['push'],
    peer: ['pouch', 'ratio'],
    ingest: ['ingest', 'ingestP99', 'ingestFailed', 'ingestP99Closed', 'ingestSustained', 'ingestCpu', 'rss'],
    postgres: POSTGRES_ROWS.map((r) => r.id),
    ledger: ['ledgerStreet', 'ledgerDistrict'],
  }
  const fail = (step: StepName, err: unknown) => {
    const msg = errorText(err)
    log(`${step}: error: ${msg}`)
    for (const id of rowsOf[step]) if (measures[id]?.value === undefined) measures[id] = { ...measures[id], error: msg }
  }

  let chromePath: string | null = null
  try {
    chromePath = findBrowser()
  } catch (err) {
    log(errorText(err))
  }
  const machine: Machine = describeMachine(chromePath)
  log(`${machine.nproc} × ${machine.cpu}, ${machine.ramGiB} GiB, Node ${machine.node}, ${machine.chromium}; load ${machine.loadAtStart}`)
  mkdirSync(BENCH_DIR, { recursive: true })

  const shared = new Scope()
  const dist = join(BENCH_DIR, 'dist')
  const world: BenchWorld = buildWorld(opts.seed)
  let cached: CachedDb | null = null
  let server: RunningServer | null = null
  let browser: Browser | null = null
  let bundle: string | null = null
  let tokens = new Map<string, string>()
  let setupError: string | null = null
  const pushSets = new Map<number, ReturnType<typeof pushRecords>>()

  /** Runs one step within its own deadline and the run's budget; its rows get its error if it throws. */
  const step = async (name: StepName, timeoutMs: number, fn: (scope: Scope) => Promise<void>) => {
    if (!wanted(name)) return
    if (performance.now() - started > BUDGET_MS) return fail(name, new Error('skipped: the 30-minute budget of the run is spent'))
    log(`${name} …`)
    const scope = new Scope()
    try {
      await withTimeout(fn(scope), timeoutMs, name)
    } catch (err) {
      fail(name, err)
    } finally {
      await scope.close()
    }
  }

  try {
    // build: sizes come from it, and the server serves it
    await step('build', 240_000, async () => {
      if (!opts.skipBuild) log(`  vite build → .tmp/bench/dist in ${((await viteBuild(dist, 180_000)) / 1000).toFixed(1)} s`)
      const init = initialSizes(dist)
      measures.initialJs = { value: init.jsGzipKB, detail: `${init.jsFiles.length} files named by index.html (entry + modulepreload), gzip -9` }
      measures.initialCss = { value: init.cssGzipKB, detail: `${init.cssFiles.length} stylesheets named by index.html, gzip -9` }
      const pc = precacheSize(dist)
      measures.precache = { value: pc.kB, detail: `${pc.entries} entries, uncompressed; largest ${pc.largest.map((l) => `${l.url} ${l.kB.toFixed(0)} kB`).join(', ')}` }
    })

    const needsServer = STEPS.filter((s) => s !== 'build').some(wanted)
    if (needsServer) {
      try {
        if (opts.skipBuild || !wanted('build')) {
          // the server needs a build even when the sizes are not wanted
          const { existsSync } = await import('node:fs')
          if (!existsSync(join(dist, 'index.html'))) log(`  vite build → .tmp/bench/dist in ${((await viteBuild(dist, 180_000)) / 1000).toFixed(1)} s`)
        }
        cached = await withTimeout(ensureServerDb(world, opts.records, join(BENCH_DIR, 'cache'), log), 900_000, 'generating the server database')
        const dataDir = join(BENCH_DIR, 'run', 'data')
        const needTokens = [world.pullUser, world.big.leader, world.pushBuilding.leader, ...world.ingestBuildings.map((b) => b.leader)]
        tokens = prepareRunDb(cached, dataDir, needTokens)
        // a million-record file: PRAGMA quick_check at start takes a while on a loaded machine
        server = await startServer({ dataDir, distDir: dist, startTimeoutMs: 180_000 })
        shared.defer(() => server?.stop())
        log(`  server on ${server.url} with ${cached.records.toLocaleString('en')} records (pid ${server.proc.pid})`)
      } catch (err) {
        setupError = `setup: ${errorText(err)}`
        log(setupError)
      }
    }

    await step('lighthouse', 300_000, async () => {
      if (setupError || !server) throw new Error(setupError ?? 'no server')
      if (!chromePath) throw new Error('no Chromium')
      const runs: LighthouseRun[] = []
      for (let r = 0; r < opts.runs; r++) {
        const res = await lighthouseOnce(chromePath, `${server.url}/login`)
        log(`  lighthouse run ${r + 1}: ${res.score.toFixed(2)}, LCP ${Math.round(res.lcpMs)} ms, TBT ${Math.round(res.tbtMs)} ms`)
        runs.push(res)
      }
      const idx = median(runs.map((r) => r.benchmarkIndex))
      const opp = runs[runs.length - 1]!.opportunities
      const detail = `Lighthouse 12.2.3 mobile preset on /login, ${runs.length} runs; benchmarkIndex ${Math.round(idx)}${opp.length ? `; opportunities: ${opp.join(', ')}` : ''}`
      measures.lhScore = { value: median(runs.map((r) => r.score)), runs: runs.map((r) => r.score), detail }
      measures.lhLcp = { value: median(runs.map((r) => r.lcpMs)) / 1000, runs: runs.map((r) => r.lcpMs / 1000), detail: `FCP ${(median(runs.map((r) => r.fcpMs)) / 1000).toFixed(2)} s` }
      measures.lhTbt = { value: median(runs.map((r) => r.tbtMs)), runs: runs.map((r) => r.tbtMs) }
    })

    const deviceEnv = async (): Promise<DeviceEnv> => {
      if (setupError || !server || !cached) throw new Error(setupError ?? 'no server')
      if (!browser) {
        browser = await launchBrowser()
        shared.defer(() => browser?.close())
      }
      bundle ??= await bundleBrowserBench()
      return { browser, server, bundle, world, cached, tokens, runs: opts.runs, log }
    }
    const setsFor = (env: DeviceEnv) => {
      const now = Date.now()
      for (let r = 0; r < opts.runs; r++) if (!pushSets.has(r)) pushSets.set(r, pushRecords(env, r, now))
      return [...pushSets.values()]
    }

    await step('pull', 360_000, async (scope) => void Object.assign(measures, await pullSaveHeap(await deviceEnv(), scope)))
    await step('warm', 300_000, async (scope) => void Object.assign(measures, await warmStartAndGrid(await deviceEnv(), scope)))
    await step('big', 420_000, async (scope) => void Object.assign(measures, await bigDeviceFigures(await deviceEnv(), scope)))
    await step('push', 240_000, async (scope) => {
      const env = await deviceEnv()
      Object.assign(measures, await pushFigure(env, scope, setsFor(env)))
    })
    // filling the peer's database to our server's size takes its time: ≈ 1 s per 5,000 records here
    await step('peer', 360_000 + opts.records / 5, async (scope) => {
      const env = await deviceEnv()
      const res = await pouchFigure(env.browser, scope, setsFor(env), env.world, env.cached.records, log)
      Object.assign(measures, res)
      const ours = measures.push?.value
      const theirs = res.pouch.value
      if (ours === undefined) throw new Error(`no push figure to compare with${measures.push?.error ? ` (${measures.push.error})` : ''}`)
      measures.ratio = { value: ours / theirs!, detail: `${Math.round(ours)} ÷ ${Math.round(theirs!)} records/s, same records, same Chromium, same run` }
    })
    // the drains between runs and the rate sweep when the goal's rate is missed take their time
    await step('ingest', 420_000, async () => {
      if (setupError || !server) throw new Error(setupError ?? 'no server')
      Object.assign(measures, await ingestFigure(server, world, tokens, opts.runs, 10, log))
    })
    await step('postgres', 900_000, async (scope) => {
      if (setupError || !cached) throw new Error(setupError ?? 'no server database')
      const pgDevice = chromePath ? async (s: RunningServer, t: Map<string, string>) => ({ ...(await deviceEnv()), server: s, tokens: t }) : null
      Object.assign(measures, await postgresFigures({ world, cached, dist, runs: opts.runs, seconds: 10, sqliteIngest: measures.ingest?.value, deviceEnv: pgDevice, log }, scope))
    })
    await step('ledger', 420_000, async () => {
      if (setupError || !server) throw new Error(setupError ?? 'no server')
      await ledgerFigure(server, world, opts.runs, log, measures)
    })
  } finally {
    await shared.close()
  }

  const rows = ROWS.filter((spec) => STEPS.some((s) => wanted(s) && (rowsOf[s] as string[]).includes(spec.id))).map((spec) =>
    toRow(spec, measures[spec.id]),
  )
  const durationS = (performance.now() - started) / 1000
  const info: Omit<RunInfo, 'run'> = {
    date: new Date().toISOString(),
    commit: gitCommit(),
    machine,
    loadAtEnd: describeMachine(null).loadAtStart,
    options: { runs: opts.runs, records: opts.records, seed: opts.seed, only: opts.only ? [...opts.only] : null },
    data: cached ? { records: cached.records, pullScope: cached.counts.pullScope, bigBuilding: cached.counts.big, generatedS: Math.round(cached.generatedMs / 100) / 10 } : null,
    durationS: Math.round(durationS),
  }
  mkdirSync(RESULTS_DIR, { recursive: true })
  const file = join(RESULTS_DIR, 'latest.json')
  const results = mergeResults(readResults(file), info, rows)
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n')
  writeFileSync(join(RESULTS_DIR, 'latest.md'), resultsMarkdown(results))
  const met = rows.filter((r) => r.met === true).length
  const goals = rows.filter((r) => r.goal).length
  process.stdout.write(`\n${formatTable(rows)}\n\n`)
  for (const r of rows) if (r.detail) process.stdout.write(`  ${r.figure}: ${r.detail}\n`)
  process.stdout.write(
    `\n${met}/${goals} goals met · ${machine.nproc} × ${machine.cpu}, ${machine.ramGiB} GiB, Node ${machine.node}, ${machine.chromium} · ${Math.round(durationS)} s · tests/bench/results/latest.md\n`,
  )
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench: ${errorText(err)}`)
    process.exit(1)
  },
)
