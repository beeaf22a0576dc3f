/**
 * End-to-end harness: a real server process on loopback with its own SQLite file,
 * and a real Chromium driven by playwright-core. No mocks between them.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'

export const ROOT = join(import.meta.dirname, '..', '..')
export const DIST = join(ROOT, 'dist')
export const DEMO_PASSWORD = 'demo-1234'
export const PHONE = { width: 360, height: 740 }
export const TABLET = { width: 820, height: 1180 }
export const DESKTOP = { width: 1280, height: 800 }

const BROWSER_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/** CHROME_PATH, then Debian's chromium, then an installed Chrome, then Playwright's own build. */
export function findBrowser(): string {
  const candidates = [
    process.env.CHROME_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  ]
  for (const c of candidates) if (c && existsSync(c)) return c
  try {
    const own = chromium.executablePath()
    if (own && existsSync(own)) return own
  } catch {
    // playwright-core ships no browser; fall through to the message below
  }
  throw new Error(
    'No Chromium found for the end-to-end tests. Install one: `sudo apt-get install chromium` (Debian/Ubuntu), ' +
      'or install Google Chrome, or set CHROME_PATH to a Chromium/Chrome executable.',
  )
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `loudong-${prefix}-`))
}

export interface RunningServer {
  url: string
  port: number
  dataDir: string
  distDir: string
  proc: ChildProcess
  output: () => string
  /** kill -9, as a crash or a power cut would */
  crash: () => Promise<void>
  stop: () => Promise<void>
}

/**
 * Starts `src/server/main.ts` as its own process; resolves once it answers HTTP.
 * NODE_ENV=development: the tests need the demo district, which production never creates.
 * The push limits are lifted: suites (and the bench) that push thousands, or again after a crash, test other things
 * (the limits have their own tests, tests/unit/server/limits.test.ts).
 * `demoRecords`: also the demo months of records (off unless asked: most suites start from an empty log).
 */
export async function startServer(opts: { dataDir?: string; port?: number; distDir?: string; env?: Record<string, string>; demoRecords?: boolean } = {}): Promise<RunningServer> {
  const dataDir = opts.dataDir ?? tempDir('data')
  const port = opts.port ?? (await freePort())
  const distDir = opts.distDir ?? DIST
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/server/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DIST_DIR: distDir, NODE_ENV: 'development', DEMO_RECORDS: opts.demoRecords ? '1' : '0', PUSH_RECORDS_PER_MINUTE: '1000000', PUSH_BYTES_PER_DAY: '1000000000000', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()))
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()))
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited early (${proc.exitCode}):\n${out}`)
    try {
      const r = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
      if (r.status < 500) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start in 30 s:\n${out}`)
    await new Promise((r) => setTimeout(r, 150))
  }
  const exited = () => new Promise<void>((resolve) => (proc.exitCode !== null || proc.signalCode !== null ? resolve() : proc.once('exit', () => resolve())))
  return {
    url,
    port,
    dataDir,
    distDir,
    proc,
    output: () => out,
    crash: async () => {
      proc.kill('SIGKILL')
      await exited()
    },
    stop: async () => {
      proc.kill('SIGTERM')
      await exited()
    },
  }
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: findBrowser(), args: BROWSER_ARGS, headless: true })
}

/** A persistent (non-incognito) profile: needed for installability checks. */
export async function launchPersistent(viewport = PHONE): Promise<{ context: BrowserContext; dir: string }> {
  const dir = tempDir('profile')
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: findBrowser(),
    args: BROWSER_ARGS,
    headless: true,
    viewport,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  })
  return { context, dir }
}

export async function newContext(browser: Browser, viewport = PHONE, locale = 'zh-CN'): Promise<BrowserContext> {
  return browser.newContext({ viewport, locale, timezoneId: 'Asia/Shanghai', hasTouch: viewport.width < 600, isMobile: false })
}

/** Logs in through the real login form. */
export async function login(page: Page, baseUrl: string, phone: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto(`${baseUrl}/login`)
  await page.locator('input[inputmode="numeric"]').first().fill(phone)
  await page.locator('input[type="password"]').first().fill(password)
  await page.locator('button[type="submit"], .login-submit').first().click()
  await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 20_000 })
}

/** Waits until the page's service worker controls it, so offline reloads are served from the precache. */
export async function waitForServiceWorker(page: Page, timeoutMs = 30_000): Promise<void> {
  // page.waitForFunction would take the async check's Promise as truthy at once, so poll by hand
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const ready = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker?.getRegistration()
      if (!reg?.active || reg.active.state !== 'activated' || !navigator.serviceWorker.controller) return false
      // the shell is only usable offline once the precache holds index.html
      for (const name of await caches.keys()) {
        if (await (await caches.open(name)).match('/index.html', { ignoreSearch: true })) return true
      }
      return false
    })
    if (ready) return
    if (Date.now() > deadline) throw new Error('the service worker did not take control with a filled precache in time')
    await page.waitForTimeout(250)
  }
}

/** A visible element with this exact text (hidden copies, e.g. in closed pickers, are skipped). */
export function visibleText(page: Page, text: string) {
  return page.locator(`text=${text} >> visible=true`).first()
}

export function cleanup(...dirs: string[]): void {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
}

/** API helper for checks from the test side (as another client would). */
export async function api<T>(baseUrl: string, path: string, init: { token?: string; method?: string; body?: unknown; lang?: string } = {}): Promise<{ status: number; json: T }> {
  const r = await fetch(`${baseUrl}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.lang ? { 'accept-language': init.lang } : {}),
    },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  })
  const text = await r.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = { raw: text }
  }
  return { status: r.status, json: json as T }
}

export async function apiLogin(baseUrl: string, phone: string): Promise<string> {
  const { status, json } = await api<{ token: string }>(baseUrl, '/api/v1/auth/login', { body: { phone, password: DEMO_PASSWORD } })
  if (status !== 200) throw new Error(`login ${phone} failed: ${status} ${JSON.stringify(json)}`)
  return json.token
}
