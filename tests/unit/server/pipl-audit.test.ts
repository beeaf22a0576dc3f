import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readWorkbook } from './xlsxRead'
import { B01, bearer, login, PHONES, push, setup, ZYL_B01, type TestEnv } from './helpers'
import { runAdmin } from '../../../src/server/admin'
import { uuidv7 } from '../../../src/shared/ids'
import type { LocalRecord, RecordType } from '../../../src/shared/records'
import type { LoginResponse, PullResponse } from '../../../src/shared/protocol'
import type { AuditResponse, HouseholdExport } from '../../../src/shared/piplProtocol'
import { maskPhone } from '../../../src/shared/phone'

const NAME = '王秀英'
const PHONE = '13912345678'
const HH = '1-3-2'

let env: TestEnv
beforeEach(async () => {
  env = await setup()
})
afterEach(async () => {
  await env.close()
})

function rec<T extends RecordType>(by: LoginResponse, type: T, body: LocalRecord<T>['body'], orgPath = B01): LocalRecord<T> {
  return { id: uuidv7(), type, v: 1, orgPath, authorId: by.user.id, deviceId: 'dev', clientTime: '2026-05-01T09:30:00.000Z', body } as LocalRecord<T>
}

async function withProfile(): Promise<LoginResponse> {
  const zhang = await login(env.app, PHONES.zhang)
  await push(env.app, zhang.token, [
    rec(zhang, 'household.profile', { household: HH, displayName: NAME, phone: PHONE }),
    rec(zhang, 'visit', { household: HH, outcome: 'met', purposes: ['care'], note: '身体还好', visitedAt: '2026-05-01T09:20:00.000Z' }),
  ])
  return zhang
}

const reveal = (token: string, building = B01, household = HH) =>
  env.app.inject({ method: 'POST', url: '/api/v1/households/reveal', headers: bearer(token), payload: { building, household } })

async function trail(token: string, query = ''): Promise<AuditResponse> {
  const res = await env.app.inject({ url: `/api/v1/audit${query}`, headers: bearer(token) })
  expect(res.statusCode, res.body).toBe(200)
  return res.json<AuditResponse>()
}

describe('phone numbers: masked in every pull, revealed only to the building leader and community staff, audited', () => {
  it('masks the number in pulls and reveals it to those allowed, each reveal in the trail with who and when', async () => {
    const zhang = await withProfile()
    const wang = await login(env.app, PHONES.wang)
    for (const who of [zhang, wang]) {
      const page = (await env.app.inject({ url: '/api/v1/sync/pull', headers: bearer(who.token) })).json<PullResponse>()
      expect(JSON.stringify(page.records)).not.toContain(PHONE)
      expect(JSON.stringify(page.records)).toContain(maskPhone(PHONE))
    }
    expect(maskPhone(PHONE)).toBe('139****5678')

    env.clock.t = Date.parse('2026-05-02T03:04:05Z')
    const shown = await reveal(zhang.token)
    expect(shown.statusCode, shown.body).toBe(200)
    expect(shown.json()).toEqual({ phone: PHONE })
    const liu = await login(env.app, PHONES.liu)
    expect((await reveal(liu.token)).json()).toEqual({ phone: PHONE })
    // the group leader, street staff, and a leader of another building may not
    expect((await reveal(wang.token)).statusCode).toBe(403)
    expect((await reveal((await login(env.app, PHONES.chen)).token)).statusCode).toBe(403)
    expect((await reveal((await login(env.app, PHONES.li)).token)).statusCode).toBe(403)
    expect((await reveal(zhang.token, B01, '9-9-9')).statusCode).toBe(404)

    const entries = (await trail(liu.token, '?action=phone.reveal')).entries
    expect(entries.map((e) => [e.actorId, e.actorName, e.scope, e.target])).toEqual([
      [liu.user.id, '刘敏', B01, HH],
      [zhang.user.id, zhang.user.name, B01, HH],
    ])
    expect(entries[1]!.at).toBe('2026-05-02T03:04:05.000Z')
    expect(JSON.stringify(entries)).not.toContain(PHONE)
  })
})

describe('exports are audited', () => {
  it('community staff export everything held about one household (JSON and XLSX), audited; others may not', async () => {
    await withProfile()
    const liu = await login(env.app, PHONES.liu)
    const json = await env.app.inject({ url: `/api/v1/households/export?building=${B01}&household=${HH}`, headers: bearer(liu.token) })
    expect(json.statusCode, json.body).toBe(200)
    const body = json.json<HouseholdExport>()
    expect(body.room).toBe('302')
    expect(body.records.map((r) => r.type).sort()).toEqual(['household.profile', 'visit'])
    // the resident gets what is held, in full: the export is for them
    expect(JSON.stringify(body)).toContain(PHONE)
    expect(body.records[0]!.authorName).toBe('张秀英')

    const xlsx = await env.app.inject({ url: `/api/v1/households/export?building=${B01}&household=${HH}&format=xlsx`, headers: bearer(liu.token) })
    expect(xlsx.statusCode).toBe(200)
    const sheet = (await readWorkbook(xlsx.rawPayload)).rows('住户信息')
    expect(sheet).toHaveLength(3)
    expect(sheet[0]![0]).toBe('时间(服务器)')

    for (const phone of [PHONES.zhang, PHONES.wang, PHONES.chen]) {
      const other = await login(env.app, phone)
      expect((await env.app.inject({ url: `/api/v1/households/export?building=${B01}&household=${HH}`, headers: bearer(other.token) })).statusCode, phone).toBe(403)
    }
    const entries = (await trail(liu.token, '?action=household.export')).entries
    expect(entries.map((e) => [e.actorId, e.target, e.detail?.format])).toEqual([
      [liu.user.id, HH, 'xlsx'],
      [liu.user.id, HH, 'json'],
    ])
  })

  it('a ledger export is audited, and a street staff export names no resident', async () => {
    await withProfile()
    const liu = await login(env.app, PHONES.liu)
    const chen = await login(env.app, PHONES.chen)
    const month = '2026-05'
    expect((await env.app.inject({ url: `/api/v1/ledger?scope=pl/tuodong/mingtongxiang&month=${month}&format=csv&sheet=visits`, headers: bearer(liu.token) })).body).toContain(NAME)
    const street = await env.app.inject({ url: `/api/v1/ledger?scope=pl/tuodong&month=${month}&format=csv&sheet=visits`, headers: bearer(chen.token) })
    expect(street.statusCode).toBe(200)
    expect(street.body).not.toContain(NAME)
    const xlsx = await env.app.inject({ url: `/api/v1/ledger?scope=pl/tuodong&month=${month}&format=xlsx`, headers: bearer(chen.token) })
    expect(xlsx.statusCode).toBe(200)
    // JSON figures are not a file: not an export
    await env.app.inject({ url: `/api/v1/ledger?scope=pl/tuodong&month=${month}`, headers: bearer(chen.token) })

    const entries = (await trail(chen.token, '?action=ledger.export')).entries
    expect(entries.map((e) => [e.actorName, e.scope, e.detail?.format])).toEqual([
      ['陈立', 'pl/tuodong', 'xlsx'],
      ['陈立', 'pl/tuodong', 'csv'],
      ['刘敏', 'pl/tuodong/mingtongxiang', 'csv'],
    ].map(([n, s, f]) => [n === '陈立' ? chen.user.name : n, s, f]))
    // community staff read only their own scope's entries
    expect((await trail(liu.token, '?action=ledger.export')).entries.map((e) => e.scope)).toEqual(['pl/tuodong/mingtongxiang'])
  })
})

describe('erasures are audited; who reads the trail', () => {
  it('an erasure by staff and one from the command line are in the trail, without personal data', async () => {
    await withProfile()
    const liu = await login(env.app, PHONES.liu)
    await push(env.app, liu.token, [rec(liu, 'household.erasure', { household: HH, reason: '居民申请删除' })])
    const io = { out: () => {}, err: () => {} }
    expect(await runAdmin(['household:erase', B01, '1-1-1', '--reason', '已搬离'], io, env.adminEnv)).toBe(0)
    const entries = (await trail(liu.token, '?action=household.erase')).entries
    expect(entries.map((e) => [e.actorId, e.target])).toEqual([
      [null, '1-1-1'],
      [liu.user.id, HH],
    ])
    expect(JSON.stringify(entries)).not.toContain(NAME)
  })

  it('community staff and above read the trail of their scope; leaders may not; a scope outside theirs is refused', async () => {
    await withProfile()
    const zhang = await login(env.app, PHONES.zhang)
    await reveal(zhang.token)
    const li = await login(env.app, PHONES.li)
    await push(env.app, li.token, [rec(li, 'household.profile', { household: '1-1-1', displayName: '赵阿姨', phone: '13700000000' }, ZYL_B01)])
    await reveal(li.token, ZYL_B01, '1-1-1')

    for (const phone of [PHONES.zhang, PHONES.wang]) {
      expect((await env.app.inject({ url: '/api/v1/audit', headers: bearer((await login(env.app, phone)).token) })).statusCode).toBe(403)
    }
    const liu = await login(env.app, PHONES.liu)
    expect((await trail(liu.token)).entries.map((e) => e.scope)).toEqual([B01])
    expect((await env.app.inject({ url: '/api/v1/audit?scope=pl/tuodong', headers: bearer(liu.token) })).statusCode).toBe(403)
    const chen = await login(env.app, PHONES.chen)
    expect((await trail(chen.token)).entries.map((e) => e.scope)).toEqual([ZYL_B01, B01])
    expect((await trail(chen.token, `?scope=${ZYL_B01}`)).entries).toHaveLength(1)
    const first = await trail(chen.token, '?limit=1')
    expect(first.more).toBe(true)
    expect((await trail(chen.token, `?limit=1&before=${first.entries[0]!.id}`)).entries.map((e) => e.scope)).toEqual([B01])
  })
})
