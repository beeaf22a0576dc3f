/**
 * GET /api/v1/people: the names a device needs to say who acted, for the people
 * whose scopes meet the caller's either way, and nothing more about them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bearer, demoPasswordHash, login, PHONES, setup, type TestEnv } from './helpers'
import type { PeopleResponse, Person } from '../../../src/shared/protocol'

let env: TestEnv
beforeEach(async () => {
  env = await setup()
})
afterEach(async () => {
  await env.close()
})

async function peopleOf(phone: string): Promise<Person[]> {
  const { token } = await login(env.app, phone)
  const res = await env.app.inject({ url: '/api/v1/people', headers: bearer(token) })
  expect(res.statusCode, res.body).toBe(200)
  return res.json<PeopleResponse>().people
}
const names = (people: Person[]) => people.map((p) => p.name).sort()

describe('GET /api/v1/people', () => {
  it('a building leader sees the people above their buildings and themselves, not a building leader of another community', async () => {
    const people = await peopleOf(PHONES.zhang)
    expect(names(people)).toEqual(['刘敏', '张秀英', '杨丽', '王志强', '系统管理员', '陈刚'].sort())
    expect(people.find((p) => p.name === '刘敏')).toEqual({ id: 'demo-13800000003', name: '刘敏', role: 'community_staff' })
    expect(names(people)).not.toContain('李建华')
    expect(names(people)).not.toContain('赵丽华')
  })

  it('community staff see the leaders beneath them too, but not another community’s', async () => {
    const people = names(await peopleOf(PHONES.liu))
    expect(people).toEqual(expect.arrayContaining(['张秀英', '王志强', '刘敏', '陈刚', '杨丽']))
    expect(people).not.toContain('李建华')
    expect(people).not.toContain('赵丽华')
  })

  it('street staff see everyone in the street', async () => {
    expect(names(await peopleOf(PHONES.chen))).toEqual(expect.arrayContaining(['张秀英', '李建华', '王志强', '赵丽华', '刘敏']))
  })

  it('carries id, name and role only (no phone, no password data); scopes only of leaders wholly within the caller’s', async () => {
    const { token } = await login(env.app, PHONES.zhang)
    const res = await env.app.inject({ url: '/api/v1/people', headers: bearer(token) })
    // (the demo's ids happen to embed phone numbers; real ids are random UUIDs, and ids already travel as authorId)
    expect(res.body).not.toMatch(/phone|password|scrypt/i)
    expect(res.body.replace(/"id":"[^"]*"/g, '')).not.toMatch(/1[3-9]\d{9}/)
    const people = res.json<PeopleResponse>().people
    // the building leader's own buildings: within their scope; the group leader's group is not
    expect(people.filter((p) => p.scopes).map((p) => [p.name, p.scopes])).toEqual([['张秀英', ['pl/tuodong/mingtongxiang/g01/b01', 'pl/tuodong/mingtongxiang/g01/b02']]])
    for (const p of people) expect(Object.keys(p).sort()).toEqual(p.scopes ? ['id', 'name', 'role', 'scopes'] : ['id', 'name', 'role'])
  })

  it('a group leader gets the scopes of the leaders working only in the group, so the tablet counts leaders with no record', async () => {
    // one building in this group and one in the next: their scopes would tell of a place the group leader cannot see
    await env.storage.users.upsert({ phone: '13800000097', name: '孙梅', role: 'building_leader', scopes: ['pl/tuodong/mingtongxiang/g01/b03', 'pl/tuodong/mingtongxiang/g02/b01'], passwordHash: await demoPasswordHash() })
    const wang = await peopleOf(PHONES.wang)
    expect(wang.filter((p) => p.scopes).map((p) => p.name).sort()).toEqual(['张秀英', '王志强'].sort())
    expect(wang.find((p) => p.name === '孙梅')).toEqual({ id: expect.any(String), name: '孙梅', role: 'building_leader' })
    // the community sees all of her
    expect((await peopleOf(PHONES.liu)).find((p) => p.name === '孙梅')?.scopes).toEqual(['pl/tuodong/mingtongxiang/g01/b03', 'pl/tuodong/mingtongxiang/g02/b01'])
  })

  it('leaves out disabled accounts', async () => {
    await env.storage.users.setDisabled(PHONES.wang, new Date().toISOString())
    expect(names(await peopleOf(PHONES.zhang))).not.toContain('王志强')
  })

  it('matches whole path segments: a community whose name starts like mine is not mine', async () => {
    await env.storage.users.upsert({ phone: '13800000099', name: '周平', role: 'community_staff', scopes: ['pl/tuodong/mingtong'], passwordHash: await demoPasswordHash() })
    await env.storage.users.upsert({ phone: '13800000098', name: '吴兰', role: 'building_leader', scopes: ['pl/tuodong/mingtongxiang/g01/b011'], passwordHash: await demoPasswordHash() })
    const people = names(await peopleOf(PHONES.zhang))
    expect(people).not.toContain('周平')
    expect(people).not.toContain('吴兰')
    // and each is listed once, though 张秀英 has two buildings under the same group
    expect(people.filter((n) => n === '王志强')).toHaveLength(1)
  })

  it('answers 401 in JSON without a token, and 403 account_disabled for a disabled caller', async () => {
    const res = await env.app.inject({ url: '/api/v1/people' })
    expect(res.statusCode).toBe(401)
    expect(res.json()).toMatchObject({ error: { code: 'unauthorized' } })
    const { token } = await login(env.app, PHONES.zhang)
    await env.storage.users.setDisabled(PHONES.zhang, new Date().toISOString())
    const gone = await env.app.inject({ url: '/api/v1/people', headers: bearer(token) })
    expect(gone.statusCode).toBe(403)
    expect(gone.json()).toMatchObject({ error: { code: 'account_disabled' } })
  })
})
