/**
 * A group leader's tablet computes its group's ledger offline from what it
 * pulled, and it gives the server's figures for the same records.
 */
import 'fake-indexeddb/auto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { B01, bearer, login, PHONES, setup, type TestEnv } from '../server/helpers'
import { pushAll, pushLedgerMonth } from '../server/ledgerFixture'
import { uuidv7 } from '@shared/ids'
import type { LocalRecord } from '@shared/records'
import type { LedgerResponse } from '@shared/ledgerProtocol'
import type { OrgResponse, PeopleResponse } from '@shared/index'
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

    // the leaders working within the group leader's scope come with their scopes (what the people store keeps)
    const listed = (await env.app.inject({ url: '/api/v1/people', headers: bearer(wang.token) })).json<PeopleResponse>().people
    const leaders = listed.flatMap((p) => (p.scopes ? [{ id: p.id, name: p.name, role: p.role, scopes: p.scopes }] : []))
    expect(leaders.map((p) => p.name).sort()).toEqual(['张秀英', '王志强'])
    expect(listed.filter((p) => p.role !== 'building_leader' && p.role !== 'group_leader').every((p) => p.scopes === undefined)).toBe(true)

    const scope = 'pl/tuodong/mingtongxiang/g01'
    let quiet = 0
    for (const month of ['2026-04', '2026-05', '2026-06', '2026-07']) {
      const server = (await env.app.inject({ url: `/api/v1/ledger?scope=${scope}&month=${month}`, headers: bearer(wang.token) })).json<LedgerResponse>()
      // the tablet is offline now: nothing but its own database
      const device = await deviceLedger(scope, month, env.clock.t, leaders, tablet)
      const figures = (l: { totals: object; rows: { path: string; figures: object }[]; quietLeaders: object[] }) => ({
        totals: l.totals,
        rows: l.rows.map((r) => ({ path: r.path, figures: r.figures })),
        quietLeaders: l.quietLeaders,
      })
      expect(figures(device), month).toEqual(figures(server))
      expect(device.name).toBe(server.name)
      quiet += device.totals.leadersWithoutRecords
    }
    // both leaders recorded in May; in a month with no records they are both counted, on both sides
    expect((await deviceLedger(scope, '2026-05', env.clock.t, leaders, tablet)).totals.leadersWithoutRecords).toBe(0)
    expect(quiet).toBeGreaterThan(0)
    // not agreement on nothing: May has the hand-worked figures
    const may = await deviceLedger(scope, '2026-05', env.clock.t, leaders, tablet)
    expect([may.totals.householdsCovered, may.totals.visits, may.totals.feedbackCollected, may.totals.feedbackResolved, may.totals.replyResolveRate]).toEqual([3, 5, 4, 3, 0.5])
  })

  it('a volunteer’s service alone keeps a care household on time, on the tablet as on the server', async () => {
    const wang = await login(env.app, PHONES.wang)
    const scope = 'pl/tuodong/mingtongxiang/g01'
    const june = async () => (await env.app.inject({ url: `/api/v1/ledger?scope=${scope}&month=2026-06`, headers: bearer(wang.token) })).json<LedgerResponse>()
    // 1-2-1 (every 30 days) was last met on 05-01: due 05-31, so late by today (06-10); 1-1-1 (met 05-10) is late too
    const before = await june()
    expect([before.totals.careHouseholds, before.totals.careOnTime]).toEqual([2, 0])

    // a volunteer of the group helps 1-2-1 on 05-25: no visit, but a contact on the care clock (due 06-24)
    const rec = (type: LocalRecord['type'], orgPath: string, body: unknown): LocalRecord =>
      ({ id: uuidv7(), type, v: 1, orgPath, authorId: wang.user.id, deviceId: 'dev-ledger', clientTime: '2026-05-25T03:00:00.000Z', body }) as LocalRecord
    const volunteer = rec('volunteer', scope, { name: '孙丽', phone: '13900000031', skills: '陪护', availability: '周末', active: true })
    const service = rec('volunteer.service', B01, { volunteer: volunteer.id, kind: 'care_visit', note: '陪老人聊天', servedAt: '2026-05-25T02:00:00.000Z', hours: 1, households: ['1-2-1'] })
    await pushAll(env.app, wang, [volunteer, service])

    const after = await june()
    expect([after.totals.careHouseholds, after.totals.careOnTime]).toEqual([2, 1])
    // a service is not a visit: May's visits and coverage are as before
    const may = (await env.app.inject({ url: `/api/v1/ledger?scope=${scope}&month=2026-05`, headers: bearer(wang.token) })).json<LedgerResponse>()
    expect([may.totals.visits, may.totals.householdsCovered]).toEqual([5, 3])

    const tablet = freshDb()
    await tablet.setMeta('session', wang)
    await new SyncEngine({ db: tablet, fetch: injectFetch(env.app), timers: null, locks: null }).sync()
    const org = (await env.app.inject({ url: '/api/v1/org', headers: bearer(wang.token) })).json<OrgResponse>()
    await tablet.org.bulkPut(org.nodes)
    expect(await tablet.records.get(service.id)).toBeDefined()
    const device = await deviceLedger(scope, '2026-06', env.clock.t, [], tablet)
    expect(device.totals.careOnTime).toBe(1)
    const b01 = (l: { rows: { path: string; figures: { careOnTime: number; careHouseholds: number } }[] }) => l.rows.find((r) => r.path === B01)!.figures
    expect([b01(device).careHouseholds, b01(device).careOnTime]).toEqual([b01(after).careHouseholds, b01(after).careOnTime])
    expect({ ...device.totals, leadersWithoutRecords: 0 }).toEqual({ ...after.totals, leadersWithoutRecords: 0 })
  })
})
