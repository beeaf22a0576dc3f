/**
 * Behind a TLS-terminating reverse proxy: TRUST_PROXY trusts exactly the proxy's hop(s),
 * HSTS over HTTPS, and the start-up warning for plain HTTP to other machines.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { StartupError } from '../../../src/server/db'
import { HSTS, parseTrustProxy, startupWarnings, type TrustProxy } from '../../../src/server/proxy'
import { setup, type TestEnv } from './helpers'

let env: TestEnv | null = null
afterEach(async () => {
  await env?.close()
  env = null
})

/** An app with TRUST_PROXY as given and a route that answers what the server believes about the caller. */
async function appBehind(trustProxy: TrustProxy): Promise<TestEnv> {
  env = await setup({ trustProxy, seed: false })
  env.app.get('/api/v1/test-caller', { config: { public: true } }, async (req) => ({ ip: req.ip, protocol: req.protocol }))
  return env
}

const PROXY = '10.0.0.5'
const CLIENT = '203.0.113.7'

describe('TRUST_PROXY', () => {
  it('reads a hop count or the proxies\' addresses, never "trust everything"; anything else stops the start', () => {
    expect(parseTrustProxy(undefined)).toBe(false)
    expect(parseTrustProxy('')).toBe(false)
    expect(parseTrustProxy('0')).toBe(false)
    expect(parseTrustProxy('1')).toBe(1)
    expect(parseTrustProxy('2')).toBe(2)
    expect(parseTrustProxy('127.0.0.1, 10.0.0.0/8,::1')).toEqual(['127.0.0.1', '10.0.0.0/8', '::1'])
    expect(parseTrustProxy('127.0.0.1,')).toEqual(['127.0.0.1'])
    for (const bad of ['true', 'yes', '11', '-1', '1.5', '10.0.0.0/33', 'proxy.local']) {
      expect(() => parseTrustProxy(bad), bad).toThrow(StartupError)
      expect(() => parseTrustProxy(bad), bad).toThrow(/TRUST_PROXY 无效.* \/ Invalid TRUST_PROXY/)
    }
  })

  it('with one hop the client is the address the proxy saw, not one the client wrote into X-Forwarded-For', async () => {
    const { app } = await appBehind(1)
    // the client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the address it saw
    const r = await app.inject({ url: '/api/v1/test-caller', remoteAddress: PROXY, headers: { 'x-forwarded-for': `1.2.3.4, ${CLIENT}` } })
    expect(r.json()).toMatchObject({ ip: CLIENT })
  })

  it('with the proxy\'s address, only that proxy is believed; a direct caller\'s header is ignored', async () => {
    const { app } = await appBehind([PROXY])
    const via = await app.inject({ url: '/api/v1/test-caller', remoteAddress: PROXY, headers: { 'x-forwarded-for': `1.2.3.4, ${CLIENT}` } })
    expect(via.json()).toMatchObject({ ip: CLIENT })
    const direct = await app.inject({ url: '/api/v1/test-caller', remoteAddress: '198.51.100.9', headers: { 'x-forwarded-for': '1.2.3.4' } })
    expect(direct.json()).toMatchObject({ ip: '198.51.100.9' })
  })

  it('without TRUST_PROXY X-Forwarded-For is ignored', async () => {
    const { app } = await appBehind(false)
    const r = await app.inject({ url: '/api/v1/test-caller', remoteAddress: '198.51.100.9', headers: { 'x-forwarded-for': '1.2.3.4' } })
    expect(r.json()).toMatchObject({ ip: '198.51.100.9' })
  })
})

describe('HSTS', () => {
  it('is sent when the trusted proxy says the request came over HTTPS, on the app and the API alike', async () => {
    const { app } = await appBehind(1)
    for (const url of ['/api/v1/about', '/']) {
      const r = await app.inject({ url, remoteAddress: PROXY, headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': CLIENT } })
      expect(r.headers['strict-transport-security'], url).toBe(HSTS)
    }
  })

  it('is not sent over plain HTTP, nor when an untrusted caller merely claims HTTPS', async () => {
    const { app } = await appBehind(false)
    expect((await app.inject({ url: '/api/v1/about' })).headers['strict-transport-security']).toBeUndefined()
    const claimed = await app.inject({ url: '/api/v1/about', headers: { 'x-forwarded-proto': 'https' } })
    expect(claimed.headers['strict-transport-security']).toBeUndefined()
  })
})

describe('start-up warning', () => {
  it('warns when other machines are served over plain HTTP, and only then', () => {
    const lines = startupWarnings({ host: '0.0.0.0', trustProxy: false })
    expect(lines.join('\n')).toMatch(/明文 HTTP[^]*HTTPS[^]*WARNING: serving other machines over plain HTTP/)
    expect(startupWarnings({ host: '192.168.1.20', trustProxy: false })).toHaveLength(2)
    expect(startupWarnings({ host: '127.0.0.1', trustProxy: false })).toEqual([])
    expect(startupWarnings({ host: 'localhost', trustProxy: false })).toEqual([])
    expect(startupWarnings({ host: '0.0.0.0', trustProxy: 1 })).toEqual([])
  })
})
