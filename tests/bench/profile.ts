/**
 * Where the phone's time goes: CPU profiles (Chromium's sampling profiler over
 * DevTools) of the warm offline start, the grid from a cold store and the taps,
 * on the big building's leader device, against the bench's cached server
 * database and build. Not part of `npm run bench` (a profile slows what it
 * measures); run it by hand after a bench run has built and cached:
 *
 *   npx tsx tests/bench/profile.ts [--dist .tmp/bench/dist] [--cpu 6] [--out .tmp/bench/profiles]
 *
 * Writes one `.cpuprofile` per figure (open it in DevTools' Performance panel)
 * and prints, for each, the functions with the most self time and the scripts
 * with the most time.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { CDPSession, Page } from 'playwright-core'
import { PHONE, launchBrowser, login, newContext, startServer, waitForServiceWorker } from '../e2e/harness'
import { BENCH_PASSWORD, DEFAULT_SEED, buildWorld } from './data'
import { GRID_READY_SCRIPT, NAME_SHIM, deviceState } from './device'
import { ensureServerDb, prepareRunDb } from './serverdb'
import { Scope, sleep } from './util'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
  children?: number[]
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

/** Self time (ms) by function and by script, the top `n` of each, as lines to print. */
function summary(p: Profile, n = 25): string[] {
  const byId = new Map(p.nodes.map((x) => [x.id, x]))
  const self = new Map<number, number>()
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000))
  const fn = new Map<string, number>()
  const script = new Map<string, number>()
  for (const [id, ms] of self) {
    const f = byId.get(id)!.callFrame
    const file = f.url.split('/').pop() || '(native)'
    const key = `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}:${f.columnNumber + 1}`
    fn.set(key, (fn.get(key) ?? 0) + ms)
    script.set(file, (script.get(file) ?? 0) + ms)
  }
  const top = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, ms]) => `  ${ms.toFixed(1).padStart(8)} ms  ${k}`)
  const total = (p.endTime - p.startTime) / 1000
  return [`profile ${total.toFixed(0)} ms; self time by function:`, ...top(fn), 'by script:', ...top(script)]
}

async function profiled<T>(cdp: CDPSession, name: string, out: string, run: () => Promise<T>): Promise<T> {
  await cdp.send('Profiler.enable')
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 })
  await cdp.send('Profiler.start')
  const res = await run()
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile }
  writeFileSync(join(out, `${name}.cpuprofile`), JSON.stringify(profile))
  process.stdout.write(`\n== ${name}: ${JSON.stringify(res)}\n${summary(profile).join('\n')}\n`)
  return res
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { dist: { type: 'string' }, cpu: { type: 'string' }, out: { type: 'string' } } })
  const dist = values.dist ?? join(ROOT, '.tmp/bench/dist')
  const cpu = Number(values.cpu ?? 1)
  const out = values.out ?? join(ROOT, '.tmp/bench/profiles')
  mkdirSync(out, { recursive: true })
  const log = (s: string) => process.stderr.write(`[profile] ${s}\n`)
  const world = buildWorld(DEFAULT_SEED)
  const cached = await ensureServerDb(world, 1_000_000, join(ROOT, '.tmp/bench/cache'), log)
  const dataDir = join(ROOT, '.tmp/bench/profile-run/data')
  prepareRunDb(cached, dataDir, [world.big.leader])
  const scope = new Scope()
  try {
    const server = await startServer({ dataDir, distDir: dist, startTimeoutMs: 180_000 })
    scope.defer(() => server.stop())
    const browser = await launchBrowser()
    scope.defer(() => browser.close())
    const context = await newContext(browser, PHONE)
    await context.addInitScript({ content: NAME_SHIM })
    await context.addInitScript({ content: GRID_READY_SCRIPT })
    const first = await context.newPage()
    await login(first, server.url, world.big.leader.phone, BENCH_PASSWORD)
    for (let s = await deviceState(first); !(s.lastSyncAt !== null && s.records >= cached.counts.big); s = await deviceState(first)) await sleep(500)
    await waitForServiceWorker(first)
    await first.close()
    await context.setOffline(true)
    log(`leader's device synced (${cached.counts.big} records); offline, CPU ${cpu}×`)

    const open = async (): Promise<{ page: Page; cdp: CDPSession }> => {
      const page = await context.newPage()
      const cdp = await context.newCDPSession(page)
      if (cpu > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpu })
      return { page, cdp }
    }
    // a warm-up start (service worker and HTTP cache), then the profiled one: same-origin blank first, so the profiler stays in the page's process
    for (const name of ['warm-up', 'warm-start']) {
      const { page, cdp } = await open()
      await page.goto(`${server.url}/favicon.ico`)
      const run = async () => {
        await page.goto(`${server.url}/visits`, { waitUntil: 'commit' })
        return page.evaluate(() => window.__ldGridReady!)
      }
      if (name === 'warm-up') await run()
      else await profiled(cdp, name, out, run)
      await page.close()
    }
    const { page, cdp } = await open()
    await page.goto(`${server.url}/visits`, { waitUntil: 'commit' })
    await page.evaluate(() => window.__ldGridReady!)
    await sleep(1500)
    await profiled(cdp, 'tap', out, async () => {
      const door = page.locator('.door[data-status="never"], .door[data-status="older"], .door[data-status="last_month"]').nth(5)
      const t0 = Date.now()
      await door.click()
      await page.locator('.door-sheet .door-sheet__outcome[data-outcome="nobody_home"]').waitFor()
      const sheet = Date.now() - t0
      const t1 = Date.now()
      await page.locator('.door-sheet .door-sheet__outcome[data-outcome="nobody_home"]').click()
      await page.locator('.door-sheet .door-sheet__outcome[data-outcome="nobody_home"]').waitFor({ state: 'hidden' })
      return { sheetMsFromNode: sheet, recolourMsFromNode: Date.now() - t1 }
    })
    await sleep(1000)
    await profiled(cdp, 'grid-from-me', out, async () => {
      await page.evaluate(() => {
        const host = document.querySelector('#app') as Element & { __vue_app__: { config: { globalProperties: { $router: { push(p: string): Promise<unknown> } } } } }
        return host.__vue_app__.config.globalProperties.$router.push('/me')
      })
      await sleep(1500)
      return page.evaluate(() => {
        const host = document.querySelector('#app') as Element & { __vue_app__: { config: { globalProperties: { $router: { push(p: string): Promise<unknown> }; $pinia: { _s: Map<string, { $dispose(): void }>; state: { value: Record<string, unknown> } } } } } }
        const { $router, $pinia } = host.__vue_app__.config.globalProperties
        for (const id of ['rounds', 'records', 'feedback', 'reading', 'people']) {
          $pinia._s.get(id)?.$dispose()
          delete $pinia.state.value[id]
        }
        const t0 = performance.now()
        return new Promise<number>((resolve) => {
          const obs = new MutationObserver(() => {
            if (!document.querySelector('.door[data-status]:not([data-status="never"])')) return
            obs.disconnect()
            requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0))
          })
          obs.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] })
          void $router.push('/visits')
        })
      })
    })
    await page.close()
  } finally {
    await scope.close()
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)
