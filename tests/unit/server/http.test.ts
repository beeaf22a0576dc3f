import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { bearer, login, PHONES, setup, tempDir, type TestEnv } from './helpers'
import { SECURITY_HEADERS } from '../../../src/server/app'
import { compressDist } from '../../../scripts/compress-dist.mjs'

const INDEX = '<!doctype html><html lang="zh-CN"><head><title>楼栋通</title></head><body><div id="app"></div></body></html>'

let dist: string
beforeAll(() => {
  dist = tempDir()
  mkdirSync(join(dist, 'assets'))
  mkdirSync(join(dist, 'icons'))
  writeFileSync(join(dist, 'index.html'), INDEX)
  writeFileSync(join(dist, 'assets', 'index-B4x9Zq1a.js'), 'console.log("app")')
  writeFileSync(join(dist, 'assets', 'index-C2k8Lm0p.css'), 'body{margin:0}')
  writeFileSync(join(dist, 'sw.js'), 'self.addEventListener("install", () => {})')
  writeFileSync(join(dist, 'manifest.webmanifest'), '{"name":"楼栋通"}')
  writeFileSync(join(dist, 'icons', 'icon-192.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]))
})
afterAll(() => rmSync(dist, { recursive: true, force: true }))

let env: TestEnv
afterEach(async () => {
  await env.close()
})

function expectSecurityHeaders(headers: Record<string, unknown>) {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) expect(headers[k], k).toBe(v)
  expect(headers['content-security-policy']).toContain("script-src 'self'")
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'")
  expect(headers['x-frame-options']).toBe('DENY')
  expect(headers['x-content-type-options']).toBe('nosniff')
  expect(headers['referrer-policy']).toBe('no-referrer')
}

describe('with a built PWA', () => {
  it('sets security headers and no-store on API responses, success and error alike', async () => {
    env = await setup({ distDir: dist })
    const { token } = await login(env.app, PHONES.zhang)
    const ok = await env.app.inject({ url: '/api/v1/me', headers: bearer(token) })
    expect(ok.statusCode).toBe(200)
    expectSecurityHeaders(ok.headers)
    expect(ok.headers['cache-control']).toBe('no-store')
    const err = await env.app.inject({ url: '/api/v1/me' })
    expect(err.statusCode).toBe(401)
    expectSecurityHeaders(err.headers)
    expect(err.headers['cache-control']).toBe('no-store')
  })

  it('serves index.html with security headers and no-cache', async () => {
    env = await setup({ distDir: dist })
    const res = await env.app.inject({ url: '/' })
    expect(res.statusCode).toBe(200)
    expect(res.body).toBe(INDEX)
    expect(res.headers['content-type']).toMatch(/text\/html/)
    expect(res.headers['cache-control']).toBe('no-cache')
    expectSecurityHeaders(res.headers)
  })

  it('caches hashed assets forever and revalidates sw.js and the manifest', async () => {
    env = await setup({ distDir: dist })
    const js = await env.app.inject({ url: '/assets/index-B4x9Zq1a.js' })
    expect(js.statusCode).toBe(200)
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(js.headers['content-type']).toMatch(/javascript/)
    expectSecurityHeaders(js.headers)
    const css = await env.app.inject({ url: '/assets/index-C2k8Lm0p.css' })
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    for (const url of ['/sw.js', '/manifest.webmanifest', '/index.html']) {
      const res = await env.app.inject({ url })
      expect(res.statusCode, url).toBe(200)
      expect(res.headers['cache-control'], url).toBe('no-cache')
      expectSecurityHeaders(res.headers)
    }
  })

  it('sends the precompressed copy of a text asset to a browser that accepts it, the plain file otherwise', async () => {
    // what scripts/compress-dist.mjs writes after vite build, on a dist of its own
    const packed = tempDir()
    try {
      mkdirSync(join(packed, 'assets'))
      const js = `console.log(${JSON.stringify('楼栋通 '.repeat(400))})`
      const index = INDEX.replace('</head>', `<style>${'.door{color:#1677d2}'.repeat(50)}</style></head>`)
      writeFileSync(join(packed, 'index.html'), index)
      writeFileSync(join(packed, 'assets', 'index-B4x9Zq1a.js'), js)
      writeFileSync(join(packed, 'sw.js'), `/* ${'precache '.repeat(200)} */`)
      compressDist(packed)
      expect(existsSync(join(packed, 'assets/index-B4x9Zq1a.js.br'))).toBe(true)
      expect(existsSync(join(packed, 'assets/index-B4x9Zq1a.js.gz'))).toBe(true)
      // entry points keep their names and may be replaced alone by a deploy: no copies that could go stale
      for (const name of ['index.html', 'sw.js']) expect(existsSync(join(packed, `${name}.br`)), name).toBe(false)
      env = await setup({ distDir: packed })
      const url = '/assets/index-B4x9Zq1a.js'

      const br = await env.app.inject({ url, headers: { 'accept-encoding': 'gzip, deflate, br' } })
      expect(br.statusCode).toBe(200)
      expect(br.headers['content-encoding']).toBe('br')
      expect(br.headers['content-type']).toMatch(/javascript/)
      expect(br.headers.vary).toMatch(/accept-encoding/i)
      expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable')
      expectSecurityHeaders(br.headers)
      expect(brotliDecompressSync(br.rawPayload).toString()).toBe(js)

      const gz = await env.app.inject({ url, headers: { 'accept-encoding': 'gzip' } })
      expect(gz.headers['content-encoding']).toBe('gzip')
      expect(gunzipSync(gz.rawPayload).toString()).toBe(js)

      for (const headers of [{}, { 'accept-encoding': 'identity' }]) {
        const plain = await env.app.inject({ url, headers })
        expect(plain.statusCode).toBe(200)
        expect(plain.headers['content-encoding']).toBeUndefined()
        expect(plain.headers.vary).toMatch(/accept-encoding/i)
        expect(plain.body).toBe(js)
        expectSecurityHeaders(plain.headers)
      }

      // so a changed sw.js is what the browser gets, with its headers
      writeFileSync(join(packed, 'sw.js'), '/* build B */')
      const sw = await env.app.inject({ url: '/sw.js', headers: { 'accept-encoding': 'br, gzip' } })
      expect(sw.headers['content-encoding']).toBeUndefined()
      expect(sw.body).toBe('/* build B */')
      expect(sw.headers['cache-control']).toBe('no-cache')
      expect(sw.headers['service-worker-allowed']).toBe('/')
      for (const page of ['/', '/visits']) {
        const res = await env.app.inject({ url: page, headers: { 'accept-encoding': 'gzip' } })
        expect(res.statusCode, page).toBe(200)
        expect(res.headers['cache-control'], page).toBe('no-cache')
        expect(res.body, page).toBe(index)
        expectSecurityHeaders(res.headers)
      }
    } finally {
      rmSync(packed, { recursive: true, force: true })
    }
  })

  it('answers client-side routes with index.html (SPA fallback)', async () => {
    env = await setup({ distDir: dist })
    for (const url of ['/visits', '/buildings/pl/tuodong/mingtongxiang/g01/b01', '/me?tab=sync']) {
      const res = await env.app.inject({ url })
      expect(res.statusCode, url).toBe(200)
      expect(res.body, url).toBe(INDEX)
      expect(res.headers['cache-control']).toBe('no-cache')
      expectSecurityHeaders(res.headers)
    }
  })

  it('does not answer missing files or unknown API paths with index.html', async () => {
    env = await setup({ distDir: dist })
    for (const url of ['/assets/index-gone.js', '/icons/missing.png', '/api/v1/nope', '/api/v2/sync/pull']) {
      const res = await env.app.inject({ url })
      expect(res.statusCode, url).toBe(404)
      expect(res.headers['content-type'], url).toMatch(/application\/json/)
      expect(res.json(), url).toEqual({ error: { code: 'not_found', message: '找不到该内容' } })
    }
    const post = await env.app.inject({ method: 'POST', url: '/api/v1/nope', payload: {} })
    expect(post.statusCode).toBe(404)
    expect(post.json().error.code).toBe('not_found')
    const en = await env.app.inject({ url: '/api/v1/nope', headers: { 'accept-language': 'en' } })
    expect(en.json().error.message).toBe('Not found')
  })

  it('never answers with HTML or a stack trace on an error', async () => {
    env = await setup({ distDir: dist })
    const res = await env.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{bad' })
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toMatch(/application\/json/)
    expect(res.body).not.toMatch(/<html|at .*\.ts:\d+/)
    expect(res.json()).toEqual({ error: { code: 'bad_json', message: '数据格式不正确，无法读取' } })
  })
})

describe('without a built PWA', () => {
  it('/ explains how to build; the API still works', async () => {
    env = await setup({ distDir: join(tempDir(), 'no-dist') })
    const res = await env.app.inject({ url: '/' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/text\/plain/)
    expect(res.body).toContain('npm run build')
    expect(res.body).toMatch(/[\u4e00-\u9fff]/)
    expectSecurityHeaders(res.headers)
    const health = await env.app.inject({ url: '/api/v1/health' })
    expect(health.json()).toEqual({ ok: true })
    expect((await login(env.app, PHONES.zhang)).token).toBeTruthy()
    const other = await env.app.inject({ url: '/visits' })
    expect(other.statusCode).toBe(404)
    expect(other.json().error.code).toBe('not_found')
  })
})
