/**
 * Device-side figures in a real Chromium against the real server process:
 * pull, save, JS heap (the app's own db/sync code through the bench bundle,
 * then the built app), warm offline start and the building grid (the built
 * app, as a building leader on a phone), push.
 */
import { writeFileSync } from 'node:fs'
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core'
import { DESKTOP, PHONE, TABLET, login, newContext, waitForServiceWorker, api, type RunningServer } from '../e2e/harness'
import type { LocalRecord, OrgNode, OrgResponse, SessionUser } from '../../src/shared/index'
import type { LoudongBench } from './browser/entry'
import { PULL_MAX_LIMIT } from '../../src/shared/protocol'
import { BENCH_PASSWORD, freshVisits, type BenchUser, type BenchWorld } from './data'
import type { CachedDb } from './serverdb'
import { coldStart, tapFigures } from './phone'
import { median, percentile, sleep, withTimeout, type Scope } from './util'

export interface DeviceEnv {
  browser: Browser
  server: RunningServer
  bundle: string
  world: BenchWorld
  cached: CachedDb
  tokens: Map<string, string>
  runs: number
  log: (s: string) => void
}

/** One measured row: a value, or why there is none. */
export interface Measured {
  value?: number
  runs?: number[]
  detail?: string
  error?: string
}

export type Measures = Record<string, Measured>

declare global {
  interface Window {
    /** set by the grid-ready init script: ms from navigation start to the coloured grid painted */
    __ldGridReady?: Promise<{ ms: number; doors: number }>
  }
}

/**
 * tsx compiles this file with esbuild's keepNames, which wraps functions in
 * `__name(fn, "name")`; Playwright sends callbacks to the page as source, so
 * every page gets a no-op `__name`.
 */
export const NAME_SHIM = 'globalThis.__name = globalThis.__name || ((f) => f)'

/** A group leader's tablet held sideways: wide enough for all three units of the tower side by side. */
const TABLET_LANDSCAPE = { width: TABLET.height, height: TABLET.width }

function tokenOf(env: DeviceEnv, u: BenchUser): string {
  const t = env.tokens.get(u.id)
  if (!t) throw new Error(`no session for ${u.phone}`)
  return t
}

function sessionUser(u: BenchUser): SessionUser {
  return { id: u.id, name: u.name, phone: u.phone, role: u.role, scopes: [...u.scopes] }
}

/**
 * A page on the server's origin (its health URL, so no app boots in it) with
 * the bench bundle loaded: the app's LoudongDB and sync code, callable as
 * `window.loudongBench`. CSP is bypassed only to inject that script.
 */
async function benchPage(env: DeviceEnv, scope: Scope, origin = env.server.url): Promise<{ context: BrowserContext; page: Page }> {
  const context = await env.browser.newContext({ bypassCSP: true, viewport: DESKTOP, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  scope.defer(() => context.close())
  await context.addInitScript({ content: NAME_SHIM })
  const page = await context.newPage()
  await page.goto(`${origin}/api/v1/health`)
  await page.addScriptTag({ content: env.bundle })
  await page.waitForFunction(() => typeof window.loudongBench === 'object')
  return { context, page }
}

const bench = <R>(page: Page, fn: (b: LoudongBench, arg: never) => Promise<R>, arg?: unknown): Promise<R> =>
  // the callback runs in the page; `arg` crosses as structured-clone JSON
  page.evaluate(([src, a]) => (new Function('b', 'a', `return (${src})(b, a)`) as (b: LoudongBench, a: unknown) => Promise<R>)(window.loudongBench, a), [fn.toString(), arg] as const) as Promise<R>

/** Waits until the heap stops growing (the app has read and folded its records), then collects garbage and reads it. */
async function settledHeap(cdp: CDPSession, maxMs: number): Promise<number> {
  const deadline = Date.now() + maxMs
  let last = 0
  let stable = 0
  await sleep(1500)
  while (Date.now() < deadline) {
    const { usedSize } = await cdp.send('Runtime.getHeapUsage')
    stable = last && Math.abs(usedSize - last) / last < 0.02 ? stable + 1 : 0
    last = usedSize
    if (stable >= 3) break
    await sleep(500)
  }
  await cdp.send('HeapProfiler.enable')
  await cdp.send('HeapProfiler.collectGarbage')
  await sleep(200)
  await cdp.send('HeapProfiler.collectGarbage')
  return (await cdp.send('Runtime.getHeapUsage')).usedSize
}

// ---------------------------------------------------------------- pull, save, heap

/**
 * Pull: 50,000 records (a community's year) into an empty device, `runs` times,
 * each in a fresh context. Then, on the last device: saving visits with those
 * 50,000 stored, and the JS heap of the built app opened on them.
 */
export async function pullSaveHeap(env: DeviceEnv, scope: Scope): Promise<Measures> {
  const out: Measures = {}
  const user = env.world.pullUser
  const token = tokenOf(env, user)
  const times: number[] = []
  const nets: number[] = []
  let page: Page | null = null
  let context: BrowserContext | null = null
  let stored = 0
  for (let r = 0; r < env.runs; r++) {
    if (context) await context.close()
    ;({ context, page } = await benchPage(env, scope))
    await bench(page, (b) => b.reset())
    // BENCH_CPU_PROFILE=/tmp/x: each run's page writes a Chromium CPU profile to /tmp/x-pull<run>.cpuprofile
    const cdp = process.env.BENCH_CPU_PROFILE ? await context.newCDPSession(page) : null
    if (cdp) await cdp.send('Profiler.enable').then(() => cdp.send('Profiler.start'))
    const res = await withTimeout(bench(page, (b, t: string) => b.pull(t), token), 120_000, 'pull')
    if (cdp) writeFileSync(`${process.env.BENCH_CPU_PROFILE}-pull${r}.cpuprofile`, JSON.stringify((await cdp.send('Profiler.stop')).profile))
    if (res.count !== env.cached.counts.pullScope) throw new Error(`pulled ${res.count} records, expected ${env.cached.counts.pullScope}`)
    times.push(res.ms)
    nets.push(res.netMs)
    stored = res.count
    env.log(`  pull run ${r + 1}: ${(res.ms / 1000).toFixed(2)} s for ${res.count} records (requests ${(res.netMs / 1000).toFixed(2)} s, overlapping the stores)`)
  }
  out.pull = { value: median(times) / 1000, runs: times.map((t) => t / 1000), detail: `${stored.toLocaleString('en')} records, pages of ${PULL_MAX_LIMIT.toLocaleString('en')} (the app's first download: src/app/sync/pull.ts FIRST_DOWNLOAD_LIMIT); requests ${(median(nets) / 1000).toFixed(2)} s of it, overlapping the stores` }
  if (!page || !context) return out

  // save a visit with 50,000 records stored
  try {
    const big = env.world.big
    const place = { orgPath: big.path, households: big.households, authorId: big.leader.id, deviceId: big.leader.deviceId }
    const res = await withTimeout(bench(page, (b, p: typeof place) => b.saveVisits(200, p, 20), place), 120_000, 'saving')
    const p95 = percentile(res.times, 95)
    out.saveWrite = { value: p95, runs: res.times, detail: `the database write alone (saveRecord: shape check, record + outbox): 200 saves with ${res.before.toLocaleString('en')} records stored; median ${median(res.times).toFixed(1)} ms, max ${Math.max(...res.times).toFixed(1)} ms` }
    await bench(page, (b, ids: string[]) => b.drop(ids), res.ids)
  } catch (err) {
    out.saveWrite = { error: err instanceof Error ? err.message : String(err) }
  }

  // JS heap of the built app opened with those 50,000 records (as the community's staff)
  try {
    const org = await api<OrgResponse>(env.server.url, '/api/v1/org', { token })
    if (org.status !== 200) throw new Error(`GET /api/v1/org: ${org.status}`)
    const nodes: OrgNode[] = org.json.nodes
    await bench(page, (b, a: { token: string; user: SessionUser; nodes: OrgNode[] }) => b.signIn({ token: a.token, user: a.user }, a.nodes), { token, user: sessionUser(user), nodes })
    const cdp = await context.newCDPSession(page)
    await page.goto(`${env.server.url}/visits`)
    await page.locator('.visits-home').waitFor({ timeout: 30_000 })
    const used = await settledHeap(cdp, 30_000)
    out.heap = { value: used / 2 ** 20, detail: `built app on 走访 as community staff, ${stored.toLocaleString('en')} records on the device, after GC` }
  } catch (err) {
    out.heap = { error: err instanceof Error ? err.message : String(err) }
  }
  return out
}

// ---------------------------------------------------------------- warm offline start, grid

/** Resolves `window.__ldGridReady` once a door coloured by a visit is on screen and a frame has been produced. */
export const GRID_READY_SCRIPT = `(() => {
  window.__ldGridReady = new Promise((resolve) => {
    const ready = () => document.querySelector('.door[data-status]:not([data-status="never"])')
    const finish = () => requestAnimationFrame(() => setTimeout(() => resolve({ ms: performance.now(), doors: document.querySelectorAll('.door').length }), 0))
    const start = () => {
      if (ready()) return finish()
      const obs = new MutationObserver(() => { if (ready()) { obs.disconnect(); finish() } })
      obs.observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] })
    }
    if (document.documentElement) start()
    else document.addEventListener('readystatechange', start, { once: true })
  })
})()`

/**
 * Reads the device database with plain IndexedDB (the app holds its own Dexie
 * connection). Before the app's first start there is no database: opening one
 * without a version would create it empty at version 1, and the app's Dexie
 * would then upgrade that instead of creating its own, so the creation is
 * aborted and the answer is "nothing yet".
 */
export async function deviceState(page: Page): Promise<{ records: number; lastSyncAt: number | null }> {
  return page.evaluate(
    () =>
      new Promise<{ records: number; lastSyncAt: number | null }>((resolve) => {
        const req = indexedDB.open('loudong')
        // only a database that does not exist yet asks for an upgrade from no version: leave it uncreated
        req.onupgradeneeded = () => req.transaction?.abort()
        req.onerror = () => resolve({ records: 0, lastSyncAt: null })
        req.onsuccess = () => {
          const idb = req.result
          if (!idb.objectStoreNames.contains('records')) {
            idb.close()
            return resolve({ records: 0, lastSyncAt: null })
          }
          const tx = idb.transaction(['records', 'meta'], 'readonly')
          const count = tx.objectStore('records').count()
          const meta = tx.objectStore('meta').get('lastSyncAt')
          tx.oncomplete = () => {
            idb.close()
            const row = meta.result as { value?: number } | undefined
            resolve({ records: count.result, lastSyncAt: row?.value ?? null })
          }
          tx.onerror = () => resolve({ records: 0, lastSyncAt: null })
        }
      }),
  )
}

/** The stores that hold records (not the login, settings, sync status or org tree): dropped before the grid figure. */
const RECORD_STORES = ['rounds', 'records', 'feedback', 'reading', 'people']

/**
 * Measures, in the page, from a router push to 走访 until the coloured grid is
 * painted, from a cold store: the stores holding records are disposed first
 * (and their state dropped), so the figure includes reading the building's
 * records from IndexedDB and folding them, not only the render.
 */
async function gridAfterTab(page: Page): Promise<{ ms: number; doors: number; dropped: string[] }> {
  return page.evaluate(
    (recordStores) =>
      new Promise<{ ms: number; doors: number; dropped: string[] }>((resolve, reject) => {
        interface PiniaLike {
          _s: Map<string, { $dispose(): void }>
          state: { value: Record<string, unknown> }
        }
        const host = document.querySelector('#app') as (Element & { __vue_app__?: { config: { globalProperties: { $router?: { push(p: string): Promise<unknown> }; $pinia?: PiniaLike } } } }) | null
        const props = host?.__vue_app__?.config.globalProperties
        const router = props?.$router
        const pinia = props?.$pinia
        if (!router || !pinia) return reject(new Error('no Vue router or Pinia on #app'))
        if (document.querySelector('.door')) return reject(new Error('doors already shown before navigating'))
        const dropped: string[] = []
        for (const id of recordStores) {
          const store = pinia._s.get(id)
          if (store) {
            store.$dispose()
            dropped.push(id)
          }
          delete pinia.state.value[id]
        }
        const ready = () => document.querySelector('.door[data-status]:not([data-status="never"])')
        const t0 = performance.now()
        const obs = new MutationObserver(() => {
          if (!ready()) return
          obs.disconnect()
          requestAnimationFrame(() => setTimeout(() => resolve({ ms: performance.now() - t0, doors: document.querySelectorAll('.door').length, dropped }), 0))
        })
        obs.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] })
        void router.push('/visits')
      }),
    RECORD_STORES,
  )
}

export async function warmStartAndGrid(env: DeviceEnv, scope: Scope): Promise<Measures> {
  const out: Measures = {}
  const leader = env.world.big.leader
  const context = await newContext(env.browser, PHONE)
  scope.defer(() => context.close())
  await context.addInitScript({ content: NAME_SHIM })
  await context.addInitScript({ content: GRID_READY_SCRIPT })
  const page = await context.newPage()
  await login(page, env.server.url, leader.phone, BENCH_PASSWORD)
  // the first sync brings the building's year of visits; wait for it to finish
  const deadline = Date.now() + 90_000
  for (;;) {
    const s = await deviceState(page)
    if (s.lastSyncAt !== null && s.records >= env.cached.counts.big) break
    if (Date.now() > deadline) throw new Error(`first sync did not finish in 90 s (${s.records} records on the device)`)
    await sleep(500)
  }
  await waitForServiceWorker(page)
  const { records } = await deviceState(page)
  await page.close()
  await context.setOffline(true)

  // warm offline start: a new tab, offline, straight to 走访, until the coloured grid is painted
  const starts: number[] = []
  let doors = 0
  for (let r = 0; r < env.runs + 2; r++) {
    const p = await context.newPage()
    try {
      await p.goto(`${env.server.url}/visits`, { waitUntil: 'commit', timeout: 30_000 })
      const res = await withTimeout(p.evaluate(() => window.__ldGridReady!), 30_000, 'offline start')
      starts.push(res.ms)
      doors = res.doors
    } finally {
      await p.close()
    }
  }
  // the first start after going offline warms the service worker and the HTTP cache; it is not counted
  const counted = starts.slice(1)
  out.warm = { value: median(counted), runs: counted, detail: `360×740 phone, ${records.toLocaleString('en')} records on the device, ${doors} doors shown; first (uncounted) ${Math.round(starts[0]!)} ms` }

  // building grid: the app open on 我的, then 走访 (router push, as the tab does) until the coloured grid is painted
  const grid: Record<string, number[]> = {}
  const doorsBy: Record<string, number> = {}
  let dropped: string[] = []
  for (const [name, viewport] of [['phone', PHONE], ['tablet', TABLET_LANDSCAPE]] as const) {
    grid[name] = []
    await context.setOffline(false)
    const ctx = name === 'phone' ? context : await newContext(env.browser, viewport)
    if (ctx !== context) {
      scope.defer(() => ctx.close())
      await ctx.addInitScript({ content: NAME_SHIM })
      // a tablet is another device: it needs its own login and sync
      const p = await ctx.newPage()
      await login(p, env.server.url, leader.phone, BENCH_PASSWORD)
      const until = Date.now() + 90_000
      while (!((await deviceState(p)).lastSyncAt !== null && (await deviceState(p)).records >= env.cached.counts.big)) {
        if (Date.now() > until) throw new Error('tablet: first sync did not finish in 90 s')
        await sleep(500)
      }
      await waitForServiceWorker(p)
      await p.close()
    }
    await ctx.setOffline(true)
    for (let r = 0; r < env.runs + 1; r++) {
      const p = await ctx.newPage()
      try {
        await p.goto(`${env.server.url}/me`, { timeout: 30_000 })
        await p.locator('#app .shell').waitFor({ state: 'attached', timeout: 30_000 })
        // the tab badges start the record stores as the app opens; wait until they have read, then drop them (see gridAfterTab)
        await p.waitForFunction(() => (document.querySelector('#app') as (Element & { __vue_app__?: { config: { globalProperties: { $pinia?: { _s: Map<string, unknown> } } } } }) | null)?.__vue_app__?.config.globalProperties.$pinia?._s.has('rounds'), undefined, { timeout: 30_000 })
        const res = await withTimeout(gridAfterTab(p), 30_000, 'grid render')
        if (r > 0) grid[name]!.push(res.ms)
        doorsBy[name] = res.doors
        dropped = res.dropped
      } finally {
        await p.close()
      }
    }
  }
  // the cheap phone: a cold start with nothing cached, then taps, at 6× CPU slowdown, online
  await context.setOffline(false)
  try {
    out.coldStart = await coldStart(env, context, '/visits')
  } catch (err) {
    out.coldStart = { error: err instanceof Error ? err.message : String(err) }
  }
  try {
    Object.assign(out, await tapFigures(env, context, '/visits'))
  } catch (err) {
    out.tapSheet = out.tapRecolour = { error: err instanceof Error ? err.message : String(err) }
  }

  const phone = median(grid.phone!)
  const tablet = median(grid.tablet!)
  out.grid = {
    value: Math.max(phone, tablet),
    runs: [...grid.phone!, ...grid.tablet!],
    detail: `slower of phone ${Math.round(phone)} ms (${doorsBy.phone} doors: one unit at a time) and landscape tablet ${Math.round(tablet)} ms (${doorsBy.tablet} doors), ${env.cached.counts.big.toLocaleString('en')} records of the building; from a cold store (${dropped.join(', ')} disposed before the tap): read + fold + paint`,
  }
  return out
}

// ---------------------------------------------------------------- push

export const PUSH_COUNT = 10_000

/** The push figure's records for run `r`: the same shape every run, new ids (a pushed id is a duplicate after). */
export function pushRecords(env: DeviceEnv, r: number, now: number): LocalRecord<'visit'>[] {
  return freshVisits(env.world.pushBuilding, PUSH_COUNT, now, `${env.world.seed}/push/${now}/${r}`)
}

/** 10,000 outbox records through the app's push to the server, end to end; one record set per run. */
export async function pushFigure(env: DeviceEnv, scope: Scope, sets: LocalRecord<'visit'>[][]): Promise<Measures> {
  const token = tokenOf(env, env.world.pushBuilding.leader)
  const { page } = await benchPage(env, scope)
  const rates: number[] = []
  for (const [r, records] of sets.entries()) {
    await bench(page, (b) => b.reset())
    await bench(page, (b, a: { records: LocalRecord[]; now: number }) => b.seedOutbox(a.records, a.now), { records, now: Date.now() })
    // BENCH_CPU_PROFILE=/tmp/x: each run's page writes a Chromium CPU profile to /tmp/x-push<run>.cpuprofile
    const cdp = process.env.BENCH_CPU_PROFILE ? await page.context().newCDPSession(page) : null
    if (cdp) await cdp.send('Profiler.enable').then(() => cdp.send('Profiler.start'))
    const res = await withTimeout(bench(page, (b, t: string) => b.push(t), token), 180_000, 'push')
    if (cdp) writeFileSync(`${process.env.BENCH_CPU_PROFILE}-push${r}.cpuprofile`, JSON.stringify((await cdp.send('Profiler.stop')).profile))
    if (res.accepted !== records.length) throw new Error(`push: ${res.accepted} accepted, ${res.attention} refused of ${records.length}`)
    rates.push(records.length / (res.ms / 1000))
    env.log(`  push run ${r + 1}: ${(res.ms / 1000).toFixed(2)} s (${(res.netMs / 1000).toFixed(2)} s waiting for answers)`)
  }
  return { push: { value: median(rates), runs: rates, detail: `${PUSH_COUNT.toLocaleString('en')} visits, batches of 500 (the app's default), into a database of ${env.cached.records.toLocaleString('en')}+` } }
}
