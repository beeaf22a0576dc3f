import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bearer, login, PHONES, setup, type TestEnv } from './helpers'
import { hashPassword, hashToken, verifyPassword, SESSION_TTL_MS } from '../../../src/server/auth'
import { runAdmin } from '../../../src/server/admin'
import { IP_LIMIT_FACTOR } from '../../../src/server/app'

let env: TestEnv
beforeEach(async () => {
  env = await setup()
})
afterEach(async () => {
  await env.close()
})

const loginReq = (phone: string, password: string, extra: { headers?: Record<string, string>; remoteAddress?: string } = {}) =>
  env.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { phone, password }, ...extra })

describe('passwords', () => {
  it('are salted scrypt hashes that verify only the right password', async () => {
    const a = await hashPassword('demo-1234')
    const b = await hashPassword('demo-1234')
    expect(a).toMatch(/^scrypt\$/)
    expect(a).not.toBe(b)
    expect(await verifyPassword('demo-1234', a)).toBe(true)
    expect(await verifyPassword('demo-1235', a)).toBe(false)
    expect(await verifyPassword('demo-1234', 'garbage')).toBe(false)
  })
})

describe('POST /api/v1/auth/login', () => {
  it('returns a token and the user with their scopes', async () => {
    const res = await loginReq(PHONES.zhang, 'demo-1234')
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(body.user).toEqual({
      id: expect.any(String),
      name: '张秀英',
      phone: PHONES.zhang,
      role: 'building_leader',
      scopes: ['pl/tuodong/mingtongxiang/g01/b01', 'pl/tuodong/mingtongxiang/g01/b02'],
    })
    // only the hash of the token is stored
    const rows = await env.sql<{ token_hash: string }>('SELECT token_hash FROM sessions')
    expect(rows).toEqual([{ token_hash: hashToken(body.token) }])
    expect(JSON.stringify(rows)).not.toContain(body.token)
  })

  it('accepts the phone typed with spaces or +86', async () => {
    expect((await loginReq('+86 138 0000 0001', 'demo-1234')).statusCode).toBe(200)
  })

  it('answers a wrong password with 401 in Chinese by default', async () => {
    const res = await loginReq(PHONES.zhang, 'wrong-pass')
    expect(res.statusCode).toBe(401)
    expect(res.headers['content-type']).toMatch(/application\/json/)
    expect(res.json()).toEqual({ error: { code: 'wrong_password', message: '手机号或密码不正确' } })
  })

  it('answers an unknown phone exactly like a wrong password', async () => {
    const res = await loginReq('13999999999', 'demo-1234')
    expect(res.statusCode).toBe(401)
    expect(res.json().error.code).toBe('wrong_password')
  })

  it('answers in English when Accept-Language prefers it', async () => {
    const res = await loginReq(PHONES.zhang, 'wrong-pass', { headers: { 'accept-language': 'en-US,en;q=0.9,zh-CN;q=0.8' } })
    expect(res.json()).toEqual({ error: { code: 'wrong_password', message: 'Wrong phone number or password' } })
  })

  it('rejects a malformed body with 400 bad_request', async () => {
    const res = await env.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { phone: 13800000001 } })
    expect(res.statusCode).toBe(400)
    expect(res.json().error.code).toBe('bad_request')
  })

  it('blocks the 11th attempt for one account (from many addresses) with 429 and Retry-After', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await loginReq(PHONES.zhang, `wrong-${i}`, { remoteAddress: `10.0.0.${i + 1}` })
      expect(res.statusCode).toBe(401)
    }
    // even the right password is refused now
    const res = await loginReq(PHONES.zhang, 'demo-1234', { remoteAddress: '10.0.1.1' })
    expect(res.statusCode).toBe(429)
    expect(res.json().error.code).toBe('rate_limited')
    const retry = Number(res.headers['retry-after'])
    expect(retry).toBeGreaterThan(0)
    expect(retry).toBeLessThanOrEqual(15 * 60)
    // another account is not affected
    expect((await loginReq(PHONES.wang, 'demo-1234', { remoteAddress: '10.0.1.1' })).statusCode).toBe(200)
    // after the window the account may try again
    env.clock.t += 15 * 60 * 1000 + 1000
    expect((await loginReq(PHONES.zhang, 'demo-1234', { remoteAddress: '10.0.1.1' })).statusCode).toBe(200)
  })

  it('blocks the 51st attempt from one address (over many accounts): an address is often shared', async () => {
    for (let i = 0; i < 10 * IP_LIMIT_FACTOR; i++) {
      const res = await loginReq(`13900000${String(i).padStart(3, '0')}`, 'wrong-pass', { remoteAddress: '192.0.2.7' })
      expect(res.statusCode).toBe(401)
    }
    const res = await loginReq(PHONES.zhang, 'demo-1234', { remoteAddress: '192.0.2.7' })
    expect(res.statusCode).toBe(429)
    expect(res.headers['retry-after']).toBeDefined()
    // the same account from another address is fine
    expect((await loginReq(PHONES.zhang, 'demo-1234', { remoteAddress: '192.0.2.8' })).statusCode).toBe(200)
  })

  it('does not count successful logins as failures', async () => {
    for (let i = 0; i < 15; i++) expect((await loginReq(PHONES.zhang, 'demo-1234')).statusCode).toBe(200)
  })
})

describe('authenticated requests', () => {
  it('GET /api/v1/me returns the caller', async () => {
    const { token } = await login(env.app, PHONES.liu)
    const res = await env.app.inject({ url: '/api/v1/me', headers: bearer(token) })
    expect(res.statusCode).toBe(200)
    expect(res.json().user).toMatchObject({ name: '刘敏', role: 'community_staff', scopes: ['pl/tuodong/mingtongxiang'] })
  })

  it('without a token every /api route answers 401 unauthorized as JSON', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/me'],
      ['GET', '/api/v1/org'],
      ['GET', '/api/v1/sync/pull'],
      ['POST', '/api/v1/sync/push'],
      ['POST', '/api/v1/auth/logout'],
    ] as const) {
      const res = await env.app.inject({ method, url, ...(method === 'POST' ? { payload: { records: [] } } : {}) })
      expect(res.statusCode, url).toBe(401)
      expect(res.headers['content-type']).toMatch(/application\/json/)
      expect(res.json()).toEqual({ error: { code: 'unauthorized', message: '登录已过期,请重新登录' } })
    }
  })

  it('a made-up token is 401', async () => {
    const res = await env.app.inject({ url: '/api/v1/me', headers: bearer('x'.repeat(43)) })
    expect(res.statusCode).toBe(401)
  })

  it('logout revokes the token', async () => {
    const { token } = await login(env.app, PHONES.zhang)
    expect((await env.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(token) })).statusCode).toBe(200)
    const res = await env.app.inject({ url: '/api/v1/me', headers: bearer(token) })
    expect(res.statusCode).toBe(401)
    expect(res.json().error.code).toBe('unauthorized')
  })

  it('a session lasts 180 days from its last use, and last_seen_at is written at most once a minute', async () => {
    const { token } = await login(env.app, PHONES.zhang)
    const lastSeen = async () => (await env.sql<{ t: number }>('SELECT last_seen_at AS t FROM sessions'))[0]!.t
    const t0 = env.clock.t
    env.clock.t += 30_000
    expect((await env.app.inject({ url: '/api/v1/me', headers: bearer(token) })).statusCode).toBe(200)
    expect(await lastSeen()).toBe(t0)
    env.clock.t += 31_000
    expect((await env.app.inject({ url: '/api/v1/me', headers: bearer(token) })).statusCode).toBe(200)
    expect(await lastSeen()).toBe(t0 + 61_000)
    // 179 days offline: still valid
    env.clock.t += SESSION_TTL_MS - 24 * 3600 * 1000
    expect((await env.app.inject({ url: '/api/v1/me', headers: bearer(token) })).statusCode).toBe(200)
    // then more than 180 days without use: expired
    env.clock.t += SESSION_TTL_MS + 1000
    expect((await env.app.inject({ url: '/api/v1/me', headers: bearer(token) })).statusCode).toBe(401)
  })
})

describe('disabled accounts', () => {
  it('get 403 account_disabled at login and on every request, even after their tokens were revoked', async () => {
    const { token } = await login(env.app, PHONES.zhang)
    const out: string[] = []
    const code = await runAdmin(['user:disable', '--phone', PHONES.zhang], { out: (l) => out.push(l), err: (l) => out.push(l) }, env.adminEnv)
    expect(code).toBe(0)
    const [revoked] = await env.sql<{ n: number }>('SELECT count(*) AS n FROM sessions WHERE revoked_at IS NOT NULL')
    expect(revoked!.n).toBe(1)

    for (const [method, url] of [['GET', '/api/v1/me'], ['GET', '/api/v1/sync/pull'], ['GET', '/api/v1/org']] as const) {
      const res = await env.app.inject({ method, url, headers: bearer(token) })
      expect(res.statusCode, url).toBe(403)
      expect(res.json()).toEqual({ error: { code: 'account_disabled', message: '此账号已停用,请联系社区' } })
    }
    const res = await loginReq(PHONES.zhang, 'demo-1234')
    expect(res.statusCode).toBe(403)
    expect(res.json().error.code).toBe('account_disabled')
    // a wrong password does not reveal that the account is disabled
    expect((await loginReq(PHONES.zhang, 'wrong-pass')).statusCode).toBe(401)

    expect(await runAdmin(['user:enable', '--phone', PHONES.zhang], { out: () => {}, err: () => {} }, env.adminEnv)).toBe(0)
    expect((await loginReq(PHONES.zhang, 'demo-1234')).statusCode).toBe(200)
  })

  it('disabled directly in the database while a session is live: 403 on the next request', async () => {
    const { token } = await login(env.app, PHONES.wang)
    await env.storage.users.setDisabled(PHONES.wang, new Date().toISOString())
    const res = await env.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers: bearer(token), payload: { records: [] } })
    expect(res.statusCode).toBe(403)
    expect(res.json().error.code).toBe('account_disabled')
  })
})

describe('protocol version', () => {
  it('answers 426 outdated_client when the client protocol is below the minimum', async () => {
    const { token } = await login(env.app, PHONES.zhang)
    const res = await env.app.inject({ url: '/api/v1/sync/pull', headers: { ...bearer(token), 'x-loudong-protocol': '0' } })
    expect(res.statusCode).toBe(426)
    expect(res.json()).toEqual({ error: { code: 'outdated_client', message: '应用版本过旧,请刷新页面更新' } })
    // also before login, so an old app learns to refresh
    const res2 = await env.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'x-loudong-protocol': '0', 'accept-language': 'en' }, payload: { phone: PHONES.zhang, password: 'demo-1234' } })
    expect(res2.statusCode).toBe(426)
    expect(res2.json().error.message).toBe('This app version is too old; refresh the page to update')
  })

  it('accepts the current protocol and requests without the header', async () => {
    const { token } = await login(env.app, PHONES.zhang)
    expect((await env.app.inject({ url: '/api/v1/me', headers: { ...bearer(token), 'x-loudong-protocol': '1' } })).statusCode).toBe(200)
    expect((await env.app.inject({ url: '/api/v1/me', headers: bearer(token) })).statusCode).toBe(200)
  })
})
