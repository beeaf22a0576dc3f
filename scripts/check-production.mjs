#!/usr/bin/env node
// The production start as the README documents it, checked for real (part of `npm test`):
// the built app (dist/, dist-server/) in a temp copy with `npm ci --omit=dev` (npm's
// cache; better-sqlite3's native build copied from this checkout instead of compiled
// again), then `NODE_ENV=production npm run server` over an empty data directory. It must
// serve the PWA and the API with no dev dependency installed and no demo account.
// Run after `npm run build`. Exits 1 with the reason on the first failure.
import { spawn, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = process.cwd()
const dir = mkdtempSync(join(tmpdir(), 'loudong-prod-'))
const fail = (why) => {
  console.error(`production start: FAIL: ${why}`)
  process.exitCode = 1
}

let server = null
try {
  for (const p of ['package.json', 'package-lock.json', 'dist', 'dist-server']) {
    if (!existsSync(join(root, p))) throw new Error(`${p} is missing (run npm run build first)`)
    cpSync(join(root, p), join(dir, p), { recursive: true })
  }
  const started = Date.now()
  const ci = spawnSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8' })
  if (ci.status !== 0) throw new Error(`npm ci --omit=dev failed:\n${ci.stderr}`)
  cpSync(join(root, 'node_modules/better-sqlite3/build'), join(dir, 'node_modules/better-sqlite3/build'), { recursive: true })
  for (const dev of ['vitest', 'eslint', 'vue-tsc', 'playwright-core']) if (existsSync(join(dir, 'node_modules', dev))) throw new Error(`dev dependency ${dev} was installed`)
  console.log(`production start: npm ci --omit=dev in ${((Date.now() - started) / 1000).toFixed(1)} s`)

  // npm run server, as documented, with the environment of a real deployment
  const env = { ...process.env, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', DATA_DIR: join(dir, 'data') }
  delete env.DIST_DIR
  delete env.DATABASE_URL
  server = spawn('npm', ['run', 'server'], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let out = ''
  server.stdout.on('data', (d) => (out += d))
  server.stderr.on('data', (d) => (out += d))
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start in 30 s:\n${out}`)), 30_000)
    server.on('exit', (code) => reject(new Error(`the server exited (${code}):\n${out}`)))
    server.stdout.on('data', () => {
      const m = /http:\/\/localhost:(\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(`http://127.0.0.1:${m[1]}`)
      }
    })
  })
  const page = await fetch(`${url}/`)
  const html = await page.text()
  if (page.status !== 200 || !html.includes('<div id="app"')) throw new Error(`/ answered ${page.status}, not the app`)
  const about = await (await fetch(`${url}/api/v1/about`)).json()
  if (about.demo !== false) throw new Error(`/api/v1/about says demo: ${about.demo}`)
  const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: '13800000000', password: 'demo-1234' }) })
  if (login.status !== 401) throw new Error(`the demo admin login answered ${login.status}, not 401`)
  if (/演示账号|demo database/i.test(out)) throw new Error(`the start-up lines speak of demo accounts:\n${out}`)
  console.log(`production start: ok (app and API served from production dependencies, no demo account)`)
} catch (err) {
  fail(err instanceof Error ? err.message : String(err))
} finally {
  if (server?.pid && server.exitCode === null) process.kill(-server.pid, 'SIGTERM')
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 })
}
