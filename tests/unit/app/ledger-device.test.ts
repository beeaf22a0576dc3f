/**
 * A group leader's tablet computes its group's ledger offline from what it
 * pulled, and it gives the server's figures for the same records.
 */
import 'fake-indexeddb/auto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { bearer, login, PHONES, setup, type TestEnv } from '../server/helpers'
import { pushLedgerMonth } from '../server/ledgerFixture'
import type { LedgerResponse } from '@shared/ledgerProtocol'
import type { OrgResponse } from '@shared/index'
import { SyncEngine } from '@app/sync/engine'
import type { FetchLike } from '@app/sync/transport'
import { deviceLedger } from '@app/ledger/deviceLedger'
import { freshDb } from './fakes'

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

let env: TestEnv
beforeAll(async () => {
  env = await setup()
  env.clock.t = Date.parse('2026-06-10T04:00:00Z')
  const who = {
    zhang: await login(env.app, PHONES.zhang),
    li: await login(env.app, PHONES.li),
    wang: await login(env.app, PHONES.wang),
    liu: await login(env.app, PHONES.liu),
    zhao: await login(env.app, '13800000012'),
  }
  await pushLedgerMonth(env.app, who)
})
afterAll(async () => {
  await env.close()
})

describe('ledger on the tablet', () => {
  it('the group leader’s tablet, offline after one sync, gives the server’s figures for its group and each building', async () => {
    const wang = await login(env.app, PHONES.wang)
    const tablet = freshDb()
    await tablet.setMeta('session', wang)
    await new SyncEngine({ db: tablet, fetch: injectFetch(env.app), timers: null, locks: null }).sync()
    const org = (await env.app.inject({ url: '/api/v1/org', headers: bearer(wang.token) })).json<OrgResponse>()
    await tablet.org.bulkPut(org.nodes)
    expect(await tablet.records.count()).toBeGreaterThan(20)

    const scope = 'pl/tuodong/mingtongxiang/g01'
    for (const month of ['2026-04', '2026-05', '2026-06']) {
      const server = (await env.app.inject({ url: `/api/v1/ledger?scope=${scope}&month=${month}`, headers: bearer(wang.token) })).json<LedgerResponse>()
      // the tablet is offline now: nothing but its own database
      const device = await deviceLedger(scope, month, env.clock.t, [], tablet)
      // the device's people list has no scopes, so it does not count leaders with no record (the screen says so)
      const strip = (l: { totals: object; rows: { path: string; figures: object }[] }) => ({
        totals: { ...l.totals, leadersWithoutRecords: 0 },
        rows: l.rows.map((r) => ({ path: r.path, figures: { ...r.figures, leadersWithoutRecords: 0 } })),
      })
      expect(strip(device)).toEqual(strip(server))
      expect(device.name).toBe(server.name)
    }
    // not agreement on nothing: May has the hand-worked figures
    const may = await deviceLedger(scope, '2026-05', env.clock.t, [], tablet)
    expect([may.totals.householdsCovered, may.totals.visits, may.totals.feedbackCollected, may.totals.feedbackResolved, may.totals.replyResolveRate]).toEqual([3, 5, 4, 3, 0.5])
  })
})
