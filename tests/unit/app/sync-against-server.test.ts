/**
 * The device's sync engine against the real server app (no network: fetch goes
 * through Fastify's inject), so the two sides cannot drift apart unnoticed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../src/server/app'
import { configure, migrate } from '../../../src/server/db'
import { DEMO_PASSWORD, seedDemo } from '../../../src/server/demo'
import { createSqliteStorage } from '../../../src/server/storage'
import type { LoginResponse } from '@shared/index'
import { SyncEngine } from '@app/sync/engine'
import type { FetchLike } from '@app/sync/transport'
import { saveRecord } from '@app/sync/outbox'
import { freshDb, visitBody } from './fakes'

const BUILDING = 'pl/tuodong/mingtongxiang/g01/b01'
const ELSEWHERE = 'pl/tuodong/zhuangyuanlou/g01/b01'

let app: FastifyInstance

function injectFetch(server: FastifyInstance): FetchLike {
  return async (url, init) => {
    const res = await server.inject({
      method: (init.method ?? 'GET') as 'GET' | 'POST',
      url,
      headers: init.headers as Record<string, string>,
      ...(typeof init.body === 'string' ? { payload: init.body } : {}),
    })
    return new Response(res.statusCode === 204 ? null : res.body, { status: res.statusCode, headers: res.headers as Record<string, string> })
  }
}

async function login(phone: string): Promise<LoginResponse> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { phone, password: DEMO_PASSWORD } })
  expect(res.statusCode).toBe(200)
  return res.json() as LoginResponse
}

describe('sync engine against the server', () => {
  beforeEach(async () => {
    const db = configure(new Database(':memory:'))
    migrate(db)
    await seedDemo(createSqliteStorage(db))
    app = await buildApp({ storage: createSqliteStorage(db) })
  })
  afterEach(async () => {
    await app.close()
  })

  it('pushes visits once, quarantines an out-of-scope one, and another device pulls them', async () => {
    const leader = await login('13800000001')
    const phone = freshDb()
    await phone.setMeta('session', leader)
    const now = Date.now()
    const good = await saveRecord(phone, { type: 'visit', orgPath: BUILDING, body: visitBody('1-2-1', '', now), authorId: leader.user.id, deviceId: 'p1', now })
    const outside = await saveRecord(phone, { type: 'visit', orgPath: ELSEWHERE, body: visitBody('1-1-1', '', now), authorId: leader.user.id, deviceId: 'p1', now })

    const engine = new SyncEngine({ db: phone, fetch: injectFetch(app), timers: null, locks: null })
    expect((await engine.sync()).state).toBe('idle')
    expect(await phone.outbox.get(good.id)).toBeUndefined()
    expect((await phone.records.get(good.id))?.seq).toBeGreaterThan(0)
    expect(await phone.outbox.get(outside.id)).toMatchObject({ state: 'attention', code: 'out_of_scope' })

    // the same record sent again (a lost response) is a duplicate, not a second copy
    await phone.outbox.put({ id: good.id, state: 'pending', queuedAt: now, attempts: 0 })
    expect((await engine.sync({ force: true })).state).toBe('idle')
    expect(await phone.outbox.get(good.id)).toBeUndefined()

    const groupLeader = await login('13800000002')
    const tablet = freshDb()
    await tablet.setMeta('session', groupLeader)
    await new SyncEngine({ db: tablet, fetch: injectFetch(app), timers: null, locks: null }).sync()
    expect((await tablet.records.toArray()).map((r) => r.id)).toEqual([good.id])
    expect(await tablet.getMeta('cursor')).toBe((await phone.records.get(good.id))?.seq)
  })

  it('an unknown token pauses sync for a new login and keeps the outbox', async () => {
    const phone = freshDb()
    const leader = await login('13800000001')
    await phone.setMeta('session', { ...leader, token: 'not-a-token' })
    const record = await saveRecord(phone, { type: 'visit', orgPath: BUILDING, body: visitBody(), authorId: leader.user.id, deviceId: 'p1', now: Date.now() })
    const engine = new SyncEngine({ db: phone, fetch: injectFetch(app), timers: null, locks: null })
    expect((await engine.sync()).state).toBe('paused')
    expect(await phone.getMeta('syncPaused')).toBe('login')
    expect(await phone.outbox.get(record.id)).toMatchObject({ state: 'pending' })

    await phone.setMeta('session', leader)
    expect((await engine.resume()).state).toBe('idle')
    expect(await phone.outbox.count()).toBe(0)
  })
})
