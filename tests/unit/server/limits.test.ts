/**
 * Abuse limits: per-account push limits with a clear 429 (holding across two server
 * processes on one database), the quarantine's per-account cap and purge with its admin
 * commands and staff route, request bodies that must arrive in time, and database,
 * WAL and backup files readable by the server's user only.
 */
import { connect } from 'node:net'
import { mkdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runAdmin } from '../../../src/server/admin'
import { buildApp } from '../../../src/server/app'
import { openDatabase } from '../../../src/server/db'
import { purgeQuarantine } from '../../../src/server/quarantine'
import { QUARANTINE_PER_ACCOUNT } from '../../../src/server/storage'
import type { PushResponse } from '../../../src/shared/protocol'
import type { QuarantineResponse } from '../../../src/shared/quarantine'
import { BACKEND, bearer, login, PHONES, push, setup, tempDir, visit, ZYL_B01, type TestEnv } from './helpers'

const envs: TestEnv[] = []
afterEach(async () => {
  while (envs.length) await envs.pop()!.close()
})
async function fresh(opts: Parameters<typeof setup>[0] = {}): Promise<TestEnv> {
  const env = await setup(opts)
  envs.push(env)
  return env
}

describe('per-account push limits', () => {
  it('records per minute: a clear 429 in Chinese (English on request) with Retry-After; nothing of it is stored; the next minute takes it', async () => {
    const env = await fresh({ pushLimits: { recordsPerMinute: 3, bytesPerDay: 10_000_000 } })
    const zhang = await login(env.app, PHONES.zhang)
    expect((await push(env.app, zhang.token, [visit(zhang.user.id), visit(zhang.user.id)])).statusCode).toBe(200)
    const refused = [visit(zhang.user.id), visit(zhang.user.id)]
    const res = await push(env.app, zhang.token, refused)
    expect(res.statusCode).toBe(429)
    expect(res.json()).toEqual({ error: { code: 'push_limited', message: '上传太频繁，记录仍保存在手机上，稍后会自动再传' } })
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60)
    const en = await push(env.app, zhang.token, refused, { 'accept-language': 'en' })
    expect(en.json().error.message).toMatch(/Too many uploads/)
    for (const r of refused) expect(await env.storage.records.getById(r.id)).toBeNull()
    // another account is not held back by this one
    const wang = await login(env.app, PHONES.wang)
    expect((await push(env.app, wang.token, [visit(wang.user.id)])).statusCode).toBe(200)
    env.clock.t += 60_000
    const later = await push(env.app, zhang.token, refused)
    expect(later.statusCode).toBe(200)
    expect(later.json<PushResponse>().results.map((r) => r.status)).toEqual(['accepted', 'accepted'])
  })

  it('bytes per day: refused until the day ends', async () => {
    const probe = await fresh()
    const someone = (await login(probe.app, PHONES.zhang)).user.id
    const big = Array.from({ length: 8 }, () => visit(someone))
    // the day takes `big` alone, not `big` after one more visit
    const env = await fresh({ pushLimits: { recordsPerMinute: 1000, bytesPerDay: Buffer.byteLength(JSON.stringify({ records: big })) + 100 } })
    const zhang = await login(env.app, PHONES.zhang)
    expect(zhang.user.id).toBe(someone)
    expect((await push(env.app, zhang.token, [visit(zhang.user.id)])).statusCode).toBe(200)
    const res = await push(env.app, zhang.token, big)
    expect(res.statusCode).toBe(429)
    const wait = Number(res.headers['retry-after'])
    expect(wait).toBeGreaterThan(60)
    expect(wait).toBeLessThanOrEqual(86_400)
    env.clock.t += wait * 1000
    expect((await push(env.app, zhang.token, big)).statusCode).toBe(200)
  })

  it('holds across two server processes on one database: of 12 one-record pushes at once, exactly the limit pass', async () => {
    const one = await fresh({ pushLimits: { recordsPerMinute: 5, bytesPerDay: 10_000_000 } })
    const two = await fresh({
      pushLimits: { recordsPerMinute: 5, bytesPerDay: 10_000_000 },
      seed: false,
      ...(BACKEND === 'postgres' ? { databaseUrl: one.databaseUrl! } : { dir: one.dir }),
    })
    two.clock.t = one.clock.t
    const zhang = await login(one.app, PHONES.zhang)
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => push(i % 2 ? two.app : one.app, zhang.token, [visit(zhang.user.id)])))
    expect(answers.filter((r) => r.statusCode === 200)).toHaveLength(5)
    expect(answers.filter((r) => r.statusCode === 429)).toHaveLength(7)
    expect(await one.storage.records.count()).toBe(5)
  })
})

describe('the quarantine', () => {
  it(`keeps at most ${QUARANTINE_PER_ACCOUNT} rows per account, the newest; other accounts keep theirs`, async () => {
    const env = await fresh()
    const zhang = await login(env.app, PHONES.zhang)
    const li = await login(env.app, PHONES.li)
    const other = visit(li.user.id, { orgPath: ZYL_B01, body: { household: '9-9-9' } })
    await push(env.app, li.token, [other])
    let last = ''
    for (let batch = 0; batch * 500 < QUARANTINE_PER_ACCOUNT + 200; batch++) {
      const bad = Array.from({ length: 500 }, () => visit(zhang.user.id, { body: { household: '9-9-9' } }))
      last = bad.at(-1)!.id
      // a minute apart: the push limit is not what this tests
      env.clock.t += 60_000
      const res = await push(env.app, zhang.token, bad)
      expect(res.json<PushResponse>().results.every((r) => r.status === 'rejected')).toBe(true)
    }
    const rows = await env.storage.quarantine.byUsers([zhang.user.id], 5000)
    expect(rows).toHaveLength(QUARANTINE_PER_ACCOUNT)
    expect(rows[0]!.recordId).toBe(last)
    expect(await env.storage.quarantine.byUsers([li.user.id], 10)).toHaveLength(1)
  })

  it('is purged after its period (a handed-over row stays); the admin commands list and purge it', async () => {
    const env = await fresh()
    const zhang = await login(env.app, PHONES.zhang)
    const old = visit(zhang.user.id, { body: { household: '9-9-9' } })
    const handed = visit(zhang.user.id, { orgPath: 'pl/tuodong/mingtongxiang/g01/b99' })
    await push(env.app, zhang.token, [old, handed])
    const handRes = await env.app.inject({ method: 'POST', url: '/api/v1/sync/handover', headers: bearer(zhang.token), payload: { id: handed.id } })
    expect(handRes.statusCode, handRes.body).toBe(200)
    env.clock.t += 100 * 86_400_000
    const recent = visit(zhang.user.id, { body: { household: '9-9-8' } })
    await push(env.app, zhang.token, [recent])
    expect(await purgeQuarantine(env.storage, env.clock.t)).toBe(1)
    const left = (await env.storage.quarantine.byUsers([zhang.user.id], 10)).map((r) => r.recordId)
    expect(left.sort()).toEqual([handed.id, recent.id].sort())

    const out: string[] = []
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l) }
    expect(await runAdmin(['quarantine:list', '--phone', PHONES.zhang], io, env.adminEnv)).toBe(0)
    expect(out.join('\n')).toContain(recent.id)
    expect(out.join('\n')).toMatch(/2 rows/)
    out.length = 0
    expect(await runAdmin(['quarantine:purge', '--phone', PHONES.zhang], io, env.adminEnv)).toBe(0)
    expect(out.join('\n')).toMatch(/Deleted 1 rows/)
    expect((await env.storage.quarantine.byUsers([zhang.user.id], 10)).map((r) => r.recordId)).toEqual([handed.id])
    expect(await runAdmin(['quarantine:purge', '--older-than-days', '0'], io, env.adminEnv)).toBe(0)
  })

  it('staff read the refused records of the accounts in their scope, in their language; leaders may not', async () => {
    const env = await fresh()
    const zhang = await login(env.app, PHONES.zhang)
    const li = await login(env.app, PHONES.li)
    const mine = visit(zhang.user.id, { body: { household: '9-9-9' } })
    await push(env.app, zhang.token, [mine])
    await push(env.app, li.token, [visit(li.user.id, { orgPath: ZYL_B01, body: { household: '9-9-9' } })])
    const liu = await login(env.app, PHONES.liu)
    const res = await env.app.inject({ url: '/api/v1/quarantine', headers: bearer(liu.token) })
    expect(res.statusCode).toBe(200)
    const { items } = res.json<QuarantineResponse>()
    expect(items).toHaveLength(1)
    expect(items[0]).toMatchObject({ recordId: mine.id, code: 'unknown_household', reason: '该户不在此楼栋', type: 'visit', orgPath: mine.orgPath, author: { id: zhang.user.id, name: zhang.user.name, role: 'building_leader' } })
    const en = await env.app.inject({ url: '/api/v1/quarantine', headers: { ...bearer(liu.token), 'accept-language': 'en' } })
    expect(en.json<QuarantineResponse>().items[0]!.reason).toBe('That household is not in this building')
    // the district sees both communities
    const yang = await login(env.app, PHONES.yang)
    expect((await env.app.inject({ url: '/api/v1/quarantine', headers: bearer(yang.token) })).json<QuarantineResponse>().items).toHaveLength(2)
    expect((await env.app.inject({ url: '/api/v1/quarantine', headers: bearer(zhang.token) })).statusCode).toBe(403)
  })
})

describe('request bodies time out', () => {
  it('a slow-loris body is cut off with 408 long before it would finish', async () => {
    const env = await fresh()
    const app = await buildApp({ storage: env.storage, requestTimeoutMs: 1000 })
    await app.listen({ port: 0, host: '127.0.0.1' })
    try {
      const port = (app.server.address() as { port: number }).port
      const sent = await new Promise<{ bytes: number; answer: string }>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1')
        let bytes = 0
        let answer = ''
        let timer: NodeJS.Timeout | undefined
        socket.on('connect', () => {
          socket.write('POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n')
          // one byte every 100 ms: 40 s for the whole body
          timer = setInterval(() => {
            if (bytes >= 400) return
            bytes++
            socket.write(' ')
          }, 100)
        })
        socket.on('data', (d) => (answer += d.toString()))
        socket.on('close', () => {
          clearInterval(timer)
          resolve({ bytes, answer })
        })
        socket.on('error', (e) => {
          clearInterval(timer)
          if (answer) resolve({ bytes, answer })
          else reject(e)
        })
      })
      expect(sent.answer).toMatch(/^HTTP\/1\.1 408/)
      expect(sent.bytes).toBeLessThan(400)
    } finally {
      await app.close()
    }
  })
})

describe('files readable by the server user only', () => {
  it('the database, its WAL and shared memory, and a backup are 0600 whatever the umask', async () => {
    const dir = join(tempDir(), 'data')
    const old = process.umask(0o022)
    try {
      const db = openDatabase(dir)
      db.exec('CREATE TABLE IF NOT EXISTS probe (x)')
      db.exec('INSERT INTO probe VALUES (1)')
      for (const f of ['loudong.db', 'loudong.db-wal', 'loudong.db-shm']) expect((statSync(join(dir, f)).mode & 0o777).toString(8), f).toBe('600')
      expect((statSync(dir).mode & 0o777).toString(8)).toBe('700')
      db.close()
      mkdirSync(join(dir, 'b'))
      const out: string[] = []
      expect(await runAdmin(['backup', join(dir, 'b', 'copy.db')], { out: (l) => out.push(l), err: (l) => out.push(l) }, { dataDir: dir })).toBe(0)
      expect((statSync(join(dir, 'b', 'copy.db')).mode & 0o777).toString(8)).toBe('600')
    } finally {
      process.umask(old)
    }
  })
})
