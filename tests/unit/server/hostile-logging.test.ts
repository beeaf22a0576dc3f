/**
 * Issue 7, security: with request logging on (LOG=1), no password and no token
 * ever reaches the log — not from a good login, a wrong one, a body too long,
 * nor a body that is not even valid JSON. A real server process on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanup, startServer, type RunningServer } from '../../e2e/harness'

const WRONG = 'Wr0ng-Passw0rd-Zebra'
const BROKEN = 'Br0ken-Json-Passw0rd'
const HUGE = 'Hug3-Passw0rd-'.repeat(40)

let server: RunningServer
beforeAll(async () => {
  const before = process.env.LOG
  process.env.LOG = '1'
  try {
    server = await startServer({ distDir: '/nonexistent-dist' })
  } finally {
    if (before === undefined) delete process.env.LOG
    else process.env.LOG = before
  }
}, 60_000)
afterAll(async () => {
  await server?.stop()
  if (server) cleanup(server.dataDir)
})

async function post(path: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  const r = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
  await r.text()
  return r.status
}

describe('LOG=1', () => {
  it('logs requests but never a password or a token', async () => {
    const good = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: '13800000001', password: 'demo-1234' }) })
    const { token } = (await good.json()) as { token: string }
    expect(good.status).toBe(200)
    expect(await post('/api/v1/auth/login', JSON.stringify({ phone: '13800000001', password: WRONG }))).toBe(401)
    expect(await post('/api/v1/auth/login', `{"phone":"13800000001","password":"${BROKEN}"`)).toBe(400)
    expect(await post('/api/v1/auth/login', JSON.stringify({ phone: '13800000001', password: HUGE }))).toBe(400)
    expect(await post('/api/v1/auth/login?password=' + encodeURIComponent(WRONG), '{}')).toBe(400)
    expect(await post('/api/v1/sync/push', '{"records":[]}', { authorization: `Bearer ${token}` })).toBe(200)
    expect(await post('/api/v1/auth/logout', '{}', { authorization: `Bearer ${token}` })).toBe(200)
    await new Promise((r) => setTimeout(r, 300))

    const log = server.output()
    // logging really is on, or this test would prove nothing
    expect(log).toMatch(/"url":"\/api\/v1\/auth\/login"/)
    expect(log).toContain('/api/v1/sync/push')
    for (const secret of [WRONG, BROKEN, 'Hug3-Passw0rd', token]) expect(log, secret).not.toContain(secret)
    // the demo password is printed once at start-up on purpose (the demo logins); never in a request log line
    const requestLines = log.split('\n').filter((l) => l.startsWith('{'))
    expect(requestLines.length).toBeGreaterThanOrEqual(14)
    expect(requestLines.filter((l) => l.includes('demo-1234'))).toEqual([])
  })
})
