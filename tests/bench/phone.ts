/**
 * The cheap phone's figures, in the built app in Chromium: CPU slowed down with
 * DevTools' `Emulation.setCPUThrottlingRate` (6× is a low-end Android phone
 * against this machine's cores), a cold start with nothing cached, taps on a
 * door and on 无人在家, and what a device holding 50,000 records does.
 */
import type { BrowserContext, Page } from 'playwright-core'
import { PHONE, newContext, waitForServiceWorker } from '../e2e/harness'
import { BENCH_PASSWORD } from './data'
import { GRID_READY_SCRIPT, NAME_SHIM, deviceState, type DeviceEnv, type Measured, type Measures } from './device'
import { median, percentile, sleep, withTimeout, type Scope } from './util'

/** A low-end Android phone: six times slower than this machine's cores (Lighthouse uses 4× for a mid one). */
export const SLOW_PHONE = 6

/** Slows the page's CPU `rate` times (1 = no slowdown) for everything it runs from now on, navigations included. */
export async function throttle(page: Page, rate: number): Promise<void> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Emulation.setCPUThrottlingRate', { rate })
}

/** Drops the service worker, its caches and the HTTP cache of `origin`: the next load fetches everything. */
async function forgetCaches(context: BrowserContext, origin: string): Promise<void> {
  const page = await context.newPage()
  try {
    const cdp = await context.newCDPSession(page)
    await cdp.send('Storage.clearDataForOrigin', { origin, storageTypes: 'service_workers,cache_storage' })
    await cdp.send('Network.enable')
    await cdp.send('Network.clearBrowserCache')
  } finally {
    await page.close()
  }
}

/**
 * Cold start, logged in, online, at 6× CPU slowdown: the device holds its
 * login and records (IndexedDB) but no service worker and no cached file,
 * as after the browser dropped its caches; from navigation start to the first
 * door coloured by a visit painted.
 */
export async function coldStart(env: DeviceEnv, context: BrowserContext, path: string): Promise<Measured> {
  const times: number[] = []
  for (let r = 0; r < env.runs; r++) {
    await forgetCaches(context, env.server.url)
    const p = await context.newPage()
    try {
      await throttle(p, SLOW_PHONE)
      await p.goto(`${env.server.url}${path}`, { waitUntil: 'commit', timeout: 60_000 })
      const res = await withTimeout(p.evaluate(() => window.__ldGridReady!), 60_000, 'cold start')
      times.push(res.ms)
      env.log(`  cold start at ${SLOW_PHONE}×, run ${r + 1}: ${Math.round(res.ms)} ms`)
    } finally {
      await p.close()
    }
  }
  return { value: median(times) / 1000, runs: times.map((t) => t / 1000), detail: `${SLOW_PHONE}× CPU slowdown, 360×740, no service worker or cached file, records and login on the device; navigation start → first coloured door painted` }
}

/** One tap's timings, measured in the page from the click to the frame that shows its result. */
interface TapTimes {
  sheetMs: number
  recolourMs: number
}

/**
 * In the page: taps a door not yet tried this month, waits for the door
 * sheet's buttons, taps 无人在家 and waits until that door's colour changes;
 * each time from the click to the next painted frame.
 */
function tapOnce(): Promise<TapTimes> {
  const painted = () => new Promise<number>((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0)))
  const until = (test: () => boolean, what: string) =>
    new Promise<void>((resolve, reject) => {
      if (test()) return resolve()
      const timer = setTimeout(() => {
        obs.disconnect()
        reject(new Error(`${what}: not seen in 20 s`))
      }, 20_000)
      const obs = new MutationObserver(() => {
        if (!test()) return
        obs.disconnect()
        clearTimeout(timer)
        resolve()
      })
      obs.observe(document.body, { subtree: true, childList: true, attributes: true })
    })
  return (async () => {
    // a door not tried this month: 无人在家 turns it to `attempted` (tried, not met)
    const doors = [...document.querySelectorAll<HTMLElement>('.door[data-status]')].filter((d) => d.dataset.status !== 'this_month' && d.dataset.status !== 'attempted')
    const door = doors[Math.floor(doors.length / 2)]
    if (!door) throw new Error('every door on screen was tried this month: nothing left to recolour')
    const room = door.querySelector('.door__room')?.textContent
    const before = door.dataset.status
    const t0 = performance.now()
    door.click()
    const button = () => document.querySelector<HTMLElement>('.door-sheet .door-sheet__outcome[data-outcome="nobody_home"]')
    await until(() => !!button() && button()!.offsetParent !== null, 'door sheet')
    const sheetMs = (await painted()) - t0
    const t1 = performance.now()
    button()!.click()
    const same = () => [...document.querySelectorAll<HTMLElement>('.door[data-status]')].find((d) => d.querySelector('.door__room')?.textContent === room)
    await until(() => same()?.dataset.status !== before, 'door recoloured')
    const recolourMs = (await painted()) - t1
    // let the sheet's closing finish before the next tap
    await until(() => !button() || button()!.offsetParent === null, 'door sheet closed')
    return { sheetMs, recolourMs }
  })()
}

/** `n` taps (door → sheet, 无人在家 → recoloured) on the grid open in `page`, a short pause between. */
async function taps(page: Page, n: number): Promise<TapTimes[]> {
  const out: TapTimes[] = []
  for (let i = 0; i < n; i++) {
    out.push(await withTimeout(page.evaluate(tapOnce), 60_000, 'tap'))
    await sleep(300)
  }
  return out
}

/** Opens `path` and waits for the coloured grid. */
async function openGrid(env: DeviceEnv, page: Page, path: string): Promise<void> {
  await page.goto(`${env.server.url}${path}`, { waitUntil: 'commit', timeout: 60_000 })
  await withTimeout(page.evaluate(() => window.__ldGridReady!), 60_000, 'grid')
  await sleep(500)
}

/**
 * The building leader's phone at 6× slowdown: tap a door → sheet shown, tap
 * 无人在家 → door recoloured (the visit checked, written, the grid re-folded
 * and painted). Medians over `runs` × 3 taps.
 */
export async function tapFigures(env: DeviceEnv, context: BrowserContext, path: string): Promise<Measures> {
  const p = await context.newPage()
  try {
    await throttle(p, SLOW_PHONE)
    await openGrid(env, p, path)
    const res = await taps(p, env.runs * 3)
    const sheet = res.map((r) => r.sheetMs)
    const recolour = res.map((r) => r.recolourMs)
    env.log(`  taps at ${SLOW_PHONE}×: sheet ${sheet.map(Math.round).join(', ')} ms; recolour ${recolour.map(Math.round).join(', ')} ms`)
    return {
      tapSheet: { value: median(sheet), runs: sheet, detail: `${SLOW_PHONE}× CPU slowdown, ${res.length} taps on the building leader's phone; click → first frame with the sheet's buttons` },
      tapRecolour: { value: median(recolour), runs: recolour, detail: `${SLOW_PHONE}× CPU slowdown, ${res.length} taps on 无人在家; click → first frame with the door recoloured (checks, write, fold, paint)` },
    }
  } finally {
    await p.close()
  }
}

/**
 * The login form, as the e2e harness fills it, with a longer wait: community
 * staff fetch their whole community's tree and people list before the first
 * screen. A refusal on the form is reported as the error.
 */
async function staffLogin(page: Page, baseUrl: string, phone: string): Promise<void> {
  await page.goto(`${baseUrl}/login`)
  await page.locator('input[inputmode="numeric"]').first().fill(phone)
  await page.locator('input[type="password"]').first().fill(BENCH_PASSWORD)
  await page.locator('button[type="submit"], .login-submit').first().click()
  try {
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 90_000 })
  } catch (err) {
    const said = await page.locator('[role="alert"]').allTextContents().catch(() => [])
    throw new Error(`staff login did not leave /login in 90 s${said.length ? `: ${said.join(' ')}` : ''} (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`, { cause: err })
  }
}

/**
 * A device with 50,000 records (the community's staff, after their first
 * sync): warm offline start to the big building's coloured grid, and saving a
 * visit end to end — tap 无人在家 until the door is recoloured — p95 of 30.
 */
export async function bigDeviceFigures(env: DeviceEnv, scope: Scope): Promise<Measures> {
  const out: Measures = {}
  const user = env.world.pullUser
  const path = `/visits?building=${encodeURIComponent(env.world.big.path)}`
  const context = await newContext(env.browser, PHONE)
  scope.defer(() => context.close())
  await context.addInitScript({ content: NAME_SHIM })
  await context.addInitScript({ content: GRID_READY_SCRIPT })
  const page = await context.newPage()
  await staffLogin(page, env.server.url, user.phone)
  const deadline = Date.now() + 180_000
  for (;;) {
    const s = await deviceState(page)
    if (s.lastSyncAt !== null && s.records >= env.cached.counts.pullScope) break
    if (Date.now() > deadline) throw new Error(`staff device: first sync did not finish in 180 s (${s.records} records)`)
    await sleep(1000)
  }
  await waitForServiceWorker(page)
  const { records } = await deviceState(page)
  await page.close()
  await context.setOffline(true)

  const starts: number[] = []
  for (let r = 0; r < env.runs + 1; r++) {
    const p = await context.newPage()
    try {
      await p.goto(`${env.server.url}${path}`, { waitUntil: 'commit', timeout: 60_000 })
      starts.push((await withTimeout(p.evaluate(() => window.__ldGridReady!), 60_000, 'offline start')).ms)
    } finally {
      await p.close()
    }
  }
  const counted = starts.slice(1)
  env.log(`  warm offline start with ${records.toLocaleString('en')} records: ${counted.map(Math.round).join(', ')} ms (first, uncounted, ${Math.round(starts[0]!)} ms)`)
  out.warmBig = { value: median(counted), runs: counted, detail: `360×740, ${records.toLocaleString('en')} records on the device (community staff), the 3×33×4 building's grid; first (uncounted) ${Math.round(starts[0]!)} ms` }

  try {
    const p = await context.newPage()
    try {
      await openGrid(env, p, path)
      const res = await taps(p, 30)
      const times = res.map((r) => r.recolourMs)
      out.save = {
        value: percentile(times, 95),
        runs: times,
        detail: `${times.length} visits saved by tapping 无人在家 with ${records.toLocaleString('en')} records stored, click → door recoloured and painted (checks, write, re-fold, paint), no CPU slowdown; median ${median(times).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms`,
      }
    } finally {
      await p.close()
    }
  } catch (err) {
    out.save = { error: err instanceof Error ? err.message : String(err) }
  }
  return out
}
