/**
 * Restore that phones survive, on the server: every sync answer names the database's
 * identity and highest seq; `restore` (SQLite) and `identity:renew` (after pg_restore)
 * give a restored database a new identity; POST /sync/missing says which of a phone's
 * records the server lacks.
 */
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runAdmin } from '../../../src/server/admin'
import type { DatabaseHead, MissingResponse, PullResponse, PushResponse } from '../../../src/shared/protocol'
import { BACKEND, bearer, login, pgBaseUrl, PHONES, push, setup, visit, type TestEnv } from './helpers'

let env: TestEnv
let out: string[]
let err: string[]
beforeEach(async () => {
  env = await setup()
  out = []
  err = []
})
afterEach(async () => {
  await env.close()
})

const io = () => ({ out: (l: string) => out.push(l), err: (l: string) => err.push(l) })
const admin = (where: { dataDir: string; databaseUrl?: string }, ...argv: string[]) => runAdmin(argv, io(), where)

async function pushOne(e: TestEnv, token: string, userId: string): Promise<{ id: string; seq: number; database: DatabaseHead }> {
  const r = visit(userId)
  const res = await push(e.app, token, [r])
  expect(res.statusCode, res.body).toBe(200)
  const body = res.json<PushResponse>()
  const result = body.results[0]!
  if (result.status !== 'accepted') throw new Error(`not accepted: ${res.body}`)
  return { id: r.id, seq: result.seq, database: body.database! }
}

async function pull(e: TestEnv, token: string, after = 0): Promise<PullResponse> {
  const res = await e.app.inject({ url: `/api/v1/sync/pull?after=${after}`, headers: bearer(token) })
  expect(res.statusCode).toBe(200)
  return res.json<PullResponse>()
}

describe('the database head in sync answers', () => {
  it('push and pull answers carry one identity and the highest seq, read after their own records', async () => {
    const zhang = await login(env.app, PHONES.zhang)
    const wang = await login(env.app, PHONES.wang)
    const a = await pushOne(env, zhang.token, zhang.user.id)
    expect(a.database.highestSeq).toBe(a.seq)
    expect(a.database.identity).toMatch(/^[0-9a-f-]{36}$/)
    const b = await pushOne(env, wang.token, wang.user.id)
    expect(b.database).toEqual({ identity: a.database.identity, highestSeq: b.seq })
    // a pull of a page that ends below the top still names the top
    const page = await pull(env, zhang.token)
    expect(page.database).toEqual({ identity: a.database.identity, highestSeq: b.seq })
    // an empty push answers it too
    const empty = (await push(env.app, zhang.token, [])).json<PushResponse>()
    expect(empty.database).toEqual(page.database)
  })

  it('a push naming another identity, or a cursor above the highest seq, is refused 409 database_restored before anything is stored', async () => {
    const zhang = await login(env.app, PHONES.zhang)
    const a = await pushOne(env, zhang.token, zhang.user.id)
    const r = visit(zhang.user.id)
    const send = (known: unknown) => env.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers: bearer(zhang.token), payload: { records: [r], known } })
    for (const known of [{ identity: 'before-the-restore', cursor: a.seq }, { identity: a.database.identity, cursor: a.seq + 5 }]) {
      const res = await send(known)
      expect(res.statusCode).toBe(409)
      expect(res.json()).toEqual({ error: { code: 'database_restored', message: '服务器已从备份恢复，手机会先重新上传服务器缺少的记录' } })
      expect(await env.storage.records.getById(r.id)).toBeNull()
    }
    const ok = await send({ identity: a.database.identity, cursor: a.seq })
    expect(ok.json<PushResponse>().results[0]).toMatchObject({ status: 'accepted' })
  })

  it('identity:renew gives a new identity and keeps the log', async () => {
    const zhang = await login(env.app, PHONES.zhang)
    const a = await pushOne(env, zhang.token, zhang.user.id)
    expect(await admin(env.adminEnv, 'identity:renew')).toBe(0)
    const page = await pull(env, zhang.token)
    expect(page.database!.identity).not.toBe(a.database.identity)
    expect(out.join('\n')).toContain(page.database!.identity)
    expect(page.database!.highestSeq).toBe(a.seq)
    expect(page.records.map((r) => r.id)).toEqual([a.id])
  })

  it('POST /sync/missing answers the ids the server lacks, with the head; bad bodies are refused', async () => {
    const zhang = await login(env.app, PHONES.zhang)
    const a = await pushOne(env, zhang.token, zhang.user.id)
    const lost = visit(zhang.user.id).id
    const res = await env.app.inject({ method: 'POST', url: '/api/v1/sync/missing', headers: bearer(zhang.token), payload: { ids: [a.id, lost] } })
    expect(res.statusCode).toBe(200)
    expect(res.json<MissingResponse>()).toEqual({ missing: [lost], database: a.database })
    const tooMany = await env.app.inject({ method: 'POST', url: '/api/v1/sync/missing', headers: bearer(zhang.token), payload: { ids: Array.from({ length: 2001 }, (_, i) => `x${i}`) } })
    expect(tooMany.statusCode).toBe(400)
    const anonymous = await env.app.inject({ method: 'POST', url: '/api/v1/sync/missing', payload: { ids: [a.id] } })
    expect(anonymous.statusCode).toBe(401)
  })
})

describe('restore', () => {
  if (BACKEND === 'sqlite') {
    it('the field case: a restored file loses B, gets a new identity, and C takes B\'s seq; the old file is kept', async () => {
      const zhang = await login(env.app, PHONES.zhang)
      const a = await pushOne(env, zhang.token, zhang.user.id)
      const backup = join(env.dir, 'backups', 'a.db')
      mkdirSync(join(env.dir, 'backups'))
      expect(await admin(env.adminEnv, 'backup', backup)).toBe(0)
      const b = await pushOne(env, zhang.token, zhang.user.id)
      expect(b.seq).toBe(a.seq + 1)

      // the server runs: restore refuses and changes nothing
      expect(await admin(env.adminEnv, 'restore', backup)).toBe(1)
      expect(err.join('\n')).toMatch(/请先停止服务器.*stop the server/)
      expect(await env.storage.records.count()).toBe(2)

      // stop the server, restore, start again
      await env.app.close()
      await env.storage.close()
      expect(await admin(env.adminEnv, 'restore', backup), err.join('\n')).toBe(0)
      expect(out.join('\n')).toMatch(/Restored .*a\.db: 1 records, highest seq 1, integrity ok/)
      const kept = readdirSync(env.dir).filter((f) => f.startsWith('loudong.db.before-restore-'))
      expect(kept).toHaveLength(1)
      const again = await setup({ dir: env.dir, seed: false })
      try {
        const wang = await login(again.app, PHONES.wang)
        const c = await pushOne(again, wang.token, wang.user.id)
        // C gets B's seq: only the identity tells a phone that this is not the log it knew
        expect(c.seq).toBe(b.seq)
        expect(c.database.identity).not.toBe(b.database.identity)
        expect(c.database.highestSeq).toBe(c.seq)
        expect((await again.storage.records.getById(b.id))).toBeNull()
      } finally {
        await again.app.close()
        await again.storage.close()
      }
      // the database set aside still holds B
      const oldDir = join(env.dir, 'old')
      mkdirSync(oldDir, { recursive: true })
      copyFileSync(join(env.dir, kept[0]!), join(oldDir, 'loudong.db'))
      const old = await setup({ dir: oldDir, seed: false })
      try {
        expect(await old.storage.records.getById(b.id)).not.toBeNull()
      } finally {
        await old.close()
      }
    })

    it('refuses a damaged or foreign file and changes nothing', async () => {
      const zhang = await login(env.app, PHONES.zhang)
      await pushOne(env, zhang.token, zhang.user.id)
      const backup = join(env.dir, 'a.db')
      expect(await admin(env.adminEnv, 'backup', backup)).toBe(0)
      await env.app.close()
      await env.storage.close()
      // damage the middle of the backup
      const { openSync, writeSync, closeSync } = await import('node:fs')
      const damaged = join(env.dir, 'damaged.db')
      copyFileSync(backup, damaged)
      const fd = openSync(damaged, 'r+')
      writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 8192)
      closeSync(fd)
      expect(await admin(env.adminEnv, 'restore', damaged)).toBe(1)
      expect(err.join('\n')).toMatch(/已损坏.*damaged|不是楼栋通.*not a Loudong/)
      const foreign = join(env.dir, 'foreign.txt')
      writeFileSync(foreign, 'hello')
      err = []
      expect(await admin(env.adminEnv, 'restore', foreign)).toBe(1)
      expect(err.join('\n')).toMatch(/backup/)
      err = []
      expect(await admin(env.adminEnv, 'restore', join(env.dir, 'nope.db'))).toBe(1)
      expect(err.join('\n')).toMatch(/not found/)
      expect(readdirSync(env.dir).some((f) => f.includes('before-restore'))).toBe(false)
      const again = await setup({ dir: env.dir, seed: false })
      try {
        expect(await again.storage.records.count()).toBe(1)
      } finally {
        await again.app.close()
        await again.storage.close()
      }
    })

    it('removes a stale -wal/-shm left beside the database name, which would otherwise be replayed into the restored file', async () => {
      const zhang = await login(env.app, PHONES.zhang)
      await pushOne(env, zhang.token, zhang.user.id)
      const backup = join(env.dir, 'a.db')
      expect(await admin(env.adminEnv, 'backup', backup)).toBe(0)
      for (let i = 0; i < 5; i++) await pushOne(env, zhang.token, zhang.user.id)
      // the WAL while the server runs holds the later records' pages
      const wal = join(env.dir, 'loudong.db-wal')
      const stale = join(env.dir, 'stale-wal')
      copyFileSync(wal, stale)
      await env.app.close()
      await env.storage.close()
      // someone moved the database away by hand and left the crash's WAL behind
      rmSync(join(env.dir, 'loudong.db'))
      copyFileSync(stale, wal)
      writeFileSync(join(env.dir, 'loudong.db-shm'), Buffer.alloc(32768))
      expect(await admin(env.adminEnv, 'restore', backup), err.join('\n')).toBe(0)
      expect(existsSync(join(env.dir, 'loudong.db.restoring'))).toBe(false)
      const again = await setup({ dir: env.dir, seed: false })
      try {
        expect(await again.storage.records.count()).toBe(1)
        expect(statSync(join(env.dir, 'loudong.db')).mode & 0o777).toBe(0o600)
      } finally {
        await again.app.close()
        await again.storage.close()
      }
    })
  } else {
    it('PostgreSQL: pg_restore brings the old identity back; identity:renew gives a new one, so phones notice', async () => {
      const zhang = await login(env.app, PHONES.zhang)
      const a = await pushOne(env, zhang.token, zhang.user.id)
      const dump = join(env.dir, 'a.dump')
      expect(await admin(env.adminEnv, 'backup', dump), err.join('\n')).toBe(0)
      expect(statSync(dump).mode & 0o777).toBe(0o600)
      const b = await pushOne(env, zhang.token, zhang.user.id)
      // `restore` on PostgreSQL names the steps instead
      expect(await admin(env.adminEnv, 'restore', dump)).toBe(1)
      expect(err.join('\n')).toMatch(/pg_restore[^]*identity:renew/)

      const schema = /search_path=(\w+)/.exec(decodeURIComponent(env.databaseUrl!))![1]!
      const dbName = `restored_${Date.now()}_${process.pid}`
      const base = pgBaseUrl()
      const server = new pg.Client({ connectionString: base })
      await server.connect()
      await server.query(`CREATE DATABASE ${dbName}`)
      try {
        const restoredUrl = `${base.replace('/postgres?', `/${dbName}?`)}&options=${encodeURIComponent(`-c search_path=${schema}`)}`
        execFileSync('pg_restore', ['--no-owner', '--single-transaction', `--dbname=${base.replace('/postgres?', `/${dbName}?`)}`, dump])
        const restored = await setup({ databaseUrl: restoredUrl, seed: false })
        try {
          const before = await restored.storage.identity.head()
          expect(before).toEqual({ identity: a.database.identity, highestSeq: a.seq })
          expect(await admin({ dataDir: env.dir, databaseUrl: restoredUrl }, 'identity:renew'), err.join('\n')).toBe(0)
          const wang = await login(restored.app, PHONES.wang)
          const c = await pushOne(restored, wang.token, wang.user.id)
          expect(c.seq).toBe(b.seq)
          expect(c.database.identity).not.toBe(a.database.identity)
          expect(c.database.highestSeq).toBe(c.seq)
        } finally {
          await restored.close()
        }
      } finally {
        await server.query(`DROP DATABASE ${dbName} WITH (FORCE)`)
        await server.end()
      }
    })
  }
})
