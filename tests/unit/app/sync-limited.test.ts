/**
 * A push over the account's limit (429 push_limited) is "try later" to the device:
 * every record stays waiting, none is marked as refused, and the engine backs off for
 * at least the server's Retry-After.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { SyncEngine } from '@app/sync/engine'
import type { FetchLike } from '@app/sync/transport'
import { saveRecord } from '@app/sync/outbox'
import { freshDb, visitBody } from './fakes'
import { B01, login, PHONES, setup, type TestEnv } from '../server/helpers'

let env: TestEnv | undefined
afterEach(async () => {
  await env?.close()
})

describe('a push over the account limit', () => {
  it('keeps every record waiting and retries after Retry-After', async () => {
    env = await setup({ pushLimits: { recordsPerMinute: 2, bytesPerDay: 10_000_000 } })
    const app = env.app
    const fetch: FetchLike = async (url, init) => {
      const res = await app.inject({ method: (init.method ?? 'GET') as 'GET' | 'POST', url, headers: init.headers as Record<string, string>, ...(typeof init.body === 'string' ? { payload: init.body } : {}) })
      return new Response(res.body, { status: res.statusCode, headers: res.headers as Record<string, string> })
    }
    const leader = await login(app, PHONES.zhang)
    const phone = freshDb()
    await phone.setMeta('session', leader)
    for (const h of ['1-1-1', '1-1-2', '1-2-1']) {
      await saveRecord(phone, { type: 'visit', orgPath: B01, body: visitBody(h, '', env.clock.t), authorId: leader.user.id, deviceId: 'p', now: env.clock.t })
    }
    const scheduled: number[] = []
    const engine = new SyncEngine({
      db: phone,
      fetch,
      random: () => 0,
      locks: null,
      timers: { setTimeout: (_fn: () => void, ms: number) => (scheduled.push(ms), scheduled.length), clearTimeout: () => undefined },
    })
    const status = await engine.sync()
    expect(status).toMatchObject({ state: 'retrying', code: 'push_limited' })
    expect(status.retryInMs).toBeGreaterThan(0)
    expect(scheduled.at(-1)).toBe(status.retryInMs)
    expect(await phone.outbox.where('state').equals('attention').count()).toBe(0)
    expect(await phone.outbox.where('state').equals('pending').count()).toBe(3)
    expect(await env.storage.records.count()).toBe(0)
  })
})
