/**
 * The field case at unit level, on both backends: a phone (fake-indexeddb, the real
 * sync engine) against the real server, whose database is restored for real from a
 * backup (SQLite: `restore`; PostgreSQL: pg_restore + `identity:renew`). The phone must
 * send back what the server lost, pull what others sent meanwhile, and hold each
 * record once.
 */
import { execFileSync } from 'node:child_process'
import { copyFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { runAdmin } from '../../../src/server/admin'
import type { LoginResponse, PushResponse } from '@shared/index'
import { SyncEngine } from '@app/sync/engine'
import type { FetchLike } from '@app/sync/transport'
import type { RecoveryProgress } from '@app/sync/restored'
import { saveRecord } from '@app/sync/outbox'
import type { LoudongDB } from '@app/db/database'
import { freshDb, visitBody } from '../app/fakes'
import { B01, BACKEND, login, pgBaseUrl, PHONES, push, setup, visit, type TestEnv } from './helpers'

const quiet = { out: () => undefined, err: (l: string) => console.error(l) }
let env: TestEnv
let cleanups: Array<() => Promise<void>> = []
beforeEach(async () => {
  env = await setup()
  cleanups = []
})
afterEach(async () => {
  for (const c of cleanups.reverse()) await c()
  await env.close().catch(() => undefined)
})

/** fetch through the current app; counts the records each push carried */
function phoneFetch(current: () => FastifyInstance, pushed: number[]): FetchLike {
  return async (url, init) => {
    if (url.endsWith('/sync/push') && typeof init.body === 'string') pushed.push((JSON.parse(init.body) as { records: unknown[] }).records.length)
    const res = await current().inject({
      method: (init.method ?? 'GET') as 'GET' | 'POST',
      url,
      headers: init.headers as Record<string, string>,
      ...(typeof init.body === 'string' ? { payload: init.body } : {}),
    })
    return new Response(res.body, { status: res.statusCode, headers: res.headers as Record<string, string> })
  }
}

async function backup(): Promise<string> {
  const file = join(env.dir, BACKEND === 'sqlite' ? 'backup.db' : 'backup.dump')
  expect(await runAdmin(['backup', file], quiet, env.adminEnv)).toBe(0)
  return file
}

/**
 * Stops the server, restores `file` as the README says, starts it again. `renew`
 * false: a restore done by hand that left the identity as it was.
 */
async function restore(file: string, renew = true): Promise<TestEnv> {
  if (BACKEND === 'sqlite') {
    await env.app.close()
    await env.storage.close()
    if (renew) expect(await runAdmin(['restore', file], quiet, env.adminEnv)).toBe(0)
    else {
      for (const extra of ['-wal', '-shm']) rmSync(join(env.dir, `loudong.db${extra}`), { force: true })
      copyFileSync(file, join(env.dir, 'loudong.db'))
    }
    const again = await setup({ dir: env.dir, seed: false })
    cleanups.push(async () => {
      await again.app.close()
      await again.storage.close()
    })
    return again
  }
  const schema = /search_path=(\w+)/.exec(decodeURIComponent(env.databaseUrl!))![1]!
  const dbName = `restored_${Date.now()}_${process.pid}_${Math.random().toString(36).slice(2, 6)}`
  const base = pgBaseUrl()
  const server = new pg.Client({ connectionString: base })
  await server.connect()
  await server.query(`CREATE DATABASE ${dbName}`)
  cleanups.push(async () => {
    await server.query(`DROP DATABASE ${dbName} WITH (FORCE)`)
    await server.end()
  })
  const plain = base.replace('/postgres?', `/${dbName}?`)
  execFileSync('pg_restore', ['--no-owner', '--single-transaction', `--dbname=${plain}`, file])
  const url = `${plain}&options=${encodeURIComponent(`-c search_path=${schema}`)}`
  if (renew) expect(await runAdmin(['identity:renew'], quiet, { dataDir: env.dir, databaseUrl: url })).toBe(0)
  const again = await setup({ databaseUrl: url, seed: false })
  cleanups.push(async () => {
    await again.app.close()
    await again.storage.close()
  })
  return again
}

async function phoneOf(leader: LoginResponse): Promise<LoudongDB> {
  const phone = freshDb()
  await phone.setMeta('session', leader)
  return phone
}

const save = (phone: LoudongDB, leader: LoginResponse, household: string) =>
  saveRecord(phone, { type: 'visit', orgPath: B01, body: visitBody(household, '', env.clock.t), authorId: leader.user.id, deviceId: 'phone-1', now: env.clock.t })

describe('a phone after the server was restored from a backup', () => {
  it('sends back only what the server lost, pulls what came meanwhile, holds each record once, and shows progress', async () => {
    let app = env.app
    const pushed: number[] = []
    const leader = await login(env.app, PHONES.zhang)
    const phone = await phoneOf(leader)
    const engine = new SyncEngine({ db: phone, fetch: phoneFetch(() => app, pushed), timers: null, locks: null })
    const a = await save(phone, leader, '1-1-1')
    expect((await engine.sync()).state).toBe('idle')
    const file = await backup()
    const b = await save(phone, leader, '1-1-2')
    expect((await engine.sync({ force: true })).state).toBe('idle')
    const bSeq = (await phone.records.get(b.id))!.seq!
    const identityBefore = await phone.getMeta('serverIdentity')
    expect(identityBefore).toBeTruthy()

    const restored = await restore(file)
    app = restored.app
    // the group leader pushes C first: it takes B's seq
    const wang = await login(restored.app, PHONES.wang)
    const c = visit(wang.user.id)
    const cRes = (await push(restored.app, wang.token, [c])).json<PushResponse>()
    expect(cRes.results[0]).toMatchObject({ status: 'accepted', seq: bSeq })

    const phases = new Set<RecoveryProgress['phase']>()
    engine.onStatus((s) => s.progress && phases.add(s.progress.phase))
    pushed.length = 0
    expect((await engine.sync({ force: true })).state).toBe('idle')

    // B is back on the server, sent once (A, which the backup kept, was not sent again)
    expect(pushed).toEqual([1])
    expect(await restored.storage.records.getById(b.id)).not.toBeNull()
    expect(await restored.storage.records.getById(a.id)).not.toBeNull()
    // the phone holds A, B and C once each, with the server's seqs
    const held = await phone.records.toArray()
    expect(held.map((r) => r.id).sort()).toEqual([a.id, b.id, c.id].sort())
    for (const r of held) expect(r.seq).toBe((await restored.storage.records.getById(r.id))!.seq)
    expect(await phone.outbox.count()).toBe(0)
    const head = await restored.storage.identity.head()
    expect(await phone.getMeta('serverIdentity')).toBe(head.identity)
    expect(head.identity).not.toBe(identityBefore)
    expect(await phone.getMeta('cursor')).toBe(head.highestSeq)
    expect([...phases].sort()).toEqual(['check', 'pull', 'send'])

    // the next sync is quiet: nothing sent, nothing pulled twice
    pushed.length = 0
    expect((await engine.sync({ force: true })).state).toBe('idle')
    expect(pushed).toEqual([])
    expect(await phone.records.count()).toBe(3)
  })

  it('a restore that kept the old identity is noticed by a highest seq below the cursor', async () => {
    let app = env.app
    const pushed: number[] = []
    const leader = await login(env.app, PHONES.zhang)
    const phone = await phoneOf(leader)
    const engine = new SyncEngine({ db: phone, fetch: phoneFetch(() => app, pushed), timers: null, locks: null })
    await save(phone, leader, '1-1-1')
    expect((await engine.sync()).state).toBe('idle')
    const file = await backup()
    const b = await save(phone, leader, '1-1-2')
    const c = await save(phone, leader, '1-2-2')
    expect((await engine.sync({ force: true })).state).toBe('idle')
    // a record saved while the server was down waits in the outbox and may refer to B
    const d = await save(phone, leader, '1-2-1')

    const restored = await restore(file, false)
    app = restored.app
    expect((await engine.sync({ force: true })).state).toBe('idle')
    for (const r of [b, c, d]) expect(await restored.storage.records.getById(r.id)).not.toBeNull()
    expect(await phone.records.count()).toBe(4)
    expect(await phone.outbox.count()).toBe(0)
    // B and C went before D, in the order the server first took them
    const seqs = await Promise.all([b, c, d].map(async (r) => (await restored.storage.records.getById(r.id))!.seq))
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y))
  })
})
