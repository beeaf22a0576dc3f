/**
 * Two real server processes (src/server/main.ts) on one PostgreSQL behave as one
 * server: sessions, records, login limits and revocations are shared, and kill -9 of
 * one in the middle of pushes loses and duplicates nothing.
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, tempDir, type RunningServer } from '../../e2e/harness'
import { PROTOCOL_HEADER, PROTOCOL_VERSION, type LoginResponse, type PullResponse, type PushResult } from '../../../src/shared/protocol'
import { DEMO_PASSWORD } from '../../../src/server/demo'
import { DEFAULT_LOGIN_THROTTLE } from '../../../src/server/auth'
import { B01, B02, freshPgSchema, PHONES, visit } from '../server/helpers'
import type { LocalRecord } from '../../../src/shared/records'

const ROOT = join(import.meta.dirname, '../../..')

let schema: Awaited<ReturnType<typeof freshPgSchema>>
let a: RunningServer
let b: RunningServer
let db: pg.Client

const start = () => startServer({ dataDir: tempDir('pg-unused'), distDir: join(tempDir('pg-nodist'), 'none'), env: { DATABASE_URL: schema.url, DATABASE_POOL: '4' } })

beforeAll(async () => {
  schema = await freshPgSchema()
  // both at once: migrations and the demo seed must cope with a twin starting beside them
  ;[a, b] = await Promise.all([start(), start()])
  db = new pg.Client({ connectionString: schema.url })
  await db.connect()
}, 60_000)
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()])
  await db?.end()
  await schema?.drop()
})

const headers = (token?: string) => ({ 'content-type': 'application/json', [PROTOCOL_HEADER]: String(PROTOCOL_VERSION), ...(token ? { authorization: `Bearer ${token}` } : {}) })

async function login(server: RunningServer, phone: string, password = DEMO_PASSWORD): Promise<Response> {
  return fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: headers(), body: JSON.stringify({ phone, password }) })
}
async function loginOk(server: RunningServer, phone: string): Promise<LoginResponse> {
  const res = await login(server, phone)
  expect(res.status).toBe(200)
  return (await res.json()) as LoginResponse
}
async function push(server: RunningServer, token: string, records: unknown[]): Promise<PushResult[]> {
  const res = await fetch(`${server.url}/api/v1/sync/push`, { method: 'POST', headers: headers(token), body: JSON.stringify({ records }) })
  expect(res.status, await res.clone().text()).toBe(200)
  return ((await res.json()) as { results: PushResult[] }).results
}
async function pull(server: RunningServer, token: string, after = 0): Promise<PullResponse> {
  const res = await fetch(`${server.url}/api/v1/sync/pull?after=${after}&limit=1000`, { headers: headers(token) })
  expect(res.status).toBe(200)
  return (await res.json()) as PullResponse
}
const count = async (where = 'TRUE') => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM records WHERE ${where}`)).rows[0]!.n)

describe('two server processes on one PostgreSQL', () => {
  it('log in on A, push on B, pull from A: one session, one log', async () => {
    const zhang = await loginOk(a, PHONES.zhang)
    const r = visit(zhang.user.id)
    const [res] = await push(b, zhang.token, [r])
    expect(res).toMatchObject({ id: r.id, status: 'accepted' })
    const page = await pull(a, zhang.token)
    expect(page.records.map((x) => x.id)).toContain(r.id)
    expect(page.records.find((x) => x.id === r.id)!.seq).toBe((res as { seq: number }).seq)
  })

  it('the same batch pushed to both at once is stored once; both answer with the same seq', async () => {
    const zhang = await loginOk(b, PHONES.zhang)
    const batch = Array.from({ length: 20 }, (_, i) => visit(zhang.user.id, { orgPath: i % 2 ? B01 : B02, body: { household: '1-1-1' } }))
    for (let round = 0; round < 5; round++) {
      const same = batch.map((r) => ({ ...r, id: `${r.id.slice(0, -2)}${String(round).padStart(2, '0')}` }))
      const [fromA, fromB] = await Promise.all([push(a, zhang.token, same), push(b, zhang.token, same)])
      for (let i = 0; i < same.length; i++) {
        expect([fromA[i]!.status, fromB[i]!.status].sort()).toEqual(['accepted', 'duplicate'])
        expect((fromA[i] as { seq: number }).seq).toBe((fromB[i] as { seq: number }).seq)
      }
      expect(await count(`id = ANY(ARRAY[${same.map((r) => `'${r.id}'`).join(',')}])`)).toBe(same.length)
    }
  })

  it('login failures count across both: after the free ones the next attempt waits on either; a device known on A passes on B', async () => {
    // the owner's own phone logged in once, on A: the mark it was given is known to both
    const first = await login(a, PHONES.liu)
    expect(first.status).toBe(200)
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!
    expect(cookie).toMatch(/^loudong_device=/)
    for (let i = 0; i < DEFAULT_LOGIN_THROTTLE.free; i++) expect((await login(i % 2 ? a : b, PHONES.liu, 'wrong-password')).status).toBe(401)
    const onA = await login(a, PHONES.liu)
    const onB = await login(b, PHONES.liu)
    expect(onA.status).toBe(429)
    expect(onB.status).toBe(429)
    expect(Number(onB.headers.get('retry-after'))).toBeGreaterThan(0)
    const own = await fetch(`${b.url}/api/v1/auth/login`, { method: 'POST', headers: { ...headers(), cookie }, body: JSON.stringify({ phone: PHONES.liu, password: DEMO_PASSWORD }) })
    expect(own.status).toBe(200)
  })

  it('logout on B revokes the token on A; user:disable through the CLI shuts both', async () => {
    const wang = await loginOk(a, PHONES.wang)
    expect((await fetch(`${b.url}/api/v1/auth/logout`, { method: 'POST', headers: headers(wang.token), body: '{}' })).status).toBe(200)
    expect((await fetch(`${a.url}/api/v1/me`, { headers: headers(wang.token) })).status).toBe(401)

    const chen = await loginOk(b, PHONES.chen)
    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'src/server/admin.ts', 'user:disable', '--phone', PHONES.chen], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: schema.url },
      encoding: 'utf8',
    })
    expect(cli.status, cli.stderr).toBe(0)
    for (const server of [a, b]) expect((await fetch(`${server.url}/api/v1/me`, { headers: headers(chen.token) })).status).toBe(403)
  })

  it('kill -9 of one mid-push: nothing half-stored, and retrying on the other stores every record exactly once', async () => {
    const victim = await start()
    const admin = await loginOk(victim, PHONES.zhang)
    const batches: LocalRecord[][] = Array.from({ length: 60 }, (_, n) =>
      Array.from({ length: 50 }, () => visit(admin.user.id, { deviceId: `kill-${n}`, orgPath: n % 2 ? B01 : B02, body: { household: '2-3-1' } })),
    )
    const acknowledged = new Set<number>()
    let inFlightAtKill = 0
    let next = 0
    let killed = false
    const sender = async () => {
      while (next < batches.length) {
        const n = next++
        try {
          const res = await fetch(`${victim.url}/api/v1/sync/push`, { method: 'POST', headers: headers(admin.token), body: JSON.stringify({ records: batches[n] }) })
          if (res.ok) acknowledged.add(n)
        } catch {
          if (killed) inFlightAtKill++
        }
        if (acknowledged.size >= 10 && !killed) {
          killed = true
          await victim.crash()
        }
      }
    }
    await Promise.all(Array.from({ length: 6 }, sender))
    expect(killed).toBe(true)
    expect(inFlightAtKill).toBeGreaterThan(0) // the kill really came in the middle of pushes

    // every batch is whole or absent; every acknowledged one is whole
    for (const [n, batch] of batches.entries()) {
      const stored = await count(`device_id = 'kill-${n}'`)
      expect([0, batch.length], `batch ${n}`).toContain(stored)
      if (acknowledged.has(n)) expect(stored, `acknowledged batch ${n}`).toBe(batch.length)
    }
    // the phones send what was not acknowledged again, to the survivor
    for (const [n, batch] of batches.entries()) {
      if (acknowledged.has(n)) continue
      const results = await push(a, admin.token, batch)
      expect(results.every((r) => r.status === 'accepted' || r.status === 'duplicate')).toBe(true)
    }
    expect(await count("device_id LIKE 'kill-%'")).toBe(batches.length * 50)
    // a device pulling from the start, page by page, gets each record once
    let ids: string[] = []
    for (let cursor = 0; ; ) {
      const page = await pull(a, admin.token, cursor)
      ids = ids.concat(page.records.filter((r) => r.deviceId.startsWith('kill-')).map((r) => r.id))
      cursor = page.cursor
      if (!page.more) break
    }
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.length).toBe(batches.length * 50)
  }, 120_000)
})

describe('starting on PostgreSQL', () => {
  it('refuses to start with one bilingual line when the database does not exist', () => {
    const url = schema.url.replace('/postgres?', '/no_such_db?')
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], { cwd: ROOT, env: { ...process.env, PORT: '0', DATABASE_URL: url }, encoding: 'utf8' })
    expect(r.status).toBe(1)
    const lines = r.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/数据库.*不存在.* \/ The database .* does not exist/)
  })
})
