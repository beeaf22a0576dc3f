import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { B01, B02, bearer, login, PHONES, push, setup, visit, type TestEnv } from './helpers'
import { effectiveScopes, scopeHash } from '../../../src/server/scope'
import type { PullResponse } from '../../../src/shared/protocol'

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

async function setScopes(phone: string, scopes: string[]): Promise<void> {
  const row = (await env.storage.users.byPhone(phone))!
  await env.storage.users.upsert({ phone: row.phone, name: row.name, role: row.role, scopes, passwordHash: row.passwordHash })
}

describe('GET /api/v1/sync/pull: scope', () => {
  it('names the same short hash of the effective scopes on every pull of the same user', async () => {
    const zhang = await login(env.app, PHONES.zhang)
    const first = await pull(zhang.token)
    expect(first.scope).toMatch(/^[0-9a-f]{16}$/)
    expect((await pull(zhang.token, '?after=5&limit=1')).scope).toBe(first.scope)
    const again = await login(env.app, PHONES.zhang)
    expect((await pull(again.token)).scope).toBe(first.scope)
    expect(first.scope).toBe(scopeHash(await effectiveScopes(env.storage, zhang.user.scopes)))
    // another user with other scopes: another hash
    const li = await login(env.app, PHONES.li)
    expect((await pull(li.token)).scope).not.toBe(first.scope)
  })

  it('counts the records beyond the page when asked (count=1), and only then', async () => {
    const zhang = await login(env.app, PHONES.zhang)
    const li = await login(env.app, PHONES.li)
    const mine = [B01, B02, B01, B02, B01].map((orgPath) => visit(zhang.user.id, { orgPath }))
    expect((await push(env.app, zhang.token, mine)).statusCode).toBe(200)
    // out of zhang's scope: not counted
    expect((await push(env.app, li.token, [visit(li.user.id, { orgPath: li.user.scopes[0]! })])).statusCode).toBe(200)
    const all = (await pull(zhang.token, '?limit=2000')).records.length
    expect(all).toBeGreaterThanOrEqual(5)
    const first = await pull(zhang.token, '?limit=2&count=1')
    expect(first.records).toHaveLength(2)
    expect(first.remaining).toBe(all - 2)
    expect((await pull(zhang.token, `?after=${first.cursor}&limit=2`)).remaining).toBeUndefined()
    expect((await pull(zhang.token, '?limit=2000&count=1')).remaining).toBe(0)
    const bad = await env.app.inject({ url: '/api/v1/sync/pull?count=yes', headers: bearer(zhang.token) })
    expect(bad.statusCode).toBe(400)
  })

  it('does not depend on the order of the scopes', () => {
    expect(scopeHash([B02, B01])).toBe(scopeHash([B01, B02]))
  })

  it('changes when the user is given another building or loses one, and the new scope pulls the older records', async () => {
    const zhang = await login(env.app, PHONES.zhang)
    const li = await login(env.app, PHONES.li)
    expect(zhang.user.scopes.sort()).toEqual([B01, B02])
    const before = (await pull(zhang.token)).scope

    await setScopes(PHONES.zhang, [B01])
    const shrunk = (await pull(zhang.token)).scope
    expect(shrunk).not.toBe(before)

    // a record of li's building, pushed before zhang may read it
    const other = visit(li.user.id, { orgPath: li.user.scopes[0]! })
    expect((await push(env.app, li.token, [other])).statusCode).toBe(200)
    expect((await pull(zhang.token)).records.map((r) => r.id)).not.toContain(other.id)

    await setScopes(PHONES.zhang, [B01, B02, li.user.scopes[0]!])
    const grown = await pull(zhang.token)
    expect(grown.scope).not.toBe(before)
    expect(grown.scope).not.toBe(shrunk)
    expect(grown.records.map((r) => r.id)).toContain(other.id)

    await setScopes(PHONES.zhang, [B02, B01])
    expect((await pull(zhang.token)).scope).toBe(before)
  })
})
