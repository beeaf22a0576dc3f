import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bearer, login, PHONES, setup, type TestEnv } from './helpers'
import { DEFAULT_LOGIN_THROTTLE, hashPassword, hashToken, verifyPassword, SESSION_MAX_MS, SESSION_TTL_MS } from '../../../src/server/auth'
import { runAdmin } from '../../../src/server/admin'

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
    expect(res.json()).toEqual({ error: { code: 'wrong_password', message: '手机号或密码不正确。忘记密码请找明通巷社区工作人员重设' } })
  })

  it('answers an unknown phone exactly like a wrong password', async () => {
    const res = await loginReq('13999999999', 'demo-1234')
    expect(res.statusCode).toBe(401)
    expect(res.json().error.code).toBe('wrong_password')
  })

  it('answers in English when Accept-Language prefers it', async () => {
    const res = await loginReq(PHONES.zhang, 'wrong-pass', { headers: { 'accept-language': 'en-US,en;q=0.9,zh-CN;q=0.8' } })
    expect(res.json()).toEqual({ error: { code: 'wrong_password', message: 'Wrong phone number or password. If you forgot it, ask the staff of 明通巷社区 to reset it' } })
  })

  it('rejects a malformed body with 400 bad_request', async () => {
    const res = await env.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { phone: 13800000001 } })
    expect(res.statusCode).toBe(400)
    expect(res.json().error.code).toBe('bad_request')
  })

  it('slows one account down with growing waits (not a lock), counted over many addresses, and says whom to ask', async () => {
    const { free, maxDelayMs } = DEFAULT_LOGIN_THROTTLE
    // the first `free` wrong guesses cost nothing
    for (let i = 0; i < free; i++) expect((await loginReq(PHONES.zhang, `wrong-${i}`, { remoteAddress: `10.0.0.${i + 1}` })).statusCode).toBe(401)
    // then even the right password waits, from a new device: 2 s after the 5th failure
    const res = await loginReq(PHONES.zhang, 'demo-1234', { remoteAddress: '10.0.1.1' })
    expect(res.statusCode).toBe(429)
    expect(res.json().error.code).toBe('login_throttled')
    expect(res.json().error.message).toBe('密码错误次数太多，请 2 秒后再试；忘记密码请找明通巷社区工作人员重设')
    expect(res.headers['retry-after']).toBe('2')
    // every further failure doubles the wait, up to the longest
    const waits: number[] = []
    for (let i = 0; i < 12; i++) {
      env.clock.t += 3600 * 1000
      expect((await loginReq(PHONES.zhang, `wrong-again-${i}`, { remoteAddress: `10.0.2.${i + 1}` })).statusCode).toBe(401)
      waits.push(Number((await loginReq(PHONES.zhang, 'demo-1234', { remoteAddress: '10.0.1.1' })).headers['retry-after']))
    }
    expect(waits.slice(0, 4)).toEqual([4, 8, 16, 32])
    expect(Math.max(...waits)).toBe(maxDelayMs / 1000)
    // another account is not affected
    expect((await loginReq(PHONES.wang, 'demo-1234', { remoteAddress: '10.0.1.1' })).statusCode).toBe(200)
    // once the wait is over the right password gets in: never a lock
    env.clock.t += maxDelayMs
    expect((await loginReq(PHONES.zhang, 'demo-1234', { remoteAddress: '10.0.1.1' })).statusCode).toBe(200)
  })

  it('slows one address down after `addressFactor` times as many failures over many accounts: an address is often shared', async () => {
    const { free, addressFactor } = DEFAULT_LOGIN_THROTTLE
    for (let i = 0; i < free * addressFactor; i++) {
      const res = await loginReq(`13900000${String(i).padStart(3, '0')}`, 'wrong-pass', { remoteAddress: '192.0.2.7' })
      expect(res.statusCode).toBe(401)
    }
    const res = await loginReq(PHONES.zhang, 'demo-1234', { remoteAddress: '192.0.2.7' })
    expect(res.statusCode).toBe(429)
    expect(res.headers['retry-after']).toBeDefined()
    // the same account from another address is fine
    expect((await loginReq(PHONES.zhang, 'demo-1234', { remoteAddress: '192.0.2.8' })).statusCode).toBe(200)
  })

  it('names the community and its office phone (from the import) in the wrong-password message', async () => {
    await env.storage.org.upsert({ path: 'pl/tuodong/mingtongxiang', kind: 'community', name: '明通巷社区', phone: '0871-63123456' })
    expect((await loginReq(PHONES.zhang, 'wrong-pass')).json().error.message).toBe('手机号或密码不正确。忘记密码请找明通巷社区工作人员(电话 0871-63123456)重设')
    expect((await loginReq(PHONES.zhang, 'wrong-pass', { headers: { 'accept-language': 'en' } })).json().error.message).toBe(
      'Wrong phone number or password. If you forgot it, ask the staff of 明通巷社区 (phone 0871-63123456) to reset it',
    )
  })

  // a thousand requests take a while on a busy machine or PostgreSQL: a generous timeout, no timing asserted
  it('1,000 wrong guesses for a leader from other addresses: the leader still logs in at once from their own phone', { timeout: 180_000 }, async () => {
    // the leader's phone logged in once before: it keeps the device mark the server set
    const first = await loginReq(PHONES.zhang, 'demo-1234', { remoteAddress: '10.9.9.9' })
    const cookie = String(first.headers['set-cookie']).split(';')[0]!
    expect(cookie).toMatch(/^loudong_device=[A-Za-z0-9_-]{43}$/)
    expect(String(first.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/)
    // the attacker: 1,000 guesses from 250 addresses, as fast as the throttle answers
    let refused = 0
    for (let i = 0; i < 1000; i++) {
      const res = await loginReq(PHONES.zhang, `guess-${i}`, { remoteAddress: `203.0.${i % 250}.${1 + (i % 7)}` })
      expect([401, 429]).toContain(res.statusCode)
      if (res.statusCode === 429) refused++
      env.clock.t += 1000
    }
    expect(refused).toBeGreaterThan(900)
    // the same moment, from the leader's own phone: in at once, no wait
    const own = await loginReq(PHONES.zhang, 'demo-1234', { remoteAddress: '10.9.9.9', headers: { cookie } })
    expect(own.statusCode).toBe(200)
    expect(own.json().user.name).toBe('张秀英')
    // from a phone the account never used, the right password still waits (the attacker's guesses count there)
    expect((await loginReq(PHONES.zhang, 'demo-1234', { remoteAddress: '10.9.9.9' })).statusCode).toBe(429)
    // a made-up mark is no known device
    expect((await loginReq(PHONES.zhang, 'demo-1234', { headers: { cookie: 'loudong_device=' + 'x'.repeat(43) } })).statusCode).toBe(429)
  })

  it('a known device is throttled on its own wrong guesses (a stolen phone cannot guess for ever)', async () => {
    const first = await loginReq(PHONES.wang, 'demo-1234')
    const cookie = String(first.headers['set-cookie']).split(';')[0]!
    for (let i = 0; i < DEFAULT_LOGIN_THROTTLE.free; i++) expect((await loginReq(PHONES.wang, `wrong-${i}`, { headers: { cookie } })).statusCode).toBe(401)
    expect((await loginReq(PHONES.wang, 'demo-1234', { headers: { cookie } })).statusCode).toBe(429)
    // the device's mark belongs to the account it logged in to: another account on that device counts as a new device
    expect((await loginReq(PHONES.zhang, 'demo-1234', { headers: { cookie } })).statusCode).toBe(200)
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
      expect(res.json()).toEqual({ error: { code: 'unauthorized', message: '登录已过期，请重新登录' } })
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

  it('a session used every day still ends 365 days after its login (the absolute lifetime)', async () => {
    const { token } = await login(env.app, PHONES.zhang)
    const me = () => env.app.inject({ url: '/api/v1/me', headers: bearer(token) })
    for (let day = 0; day < 364; day += 7) {
      env.clock.t += 7 * 24 * 3600 * 1000
      expect((await me()).statusCode, `day ${day}`).toBe(200)
    }
    env.clock.t += SESSION_MAX_MS - 364 * 24 * 3600 * 1000 + 1000
    expect((await me()).statusCode).toBe(401)
    expect(SESSION_MAX_MS).toBeGreaterThan(SESSION_TTL_MS)
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
      expect(res.json()).toEqual({ error: { code: 'account_disabled', message: '此账号已停用，请联系社区' } })
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
    expect(res.json()).toEqual({ error: { code: 'outdated_client', message: '应用版本过旧，请刷新页面更新' } })
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
