/**
 * Issue 2: a new user's first minutes. The real server process serves a copy of
 * the production build; a real Chromium at phone size logs in, installs, goes
 * offline, reloads, and is offered an update without losing what it typed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appendFileSync, cpSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import {
  api, cleanup, DIST, launchBrowser, launchPersistent, login, newContext, PHONE, ROOT, startServer, TABLET, tempDir,
  visibleText, waitForServiceWorker, type RunningServer,
} from './harness'

const SHOTS = join(ROOT, '.tmp', 'screenshots')
let server: RunningServer
let distCopy: string
let browser: Browser

beforeAll(async () => {
  // A copy, so "deploying build B" below never touches the real dist/.
  distCopy = tempDir('dist')
  cpSync(DIST, distCopy, { recursive: true })
  server = await startServer({ distDir: distCopy })
  browser = await launchBrowser()
  mkdirSync(SHOTS, { recursive: true })
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  cleanup(distCopy, server?.dataDir ?? '')
})

async function tabBarVisible(page: Page): Promise<void> {
  await visibleText(page, '我的').waitFor({ timeout: 15_000 })
}

describe('first run', () => {
  it('prints the URL and the demo logins on first start', () => {
    expect(server.output()).toContain(`http://localhost:${server.port}`)
    for (const phone of ['13800000001', '13800000011', '13800000002', '13800000003', '13800000004', '13800000005']) {
      expect(server.output()).toContain(phone)
    }
    expect(server.output()).toContain('demo-1234')
  })

  it('loads at the printed URL and the demo building leader sees their building', async () => {
    const context = await newContext(browser, PHONE)
    const page = await context.newPage()
    await page.goto(server.url)
    await expect.poll(() => page.url()).toContain('/login')
    await login(page, server.url, '13800000001')
    await tabBarVisible(page)
    await visibleText(page, '1栋').waitFor({ timeout: 15_000 })
    await visibleText(page, '2栋').waitFor({ timeout: 15_000 })
    await context.close()
  })
})

describe('installed and offline', () => {
  it('is installable, and after one online visit opens offline, deep links included, with no /api in any cache', async () => {
    const { context, dir } = await launchPersistent(PHONE)
    try {
      const page = context.pages()[0] ?? (await context.newPage())
      await login(page, server.url, '13800000001')
      await waitForServiceWorker(page)

      const cdp = await context.newCDPSession(page)
      const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: unknown[] }
      expect(installabilityErrors).toEqual([])
      const manifest = (await cdp.send('Page.getAppManifest')) as { errors: unknown[]; url: string }
      expect(manifest.errors).toEqual([])

      await context.setOffline(true)
      await page.reload()
      await tabBarVisible(page)
      await page.goto(`${server.url}/me`)
      await visibleText(page, '张秀英').waitFor({ timeout: 15_000 })
      await page.goto(`${server.url}/feedback`)
      await tabBarVisible(page)

      const cached = await page.evaluate(async () => {
        const urls: string[] = []
        for (const name of await caches.keys()) {
          const cache = await caches.open(name)
          for (const req of await cache.keys()) urls.push(new URL(req.url).pathname)
        }
        return urls
      })
      expect(cached.length).toBeGreaterThan(10)
      expect(cached).toContain('/index.html')
      expect(cached.filter((u) => u.startsWith('/api'))).toEqual([])
    } finally {
      await context.close()
      cleanup(dir)
    }
  })
})

describe('updates', () => {
  it('offers a new build with a prompt and keeps typed text until the person chooses to refresh', async () => {
    const context = await newContext(browser, PHONE)
    const page = await context.newPage()
    await login(page, server.url, '13800000001')
    await waitForServiceWorker(page)
    // the full visit form: a form a building leader might be halfway through
    await page.goto(`${server.url}/visits/record?building=pl/tuodong/mingtongxiang/g01/b01&household=1-3-1`)

    const note = page.locator('textarea').first()
    await note.waitFor({ timeout: 15_000 })
    await note.fill('王阿姨说三楼楼道灯坏了')

    // Deploy build B: any change to sw.js is a new version to the browser.
    appendFileSync(join(distCopy, 'sw.js'), `\n// build B ${Date.now()}\n`)
    const asked = await page.evaluate(() => window.__loudongCheckForUpdate?.())
    expect(asked).toBe(true)

    const bar = page.getByText('新版本可用')
    await bar.waitFor({ timeout: 20_000 })
    // Nothing reloaded under the half-filled form.
    expect(await note.inputValue()).toBe('王阿姨说三楼楼道灯坏了')

    // Tapping 刷新 with unsaved text asks first; choosing to keep editing keeps the text.
    await page.getByRole('button', { name: '刷新', exact: true }).click()
    const keep = page.getByRole('button', { name: '继续填写' })
    await keep.waitFor({ timeout: 10_000 })
    await keep.click()
    expect(await note.inputValue()).toBe('王阿姨说三楼楼道灯坏了')
    await context.close()
  })
})

describe('bad input', () => {
  it('answers a wrong password in plain Chinese on the login screen', async () => {
    const context = await newContext(browser, PHONE)
    const page = await context.newPage()
    await page.goto(`${server.url}/login`)
    await page.locator('input[inputmode="numeric"]').fill('13800000003')
    await page.locator('input[type="password"]').fill('wrong-password')
    await page.locator('button[type="submit"]').click()
    await page.getByRole('alert').getByText('手机号或密码不正确').waitFor({ timeout: 10_000 })
    expect(page.url()).toContain('/login')
    await context.close()
  })

  it('the login page says 演示数据 on the demo server, and not on a production server with real data only', async () => {
    const context = await newContext(browser, PHONE)
    const page = await context.newPage()
    await page.goto(`${server.url}/login`)
    await page.locator('[data-test="demo-data"]').getByText('演示数据').waitFor({ timeout: 10_000 })
    const real = await startServer({ env: { NODE_ENV: 'production' } })
    try {
      // the about answer has arrived once the page asked for it; only then is "no badge" a result
      const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/about'))
      await page.goto(`${real.url}/login`)
      expect(await (await answered).json()).toEqual({ demo: false })
      await page.locator('input[type="password"]').waitFor()
      expect(await page.locator('[data-test="demo-data"]').count()).toBe(0)
    } finally {
      await real.stop()
      await context.close()
    }
  })

  it('slows down rapid wrong attempts after the free ones (saying whom to ask) and answers missing tokens with a 401 JSON error', async () => {
    // its own server: the throttle also counts per address, and every test here comes from 127.0.0.1
    const own = await startServer()
    const answers: { status: number; json: { error: { code: string; message: string } } }[] = []
    for (let i = 0; i < 6; i++) answers.push(await api<{ error: { code: string; message: string } }>(own.url, '/api/v1/auth/login', { body: { phone: '13800000004', password: `nope-${i}` } }))
    await own.stop()
    cleanup(own.dataDir)
    expect(answers.slice(0, 5).map((a) => a.status)).toEqual([401, 401, 401, 401, 401])
    expect(answers[5]!.status).toBe(429)
    expect(answers[5]!.json.error.code).toBe('login_throttled')
    expect(answers[5]!.json.error.message).toMatch(/请.*后再试；忘记密码请找/)

    for (const path of ['/api/v1/org', '/api/v1/sync/pull?after=0', '/api/v1/me']) {
      const r = await api<{ error: { code: string; message: string } }>(server.url, path)
      expect(r.status).toBe(401)
      expect(r.json.error.code).toBe('unauthorized')
      expect(r.json.error.message).toMatch(/[\u4e00-\u9fff]/)
    }
    const garbage = await api<{ error: { code: string } }>(server.url, '/api/v1/auth/login', { body: '{"phone": ' })
    expect(garbage.status).toBe(400)
    expect(garbage.json.error.code).toBe('bad_json')
  })
})

describe('navigation', () => {
  it('a tab tap from a screen deep inside that tab goes back to its first screen, and titles are not cut short', async () => {
    const context = await newContext(browser, PHONE)
    await context.addInitScript(() => localStorage.setItem('loudong.settings', JSON.stringify({ lang: 'en', textSize: 'xlarge' })))
    const page = await context.newPage()
    await login(page, server.url, '13800000001')
    await page.goto(`${server.url}/visits/care`)
    await visibleText(page, 'Back').waitFor()
    // the longest title, beside 返回 and the sync chip, at extra-large English text
    const title = page.locator('.top-bar__title')
    const clipped = await title.evaluate((el) => el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1)
    expect(clipped, `title "${await title.innerText()}" is cut off`).toBe(false)
    // the 走访 tab (今日 comes first for leaders)
    await page.locator('.van-tabbar-item', { hasText: 'Visits' }).click()
    await page.waitForURL((u) => u.pathname === '/visits', { timeout: 5000 })
    await context.close()
  })
})

describe('screens', () => {
  const variants = [
    { name: 'zh', settings: { lang: 'zh-CN', textSize: 'standard' } },
    { name: 'en', settings: { lang: 'en', textSize: 'standard' } },
    { name: 'zh-xl', settings: { lang: 'zh-CN', textSize: 'xlarge' } },
  ] as const

  for (const [size, viewport] of [['phone', PHONE], ['tablet', TABLET]] as const) {
    it(`login, home and 我的 fit a ${size} in both languages and extra-large text`, async () => {
      for (const v of variants) {
        const context = await newContext(browser, viewport)
        await context.addInitScript((s) => localStorage.setItem('loudong.settings', JSON.stringify(s)), v.settings)
        const page = await context.newPage()
        await page.goto(`${server.url}/login`)
        await page.locator('button[type="submit"]').waitFor()
        await page.screenshot({ path: join(SHOTS, `login-${size}-${v.name}.png`) })
        await login(page, server.url, '13800000001')
        for (const [screen, path] of [['home', '/visits'], ['me', '/me']] as const) {
          await page.goto(`${server.url}${path}`)
          await page.waitForLoadState('networkidle')
          await page.screenshot({ path: join(SHOTS, `${screen}-${size}-${v.name}.png`) })
          // Nothing spills sideways, and the text is in the chosen language.
          const fit = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)
          expect(fit, `${screen} ${size} ${v.name} overflows sideways`).toBe(true)
          const bodyText = await page.locator('body').innerText()
          if (v.settings.lang === 'en') expect(bodyText).toContain('Me')
          else expect(bodyText).toContain('我的')
        }
        // Every button on 我的 is a comfortable target.
        const small = await page.evaluate(() =>
          [...document.querySelectorAll('button, [role="radio"], a.van-tabbar-item')]
            .filter((el) => (el as HTMLElement).offsetParent !== null)
            .map((el) => el.getBoundingClientRect())
            .filter((r) => r.height < 47.5)
            .length,
        )
        expect(small).toBe(0)
        await context.close()
      }
    })
  }
})
