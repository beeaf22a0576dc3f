/**
 * A device holds only what its person may read now: the sync engine against the
 * real server (fetch through Fastify's inject), on a fresh device database each.
 * An erasure on the server reaches a tablet that already held the household's name
 * and phone; a group leader moved to another group keeps none of the old group's
 * profiles after one sync; a role that no longer reads profiles purges them.
 */
import 'fake-indexeddb/auto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { uuidv7, type LocalRecord, type LoginResponse, type RecordType, type Role } from '@shared/index'
import { SyncEngine } from '@app/sync/engine'
import type { FetchLike } from '@app/sync/transport'
import { saveRecord } from '@app/sync/outbox'
import type { LoudongDB } from '@app/db/database'
import { B01, login, PHONES, push, setup, type TestEnv } from '../server/helpers'
import { freshDb } from './fakes'

const NAME = '王秀英'
const PHONE = '13912345678'
const G02_B01 = 'pl/tuodong/mingtongxiang/g02/b01'

let env: TestEnv
beforeEach(async () => {
  env = await setup({ backend: 'sqlite' })
})
afterEach(async () => {
  await env.close()
})

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

function rec<T extends RecordType>(by: LoginResponse, type: T, body: LocalRecord<T>['body'], orgPath = B01): LocalRecord<T> {
  return { id: uuidv7(), type, v: 1, orgPath, authorId: by.user.id, deviceId: 'dev', clientTime: '2026-05-01T09:30:00.000Z', body } as LocalRecord<T>
}

async function device(who: LoginResponse): Promise<{ db: LoudongDB; sync: () => Promise<void> }> {
  const db = freshDb()
  await db.setMeta('session', who)
  const engine = new SyncEngine({ db, fetch: injectFetch(env.app), timers: null, locks: null })
  return { db, sync: async () => void expect((await engine.sync({ force: true })).state).toBe('idle') }
}

const holds = async (db: LoudongDB, text: string) => JSON.stringify(await db.records.toArray()).includes(text)

async function setUser(phone: string, scopes: string[], role?: Role): Promise<void> {
  const row = (await env.storage.users.byPhone(phone))!
  await env.storage.users.upsert({ phone: row.phone, name: row.name, role: role ?? row.role, scopes, passwordHash: row.passwordHash })
}

describe('the device purges what its person may no longer hold', () => {
  it('an erasure on the server removes name and phone from a group leader tablet that held them, at its next sync', async () => {
    const zhang = await login(env.app, PHONES.zhang)
    await push(env.app, zhang.token, [
      rec(zhang, 'household.profile', { household: '1-3-2', displayName: NAME, phone: PHONE }),
      rec(zhang, 'visit', { household: '1-3-2', outcome: 'met', purposes: ['care'], note: `${NAME}血压高`, visitedAt: '2026-05-01T09:20:00.000Z' }),
      rec(zhang, 'household.profile', { household: '1-1-1', displayName: '李大爷' }),
    ])
    const tablet = await device(await login(env.app, PHONES.wang))
    await tablet.sync()
    expect(await holds(tablet.db, NAME)).toBe(true)
    // the number reaches devices masked (only an audited reveal shows it in full)
    expect(await holds(tablet.db, PHONE)).toBe(false)
    expect(await holds(tablet.db, '139****5678')).toBe(true)

    const liu = await login(env.app, PHONES.liu)
    await push(env.app, liu.token, [rec(liu, 'household.erasure', { household: '1-3-2', reason: '居民申请删除' })])
    await tablet.sync()
    expect(await holds(tablet.db, NAME)).toBe(false)
    expect(await holds(tablet.db, '139****5678')).toBe(false)
    // another household is untouched, and the visit is still a fact on the tablet
    expect(await holds(tablet.db, '李大爷')).toBe(true)
    expect((await tablet.db.records.where('type').equals('visit').toArray()).map((r) => r.type === 'visit' && r.body.outcome)).toEqual(['met'])
  })

  it('a visit written offline before the erasure and sent after it is erased on the server and on the phone that wrote it', async () => {
    const zhang = await login(env.app, PHONES.zhang)
    const phone = await device(zhang)
    await phone.sync()
    // no signal: the visit waits on the phone
    await saveRecord(phone.db, {
      type: 'visit', orgPath: B01, authorId: zhang.user.id, deviceId: 'phone', now: env.clock.t - 3600_000,
      body: { household: '1-3-2', outcome: 'met', purposes: ['care'], note: `${NAME}说腿疼`, visitedAt: new Date(env.clock.t - 3700_000).toISOString() },
    })
    const liu = await login(env.app, PHONES.liu)
    await push(env.app, liu.token, [rec(liu, 'household.erasure', { household: '1-3-2', reason: '居民申请删除' })])
    env.clock.t += 600_000
    await phone.sync()
    expect(await phone.db.outbox.count()).toBe(0)
    expect(await holds(phone.db, NAME)).toBe(false)
    const served = await env.app.inject({ url: '/api/v1/sync/pull?limit=2000', headers: { authorization: `Bearer ${zhang.token}` } })
    expect(served.body).not.toContain(NAME)
  })

  it('an erasure made on the staff device redacts its own copies at once, before any sync', async () => {
    const zhang = await login(env.app, PHONES.zhang)
    await push(env.app, zhang.token, [rec(zhang, 'household.profile', { household: '1-3-2', displayName: NAME, phone: PHONE })])
    const liu = await login(env.app, PHONES.liu)
    const desk = await device(liu)
    await desk.sync()
    expect(await holds(desk.db, NAME)).toBe(true)
    await saveRecord(desk.db, { type: 'household.erasure', orgPath: B01, body: { household: '1-3-2', reason: '居民申请删除' }, authorId: liu.user.id, deviceId: 'desk', now: env.clock.t })
    expect(await holds(desk.db, NAME)).toBe(false)
    await desk.sync()
    expect(await desk.db.outbox.count()).toBe(0)
  })

  it('a group leader moved to another group keeps none of the old group profiles after one sync', async () => {
    const zhang = await login(env.app, PHONES.zhang)
    await push(env.app, zhang.token, [rec(zhang, 'household.profile', { household: '1-3-2', displayName: NAME, phone: PHONE })])
    const liu = await login(env.app, PHONES.liu)
    // a building leader of the new group would write there; staff write a profile there for the test
    await setUser(PHONES.liu, ['pl/tuodong/mingtongxiang'])
    const wang = await login(env.app, PHONES.wang)
    const tablet = await device(wang)
    await tablet.sync()
    expect(await holds(tablet.db, NAME)).toBe(true)

    await setUser(PHONES.wang, ['pl/tuodong/mingtongxiang/g02'])
    await push(env.app, liu.token, [rec(liu, 'household.profile', { household: '1-1-1', displayName: '赵阿姨' }, G02_B01)])
    await tablet.sync()
    const left = await tablet.db.records.toArray()
    expect(left.filter((r) => r.orgPath.startsWith('pl/tuodong/mingtongxiang/g01/'))).toEqual([])
    expect(await holds(tablet.db, NAME)).toBe(false)
    expect(await holds(tablet.db, '赵阿姨')).toBe(true)
  })

  it('a role that no longer reads profiles (moved to street staff) purges them, and keeps its own unsent records', async () => {
    const zhang = await login(env.app, PHONES.zhang)
    await push(env.app, zhang.token, [rec(zhang, 'household.profile', { household: '1-3-2', displayName: NAME, phone: PHONE })])
    const liu = await login(env.app, PHONES.liu)
    const desk = await device(liu)
    await desk.sync()
    expect(await holds(desk.db, NAME)).toBe(true)
    await setUser(PHONES.liu, ['pl/tuodong'], 'street_staff')
    const unsent = await saveRecord(desk.db, {
      type: 'feedback', orgPath: 'pl/tuodong/mingtongxiang', authorId: liu.user.id, deviceId: 'desk', now: env.clock.t,
      body: { category: 'other', description: '社区活动室需要维修', urgency: 'normal', channel: 'other', raisedAt: new Date(env.clock.t - 60_000).toISOString() },
    })
    // the push goes first, so hold it back: only the pull answers
    await desk.db.outbox.update(unsent.id, { state: 'attention' })
    await desk.sync()
    expect(await holds(desk.db, NAME)).toBe(false)
    expect(await desk.db.records.get(unsent.id)).toBeDefined()
  })
})
