/**
 * Cold load on a phone: Lighthouse 12.2.3 with its default (mobile) preset —
 * Moto G Power emulation, simulated slow 4G and 4× CPU slowdown — on the login
 * page, each run in a fresh Chromium profile.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import lighthouse from 'lighthouse'
import { freePort } from '../e2e/harness'
import { sleep, withTimeout } from './util'

export interface LighthouseRun {
  score: number
  lcpMs: number
  tbtMs: number
  fcpMs: number
  /** Lighthouse's CPU benchmark of this machine (a mid phone is ~500–1000, a desktop 1500+) */
  benchmarkIndex: number
  /** the opportunities Lighthouse names, biggest first */
  opportunities: string[]
}

const FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-dev-shm-usage',
]

async function waitForDevtools(port: number, deadline: number): Promise<void> {
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/json/version`)
      if (r.ok) return
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error('Chromium did not open its DevTools port in 20 s')
    await sleep(100)
  }
}

/** One Lighthouse run against `url` in a Chromium of its own. */
export async function lighthouseOnce(chromePath: string, url: string): Promise<LighthouseRun> {
  const port = await freePort()
  const profile = mkdtempSync(join(tmpdir(), 'loudong-lh-'))
  const chrome = spawn(chromePath, [...FLAGS, `--remote-debugging-port=${port}`, `--user-data-dir=${profile}`, 'about:blank'], { stdio: 'ignore' })
  try {
    await waitForDevtools(port, Date.now() + 20_000)
    const result = await withTimeout(lighthouse(url, { port, output: 'json', logLevel: 'error', onlyCategories: ['performance'] }), 120_000, 'lighthouse')
    if (!result) throw new Error('lighthouse returned nothing')
    const lhr = result.lhr
    if (lhr.runtimeError) throw new Error(`lighthouse: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`)
    const audit = (id: string) => lhr.audits[id]
    const num = (id: string) => {
      const v = audit(id)?.numericValue
      if (typeof v !== 'number') throw new Error(`lighthouse gave no ${id}`)
      return v
    }
    const opportunities = Object.values(lhr.audits)
      .filter((a) => a.details?.type === 'opportunity' && (a.score ?? 1) < 0.9)
      .map((a) => `${a.id}${a.displayValue ? ` (${a.displayValue})` : ''}`)
    return {
      score: lhr.categories.performance?.score ?? Number.NaN,
      lcpMs: num('largest-contentful-paint'),
      tbtMs: num('total-blocking-time'),
      fcpMs: num('first-contentful-paint'),
      benchmarkIndex: lhr.environment.benchmarkIndex,
      opportunities,
    }
  } finally {
    chrome.kill('SIGKILL')
    await new Promise((r) => (chrome.exitCode !== null || chrome.signalCode !== null ? r(null) : chrome.once('exit', r)))
    rmSync(profile, { recursive: true, force: true })
  }
}
