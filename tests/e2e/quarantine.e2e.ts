/**
 * Issue 14, abuse limits: community staff read the records the server refused from the
 * accounts in their area (被拒收的记录), in Chinese and English, at phone, tablet and
 * desktop size (.tmp/screenshots/quarantine-*.png); a building leader has no way in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { axeFindings, overflowFindings, withAxe } from './walk/check'
import { api, cleanup, DEMO_PASSWORD, DESKTOP, launchBrowser, login, newContext, PHONE, startServer, TABLET, visibleText, type RunningServer } from './harness'
import { uuidv7 } from '@shared/ids'

const B01 = 'pl/tuodong/mingtongxiang/g01/b01'
let browser: Browser
let server: RunningServer

async function staff(lang: 'zh-CN' | 'en', viewport: { width: number; height: number }, who = '13800000003'): Promise<Page> {
  const context = await newContext(browser, viewport)
  await withAxe(context)
  const page = await context.newPage()
  await page.goto(`${server.url}/login`)
  await page.evaluate((l) => localStorage.setItem('loudong.settings', JSON.stringify({ lang: l, textSize: 'standard' })), lang)
  await login(page, server.url, who)
  return page
}

beforeAll(async () => {
  mkdirSync('.tmp/screenshots', { recursive: true })
  server = await startServer()
  browser = await launchBrowser()
  // the building leader's phone sends two records the server refuses: a door the building does not have, a building out of scope
  const zhang = (await api<{ token: string; user: { id: string } }>(server.url, '/api/v1/auth/login', { body: { phone: '13800000001', password: DEMO_PASSWORD } })).json
  const at = new Date().toISOString()
  const visit = (orgPath: string, household: string, note: string) => ({
    id: uuidv7(), type: 'visit', v: 1, orgPath, authorId: zhang.user.id, deviceId: 'e2e', clientTime: at,
    body: { household, outcome: 'met', purposes: ['care'], note, visitedAt: at },
  })
  const res = await api<{ results: { status: string }[] }>(server.url, '/api/v1/sync/push', {
    token: zhang.token,
    body: { records: [visit(B01, '9-9-9', '王奶奶说楼道灯坏了'), visit('pl/tuodong/zhuangyuanlou/g01/b01', '1-1-1', '帮邻居登记')] },
  })
  expect(res.json.results.map((r) => r.status)).toEqual(['rejected', 'rejected'])
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  if (server) cleanup(server.dataDir)
})

describe('被拒收的记录 for community staff', () => {
  it('is reached from 我的 and lists what was refused, why and whose (zh-CN, phone)', async () => {
    const page = await staff('zh-CN', PHONE)
    await page.goto(`${server.url}/me`)
    await page.locator('[data-quarantine-open]').click()
    await page.waitForURL(/\/sync\/quarantine$/)
    await expect.poll(() => page.locator('[data-quarantine]').count(), { timeout: 15_000 }).toBe(2)
    await visibleText(page, '该户不在此楼栋').waitFor()
    await visibleText(page, '不在您负责的范围内').waitFor()
    await visibleText(page, '张秀英（楼栋长）').first().waitFor()
    for (const fold of await page.locator('[data-quarantine] summary').all()) await fold.click()
    await visibleText(page, '王奶奶说楼道灯坏了').waitFor()
    expect([...(await axeFindings(page, 'quarantine')), ...(await overflowFindings(page, 'quarantine'))]).toEqual([])
    await page.screenshot({ path: '.tmp/screenshots/quarantine-phone-zh.png', fullPage: true })
    await page.context().close()
  })

  it('reads in English, at tablet and desktop size', async () => {
    for (const [name, viewport] of [['tablet', TABLET], ['desktop', DESKTOP]] as const) {
      const page = await staff('en', viewport)
      await page.goto(`${server.url}/sync/quarantine`)
      await visibleText(page, 'That household is not in this building').waitFor({ timeout: 15_000 })
      await visibleText(page, 'Refused records').first().waitFor()
      expect([...(await axeFindings(page, name)), ...(await overflowFindings(page, name))]).toEqual([])
      await page.screenshot({ path: `.tmp/screenshots/quarantine-${name}-en.png`, fullPage: true })
      await page.context().close()
    }
  })

  it('a building leader has no entry, and the server refuses them', async () => {
    const page = await staff('zh-CN', PHONE, '13800000001')
    await page.goto(`${server.url}/me`)
    await visibleText(page, '退出登录').waitFor({ timeout: 15_000 })
    expect(await page.locator('[data-quarantine-open]').count()).toBe(0)
    await page.goto(`${server.url}/sync/quarantine`)
    await visibleText(page, '没有权限查看或修改这些内容').waitFor({ timeout: 15_000 })
    await page.context().close()
  })
})
