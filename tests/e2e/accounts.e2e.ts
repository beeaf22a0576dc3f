/**
 * Accounts in the app, end to end in a real Chromium against the real server:
 * community staff at a desk open 账号管理, add a building leader with buildings and
 * read the one-time code; the leader logs in with it on a phone and is held on 修改密码
 * until the shared rule accepts a password; staff on a tablet reset another leader's
 * password and disable and enable an account. Every screen is checked with axe, for
 * sideways overflow and console errors; screenshots at 1366×900, 820×1180 and 360×740
 * (zh-CN and English) go to .tmp/screenshots/accounts-*.png.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { DIST, PHONE, ROOT, TABLET, api, cleanup, launchBrowser, login, newContext, startServer, type RunningServer } from './harness'
import { axeFindings, overflowFindings, watchConsole, withAxe, type Finding } from './walk/check'

const SHOTS = join(ROOT, '.tmp', 'screenshots')
const DESK = { width: 1366, height: 900 }
const G02_B01 = 'pl/tuodong/mingtongxiang/g02/b01'

let server: RunningServer
let browser: Browser
const contexts: BrowserContext[] = []
const findings: Finding[] = []

async function open(viewport: { width: number; height: number }, lang = 'zh-CN'): Promise<Page> {
  const context = await newContext(browser, viewport)
  contexts.push(context)
  await withAxe(context)
  await context.addInitScript((l) => localStorage.setItem('loudong.settings', JSON.stringify({ lang: l, textSize: 'standard' })), lang)
  const page = await context.newPage()
  watchConsole(page, findings, () => `${viewport.width}×${viewport.height} ${lang}`)
  return page
}

async function look(page: Page, name: string): Promise<void> {
  await page.evaluate(() => document.fonts.ready)
  // a dialog still fading in or out would be judged half transparent
  await page.waitForFunction(() => !document.querySelector('[class*="-enter-active"], [class*="-leave-active"]'))
  findings.push(...(await axeFindings(page, name)), ...(await overflowFindings(page, name)))
  mkdirSync(SHOTS, { recursive: true })
  await page.screenshot({ path: join(SHOTS, `accounts-${name}.png`), fullPage: true })
}

const report = () => findings.map((f) => `${f.where}: ${f.what}`).join('\n')

beforeAll(async () => {
  server = await startServer({ distDir: DIST, demoRecords: false })
  browser = await launchBrowser()
}, 60_000)
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined)
  await browser?.close()
  await server?.stop()
  cleanup(server?.dataDir ?? '')
})

describe('accounts in the app', () => {
  let code = ''

  it('community staff at a desk add a building leader with buildings and read the one-time code', { timeout: 180_000 }, async () => {
    const page = await open(DESK)
    await login(page, server.url, '13800000003')
    await page.goto(`${server.url}/me`)
    await page.locator('[data-accounts-entry]').click()
    await page.locator('[data-account="13800000001"]').waitFor()
    // only the community's own people: its two leaders and its volunteer
    expect(await page.locator('[data-account]').count()).toBe(3)
    await look(page, 'list-1366-zh')

    await page.locator('[data-account-add]').click()
    const form = page.locator('[data-account-form]')
    await form.locator('input[name="name"]').fill('钱芳')
    await form.locator('input[name="phone"]').fill('13900000301')
    // the buildings offered are the community's own, grouped by resident group
    expect(await form.locator('[data-scope]').count()).toBeGreaterThan(3)
    expect(await form.locator('[data-scope^="pl/tuodong/zhuangyuanlou"]').count()).toBe(0)
    await form.locator(`[data-scope="${G02_B01}"]`).click()
    await look(page, 'add-1366-zh')
    await form.locator('button[type="submit"]').click()

    const dialog = page.locator('[data-one-time-code]')
    await dialog.waitFor()
    code = (await dialog.locator('.accounts__code-value').innerText()).trim()
    expect(code).toMatch(/^\d{8}$/)
    await look(page, 'code-1366-zh')
    await page.getByRole('button', { name: '我已记下' }).click()
    await expect.poll(() => page.locator('[data-account="13900000301"]').innerText()).toContain('待改密码')
  })

  it('the new leader logs in with the code on a phone and must choose a password the rule accepts', { timeout: 120_000 }, async () => {
    const page = await open(PHONE)
    await login(page, server.url, '13900000301', code)
    await page.waitForURL('**/me/password')
    // this phone is now a known device of the account: its mark is an HttpOnly cookie the page cannot read
    const marks = (await page.context().cookies()).filter((c) => c.name === 'loudong_device')
    expect(marks).toMatchObject([{ httpOnly: true, sameSite: 'Strict', path: '/api/v1/auth' }])
    expect(await page.evaluate(() => document.cookie)).not.toContain('loudong_device')
    // any other screen leads back here
    await page.goto(`${server.url}/visits`)
    await page.waitForURL('**/me/password')
    await page.locator('input[name="next"]').fill('88888888')
    await page.locator('input[name="repeat"]').fill('88888888')
    await page.locator('form button[type="submit"]').click()
    await page.getByText('这个密码太常见').waitFor()
    await look(page, 'password-forced-360-zh')
    await page.locator('input[name="next"]').fill('qian-fang-601')
    await page.locator('input[name="repeat"]').fill('qian-fang-601')
    await page.locator('form button[type="submit"]').click()
    await page.locator('[data-password-done]').waitFor()
    await look(page, 'password-done-360-zh')
    await page.locator('[data-password-done] button').click()
    await page.waitForURL((u) => !u.pathname.startsWith('/me/password'))
    expect((await api(server.url, '/api/v1/auth/login', { body: { phone: '13900000301', password: 'qian-fang-601' } })).status).toBe(200)
  })

  it('staff on a tablet reset a leader\'s password, disable and enable an account (English too)', { timeout: 180_000 }, async () => {
    const page = await open(TABLET)
    await login(page, server.url, '13800000003')
    await page.goto(`${server.url}/me/accounts`)
    const zhang = page.locator('[data-account="13800000001"]')
    await zhang.waitFor()
    await look(page, 'list-820-zh')
    await zhang.getByRole('button', { name: '重设密码' }).click()
    await page.locator('.van-dialog').getByRole('button', { name: '重设密码' }).click()
    const fresh = (await page.locator('[data-one-time-code] .accounts__code-value').innerText()).trim()
    expect(fresh).toMatch(/^\d{8}$/)
    await look(page, 'reset-820-zh')
    await page.getByRole('button', { name: '我已记下' }).click()
    expect((await api(server.url, '/api/v1/auth/login', { body: { phone: '13800000001', password: 'demo-1234' } })).status).toBe(401)

    const wang = page.locator('[data-account="13800000002"]')
    await wang.getByRole('button', { name: '停用' }).click()
    await page.locator('.van-dialog').getByRole('button', { name: '停用' }).click()
    await expect.poll(() => wang.innerText()).toContain('已停用')
    expect((await api(server.url, '/api/v1/auth/login', { body: { phone: '13800000002', password: 'demo-1234' } })).status).toBe(403)
    await wang.getByRole('button', { name: '启用' }).click()
    await expect.poll(() => wang.innerText()).not.toContain('已停用')
    expect((await api(server.url, '/api/v1/auth/login', { body: { phone: '13800000002', password: 'demo-1234' } })).status).toBe(200)

    await wang.getByRole('button', { name: '修改' }).click()
    await look(page, 'edit-820-zh')

    const en = await open(TABLET, 'en')
    await login(en, server.url, '13800000003')
    await en.goto(`${server.url}/me/accounts`)
    await en.locator('[data-account="13800000001"]').waitFor()
    await en.getByText('Must change password').first().waitFor()
    await look(en, 'list-820-en')
    await en.goto(`${server.url}/me`)
    await en.locator('[data-me-account]').waitFor()
    await look(en, 'me-820-en')
    const enDesk = await open(DESK, 'en')
    await login(enDesk, server.url, '13800000003')
    await enDesk.goto(`${server.url}/me/accounts`)
    await enDesk.locator('[data-account-add]').click()
    await enDesk.locator('[data-account-form]').waitFor()
    await look(enDesk, 'add-1366-en')
    await enDesk.goto(`${server.url}/me/password`)
    await enDesk.locator('input[name="current"]').waitFor()
    await look(enDesk, 'password-1366-en')
    expect(report()).toBe('')
  })
})
