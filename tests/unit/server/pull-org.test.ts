import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { B01, B02, bearer, login, PHONES, push, setup, visit, ZYL_B01, type TestEnv, BACKEND } from './helpers'
import { belowRange } from '../../../src/server/storage'
import { normalizeScopes } from '../../../src/shared/org'
import type { OrgNode } from '../../../src/shared/org'
import { uuidv7 } from '../../../src/shared/ids'
import type { LocalRecord } from '../../../src/shared/records'
import type { PullResponse, PushResult } from '../../../src/shared/protocol'

let env: TestEnv
beforeEach(async () => {
  env = await setup()
})
afterEach(async () => {
  await env.close()
})

const pull = async (token: string, query = '') => {
  const res = await env.app.inject({ url: `/api/v1/sync/pull${query}`, headers: bearer(token) })
  expect(res.statusCode, res.body).toBe(200)
  return res.json<PullResponse>()
}

async function pushOk(token: string, records: LocalRecord[]): Promise<number[]> {
  const res = await push(env.app, token, records)
  const results = res.json<{ results: PushResult[] }>().results
  expect(results.map((r) => r.status)).toEqual(records.map(() => 'accepted'))
  return results.map((r) => (r as { seq: number }).seq)
}

describe('GET /api/v1/org', () => {
  const paths = async (phone: string) => {
    const { token } = await login(env.app, phone)
    const res = await env.app.inject({ url: '/api/v1/org', headers: bearer(token) })
    expect(res.statusCode).toBe(200)
    return res.json<{ nodes: OrgNode[] }>().nodes
  }

  it('a building leader sees only their buildings and their ancestors', async () => {
    const nodes = await paths(PHONES.zhang)
    expect(nodes.map((n) => n.path)).toEqual(['pl', 'pl/tuodong', 'pl/tuodong/mingtongxiang', 'pl/tuodong/mingtongxiang/g01', B01, B02])
    expect(nodes.map((n) => n.name)).toEqual(['盘龙区', '拓东街道', '明通巷社区', '第一居民小组', '1栋', '2栋'])
    expect(nodes.find((n) => n.path === B01)!.layout).toEqual({ units: 2, floors: 6, roomsPerFloor: 2 })
  })

  it('community staff of one community see their whole community and nothing of another', async () => {
    const nodes = await paths(PHONES.liu)
    const ps = nodes.map((n) => n.path)
    expect(ps).toContain('pl/tuodong/mingtongxiang/g02')
    expect(ps.filter((p) => p.startsWith('pl/tuodong/mingtongxiang/')).length).toBeGreaterThanOrEqual(2 + 4)
    for (const p of ps) expect(p === 'pl' || p === 'pl/tuodong' || p.startsWith('pl/tuodong/mingtongxiang')).toBe(true)
    expect(ps.some((p) => p.includes('zhuangyuanlou') || p.includes('shangyi'))).toBe(false)
  })

  it('a building leader in 状元楼 also sees the reading points of their own group, not of the other group', async () => {
    const ps = (await paths(PHONES.li)).map((n) => n.path)
    expect(ps).toEqual([
      'pl', 'pl/tuodong', 'pl/tuodong/zhuangyuanlou', 'pl/tuodong/zhuangyuanlou/g01', ZYL_B01,
      'pl/tuodong/zhuangyuanlou/g01/rp-jinzhihe', 'pl/tuodong/zhuangyuanlou/g01/rp-tiyu',
    ])
  })

  it('street staff see their street with its reading points', async () => {
    const nodes = await paths(PHONES.chen)
    const rp = nodes.filter((n) => n.kind === 'reading_point')
    expect(rp.map((n) => n.name).sort()).toEqual(['体电所宿舍', '体育小区小广场', '环卫站宿舍', '金汁河畔'].sort())
    expect(rp.every((n) => n.place && n.usualTime)).toBe(true)
    expect(nodes.some((n) => n.path.startsWith('pl/gulou'))).toBe(false)
  })

  it('the district sees all ten communities', async () => {
    const nodes = await paths(PHONES.yang)
    expect(nodes.filter((n) => n.kind === 'community')).toHaveLength(10)
  })
})

describe('GET /api/v1/sync/pull', () => {
  it('returns only records in scope, ordered by seq, with cursor and more', async () => {
    const zhang = await login(env.app, PHONES.zhang)
    const li = await login(env.app, PHONES.li)
    const mine = [visit(zhang.user.id), visit(zhang.user.id, { orgPath: B02 }), visit(zhang.user.id)]
    const theirs = [visit(li.user.id, { orgPath: ZYL_B01 })]
    const s1 = await pushOk(zhang.token, [mine[0]!])
    const s2 = await pushOk(li.token, theirs)
    const s3 = await pushOk(zhang.token, [mine[1]!, mine[2]!])

    const page = await pull(zhang.token)
    expect(page.records.map((r) => r.id)).toEqual(mine.map((r) => r.id))
    expect(page.records.map((r) => r.seq)).toEqual([s1[0], ...s3])
    expect(page.cursor).toBe(s3[1])
    expect(page.more).toBe(false)
    expect(page.records[0]).toEqual({ ...mine[0], seq: s1[0], serverTime: '2026-05-01T10:00:00.000Z' })

    const liPage = await pull(li.token)
    expect(liPage.records.map((r) => r.id)).toEqual([theirs[0]!.id])
    expect(liPage.cursor).toBe(s2[0])

    // a group leader of mingtongxiang g01 and the community staff see zhang's records only
    for (const phone of [PHONES.wang, PHONES.liu]) {
      const { token } = await login(env.app, phone)
      expect((await pull(token)).records.map((r) => r.id)).toEqual(mine.map((r) => r.id))
    }
    // street and district staff see all of them, in seq order
    for (const phone of [PHONES.chen, PHONES.yang, PHONES.admin]) {
      const { token } = await login(env.app, phone)
      const all = await pull(token)
      expect(all.records.map((r) => r.seq)).toEqual([s1[0], s2[0], ...s3])
    }
  })

  it('pages with after/limit until more is false', async () => {
    const zhang = await login(env.app, PHONES.zhang)
    const recs = Array.from({ length: 7 }, (_, i) => visit(zhang.user.id, { orgPath: i % 2 ? B01 : B02 }))
    const seqs = await pushOk(zhang.token, recs)
    const seen: number[] = []
    let cursor = 0
    let pages = 0
    for (;;) {
      const page = await pull(zhang.token, `?after=${cursor}&limit=3`)
      pages++
      seen.push(...page.records.map((r) => r.seq))
      expect(page.records.length).toBeLessThanOrEqual(3)
      cursor = page.cursor
      if (!page.more) break
    }
    expect(pages).toBe(3)
    expect(seen).toEqual(seqs)
    // beyond the end: empty page, cursor stays
    const end = await pull(zhang.token, `?after=${cursor}`)
    expect(end).toEqual({ records: [], cursor, more: false, scope: expect.any(String), now: expect.any(String), database: { identity: expect.any(String), highestSeq: cursor } })
    const far = await pull(zhang.token, '?after=999999999')
    expect(far).toEqual({ records: [], cursor: 999999999, more: false, scope: expect.any(String), now: expect.any(String), database: { identity: expect.any(String), highestSeq: cursor } })
  })

  it('exactly `limit` records left: more is false', async () => {
    const zhang = await login(env.app, PHONES.zhang)
    await pushOk(zhang.token, [visit(zhang.user.id), visit(zhang.user.id)])
    const page = await pull(zhang.token, '?limit=2')
    expect(page.records).toHaveLength(2)
    expect(page.more).toBe(false)
  })

  it('rejects bad numbers with 400 bad_request', async () => {
    const { token } = await login(env.app, PHONES.zhang)
    for (const q of ['?after=-1', '?after=abc', '?after=1.5', '?limit=0', '?limit=x', '?after=1e3']) {
      const res = await env.app.inject({ url: `/api/v1/sync/pull${q}`, headers: bearer(token) })
      expect(res.statusCode, q).toBe(400)
      expect(res.json().error.code).toBe('bad_request')
    }
    // a limit above the maximum is clamped, not refused
    expect((await env.app.inject({ url: '/api/v1/sync/pull?limit=999999', headers: bearer(token) })).statusCode).toBe(200)
  })

  it('a building leader of one community can never pull records of another, whatever the cursor', async () => {
    const zhang = await login(env.app, PHONES.zhang)
    const li = await login(env.app, PHONES.li)
    await pushOk(li.token, Array.from({ length: 5 }, () => visit(li.user.id, { orgPath: ZYL_B01 })))
    for (const q of ['', '?after=0', '?after=2&limit=1', '?limit=2000']) expect((await pull(zhang.token, q)).records).toEqual([])
  })

  it('scope boundaries are exact: no sibling that shares a prefix, no LIKE wildcard', async () => {
    // siblings whose paths start with the scope's path: b01-x ('-' sorts before '/'), b010, and _ / % lookalikes
    const g = 'pl/tuodong/mingtongxiang/g01'
    const layout = { units: 1, floors: 2, roomsPerFloor: 2 }
    for (const p of ['b01-x', 'b010', 'b0_', 'bx1']) await env.storage.org.upsert({ path: `${g}/${p}`, kind: 'building', name: p, layout })
    await env.storage.users.upsert({ phone: '13900000099', name: '测试', role: 'building_leader', scopes: [`${g}/b0_`], passwordHash: (await env.storage.users.byPhone(PHONES.zhang))!.passwordHash })
    await env.storage.users.upsert({ ...(await env.storage.users.byPhone(PHONES.wang))!, scopes: [g] })
    const group = await login(env.app, PHONES.wang) // group scope: may write everywhere under g01
    const ids: Record<string, string> = {}
    for (const p of ['b01', 'b01-x', 'b010', 'b0_', 'bx1']) {
      const r = visit(group.user.id, { orgPath: `${g}/${p}`, body: { household: '1-1-1' } })
      ids[p] = r.id
      await pushOk(group.token, [r])
    }
    const zhang = await login(env.app, PHONES.zhang)
    expect((await pull(zhang.token)).records.map((r) => r.orgPath)).toEqual([B01])
    const underscore = await login(env.app, '13900000099')
    expect((await pull(underscore.token)).records.map((r) => r.id)).toEqual([ids['b0_']])
    expect((await pull(group.token)).records).toHaveLength(5)
  })

  it('wide scopes (street, district) are exact too', async () => {
    const street = 'pl/tuodong-2'
    await env.storage.org.upsert({ path: street, kind: 'street', name: '拓东二' })
    await env.storage.org.upsert({ path: `${street}/c`, kind: 'community', name: 'c' })
    await env.storage.org.upsert({ path: `${street}/c/g`, kind: 'group', name: 'g' })
    await env.storage.org.upsert({ path: `${street}/c/g/b`, kind: 'building', name: 'b', layout: { units: 1, floors: 1, roomsPerFloor: 1 } })
    const admin = await login(env.app, PHONES.admin)
    const zhang = await login(env.app, PHONES.zhang)
    await pushOk(admin.token, [visit(admin.user.id, { orgPath: `${street}/c/g/b`, body: { household: '1-1-1' } })])
    await pushOk(zhang.token, [visit(zhang.user.id)])
    const chen = await login(env.app, PHONES.chen)
    expect((await pull(chen.token)).records.map((r) => r.orgPath)).toEqual([B01])
    expect((await pull(admin.token)).records).toHaveLength(2)
  })

  it('the narrow pull reads its page from the (org_path, seq) index', async () => {
    const [lo, hi] = belowRange(B01)
    if (BACKEND === 'sqlite') {
      const plan = (await env.sql<{ detail: string }>(
        `EXPLAIN QUERY PLAN SELECT seq FROM records INDEXED BY records_scope WHERE (org_path = '${B01}' AND seq > 0) OR (org_path >= '${lo}' AND org_path < '${hi}' AND seq > 0) ORDER BY seq LIMIT 10`,
      )).map((r) => r.detail).join(' | ')
      expect(plan).toMatch(/COVERING INDEX records_scope/)
    } else {
      // A tiny table is read whole; with that ruled out, the range must be answerable from the
      // index, which it is only when the path columns sort bytewise (COLLATE "C").
      const plan = (await env.sql<{ 'QUERY PLAN': string }>(
        `SET enable_seqscan = off; EXPLAIN SELECT seq FROM records WHERE (org_path = '${B01}' AND seq > 0) OR (org_path >= '${lo}' AND org_path < '${hi}' AND seq > 0) ORDER BY seq LIMIT 10; RESET enable_seqscan`,
      )).map((r) => r['QUERY PLAN']).join(' | ')
      expect(plan).toMatch(/records_scope/)
      expect(plan).toMatch(/Index Cond: \(\(org_path >= /)
    }
  })
})

describe('reading points', () => {
  const session = (authorId: string, orgPath: string, households: { building: string; household: string }[] = []): LocalRecord => ({
    id: uuidv7(),
    type: 'reading.session',
    v: 1,
    orgPath,
    authorId,
    deviceId: 'dev-li',
    clientTime: '2026-05-01T09:00:00.000Z',
    body: {
      startedAt: '2026-05-01T08:30:00.000Z',
      endedAt: '2026-05-01T09:00:00.000Z',
      reader: '李建华',
      materials: ['人民日报'],
      headCount: 12,
      households,
      notes: '',
    },
  }) as LocalRecord

  it('a building leader may record a session at their group’s reading point, and pull it back; others outside cannot', async () => {
    const li = await login(env.app, PHONES.li)
    const ok = session(li.user.id, 'pl/tuodong/zhuangyuanlou/g01/rp-tiyu', [{ building: ZYL_B01, household: '1-1-1' }])
    const otherGroup = session(li.user.id, 'pl/tuodong/zhuangyuanlou/g02/rp-huanweizhan')
    const badHousehold = session(li.user.id, 'pl/tuodong/zhuangyuanlou/g01/rp-jinzhihe', [{ building: ZYL_B01, household: '9-9-9' }])
    const res = await push(env.app, li.token, [ok, otherGroup, badHousehold])
    const results = res.json<{ results: PushResult[] }>().results
    expect(results.map((r) => [r.status, (r as { code?: string }).code])).toEqual([
      ['accepted', undefined],
      ['rejected', 'out_of_scope'],
      ['rejected', 'unknown_household'],
    ])
    expect((await pull(li.token)).records.map((r) => r.id)).toEqual([ok.id])
    const zhang = await login(env.app, PHONES.zhang)
    expect((await pull(zhang.token)).records).toEqual([])
    // a building leader of the reading point's other group does not see it
    await env.storage.users.upsert({ phone: '13900000077', name: '二组楼栋长', role: 'building_leader', scopes: ['pl/tuodong/zhuangyuanlou/g02/b01'], passwordHash: (await env.storage.users.byPhone(PHONES.li))!.passwordHash })
    const g2 = await login(env.app, '13900000077')
    expect((await pull(g2.token)).records).toEqual([])
  })
})

describe('scope helpers', () => {
  it('normalizeScopes drops repeats and scopes under another scope', () => {
    expect(normalizeScopes(['pl/a/b', 'pl/a', 'pl/a', 'pl/ab', 'pl/a-b'])).toEqual(['pl/a', 'pl/a-b', 'pl/ab'])
  })
})
