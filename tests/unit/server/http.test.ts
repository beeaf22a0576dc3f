import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { bearer, login, PHONES, setup, tempDir, type TestEnv } from './helpers'
import { SECURITY_HEADERS } from '../../../src/server/app'

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
    expect(res.json()).toEqual({ error: { code: 'bad_json', message: '数据格式不正确,无法读取' } })
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
