import { spawn, spawnSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase } from '../../../src/server/db'
import { createSqliteStorage } from '../../../src/server/storage'
import { tempDir, visit } from './helpers'

const dirs: string[] = []
const fresh = () => {
  const d = tempDir()
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const TSX = ['--import', 'tsx']

describe('durability', () => {
  it('kill -9 in the middle of a batch transaction leaves no partial batch', async () => {
    const dir = fresh()
    openDatabase(dir).close()
    const records = [visit('u1'), visit('u1'), visit('u1')]
    const child = spawnSync(process.execPath, [...TSX, 'tests/unit/server/fixtures/kill-mid-batch.ts', dir, 'u1', JSON.stringify(records)], { encoding: 'utf8' })
    expect(child.signal).toBe('SIGKILL')
    const db = openDatabase(dir)
    expect(await createSqliteStorage(db).records.count()).toBe(0)
    expect((db.prepare('SELECT count(*) AS n FROM quarantine').get() as { n: number }).n).toBe(0)
    db.close()
  })
})

describe('npm run server', () => {
  it('starts, seeds the demo district, prints the URL and the demo logins, and exits 0 on SIGTERM', async () => {
    const dir = fresh()
    const child = spawn(process.execPath, [...TSX, 'src/server/main.ts'], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, DIST_DIR: join(dir, 'no-dist') },
    })
    let stdout = ''
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()))
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${stdout}`)), 15_000)
      child.stdout.on('data', () => {
        const m = /http:\/\/localhost:(\d+)/.exec(stdout)
        if (m && stdout.includes('demo-1234')) {
          clearTimeout(timer)
          resolve(`http://127.0.0.1:${m[1]}`)
        }
      })
    })
    expect(stdout).toContain('13800000001')
    expect(stdout).toContain('张秀英')
    expect(stdout).toContain('楼栋长')
    const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: '13800000003', password: 'demo-1234' }) })
    expect(res.status).toBe(200)
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    child.kill('SIGTERM')
    expect(await exit).toBe(0)
  })

  /** Starts main.ts with `env`; resolves with its URL once it prints the start-up lines (through the data line). */
  async function startWith(env: Record<string, string>): Promise<{ url: string; out: () => string; stop: () => Promise<number | null> }> {
    const child = spawn(process.execPath, [...TSX, 'src/server/main.ts'], { env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env } })
    let out = ''
    child.stdout.on('data', (b: Buffer) => (out += b.toString()))
    child.stderr.on('data', (b: Buffer) => (out += b.toString()))
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start-up lines: ${out}`)), 15_000)
      const seen = () => {
        const m = /http:\/\/localhost:(\d+)[^]*数据目录 \/ data: .*\n/.exec(out)
        // the demo warning and the empty-database hint come right after the data line
        if (m && /演示账号|demo database|import the district/.test(out)) {
          clearTimeout(timer)
          resolve(`http://127.0.0.1:${m[1]}`)
        }
      }
      child.stdout.on('data', seen)
      child.stderr.on('data', seen)
    })
    return { url, out: () => out, stop: () => (child.kill('SIGTERM'), exit) }
  }

  it('NODE_ENV=production creates no demo data on an empty database; over a demo database it says so, and so does /api/v1/about', async () => {
    const dir = fresh()
    const prod = await startWith({ NODE_ENV: 'production', DATA_DIR: dir, DIST_DIR: join(dir, 'no-dist') })
    expect(prod.out()).toMatch(/The database is empty; import the district: npm run admin -- import/)
    expect(prod.out()).not.toMatch(/demo-1234|演示/)
    const login = await fetch(`${prod.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: '13800000000', password: 'demo-1234' }) })
    expect(login.status).toBe(401)
    expect(await (await fetch(`${prod.url}/api/v1/about`)).json()).toEqual({ demo: false })
    expect(await prod.stop()).toBe(0)
    const db = openDatabase(dir)
    expect(await createSqliteStorage(db).org.count()).toBe(0)
    db.close()

    // a database that has the demo (made by a development start) keeps saying so, production or not
    const demoDir = fresh()
    const dev = await startWith({ NODE_ENV: 'development', DATA_DIR: demoDir, DIST_DIR: join(demoDir, 'no-dist') })
    expect(await dev.stop()).toBe(0)
    const again = await startWith({ NODE_ENV: 'production', DATA_DIR: demoDir, DIST_DIR: join(demoDir, 'no-dist') })
    expect(again.out()).toMatch(/这是演示数据库.*NOTE: this is a demo database with public demo logins/)
    expect(await (await fetch(`${again.url}/api/v1/about`)).json()).toEqual({ demo: true })
    expect(await again.stop()).toBe(0)
  }, 60_000) // three server processes, one seeding the demo (scrypt): slow on a loaded machine

  it('refuses to start with one bilingual line and exit code 1 when DATA_DIR cannot be used', () => {
    const file = join(fresh(), 'not-a-dir')
    writeFileSync(file, 'x')
    const r = spawnSync(process.execPath, [...TSX, 'src/server/main.ts'], { env: { ...process.env, PORT: '0', DATA_DIR: join(file, 'data') }, encoding: 'utf8' })
    expect(r.status).toBe(1)
    const lines = r.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/数据目录.* \/ The data directory/)
    expect(r.stderr).not.toMatch(/\bat .*:\d+:\d+/)
  })
})
