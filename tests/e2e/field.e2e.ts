/**
 * Field-ready: Back closes a sheet and a form before it leaves a screen, Back
 * from each tab's first screen stays in the app, a tab keeps its place; the
 * screenshots of 今日, a 33-storey grid with its floor jump and an item with
 * 有新进展, at phone size in both languages (.tmp/screenshots/field-*.png).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { PHONE, cleanup, launchBrowser, login, newContext, startServer, type RunningServer } from './harness'
import { seedWalk } from './walk/seed'

let server: RunningServer
let browser: Browser
let newsId = ''

const path = (page: Page) => new URL(page.url()).pathname + new URL(page.url()).search
const shot = (page: Page, name: string) => page.screenshot({ path: `.tmp/screenshots/field-${name}.png` })

async function phone(lang: 'zh-CN' | 'en', who: string): Promise<Page> {
  const page = await (await newContext(browser, PHONE)).newPage()
  await page.goto(`${server.url}/login`)
  await page.evaluate((l) => localStorage.setItem('loudong.settings', JSON.stringify({ lang: l, textSize: 'standard' })), lang)
  await login(page, server.url, who)
  return page
}

describe('no dead ends, and the day at a glance', () => {
  beforeAll(async () => {
    mkdirSync('.tmp/screenshots', { recursive: true })
    server = await startServer()
    ;({ newsId } = await seedWalk(server.url))
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
    if (server) cleanup(server.dataDir)
  })

  it('Back closes the door sheet, then the action form, and from a tab first screen lands on home and stays in the app', async () => {
    const page = await phone('zh-CN', '13800000001')
    await page.locator('.door').first().waitFor()
    // a sheet: Back closes it and stays on the grid
    await page.locator('.door[data-household="1-1-2"]').click()
    await page.locator('.door-sheet__title').waitFor()
    await page.goBack()
    await page.locator('.door-sheet').waitFor({ state: 'hidden' })
    expect(path(page)).toBe('/visits')
    // a form in place: it opens in view with the cursor in it; Back closes it, the item stays
    await page.locator('.tab-bar .van-tabbar-item').nth(2).click()
    await page.locator(`[data-feedback-card][href="/feedback/${newsId}"]`).click()
    await page.waitForURL(`**/feedback/${newsId}`)
    await page.locator('[data-action="comment"]').click()
    await page.locator('[data-action-form]').waitFor()
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA')
    const box = await page.locator('[data-action-form] textarea').boundingBox()
    expect(box!.y).toBeGreaterThanOrEqual(0)
    expect(box!.y + box!.height).toBeLessThanOrEqual(PHONE.height)
    await page.goBack()
    await page.locator('[data-action-form]').waitFor({ state: 'detached' })
    expect(path(page)).toBe(`/feedback/${newsId}`)
    // a tab keeps its place: 走访, then 意见 again comes back to the item
    await page.locator('.tab-bar .van-tabbar-item').nth(1).click()
    await page.waitForURL('**/visits')
    await page.locator('.tab-bar .van-tabbar-item').nth(2).click()
    await page.waitForURL(`**/feedback/${newsId}`)
    // Back from each tab's first screen stays in the app; enough Backs end on home, and home holds
    const inApp = async (what: string) => {
      await page.locator('.shell__main').waitFor()
      expect(new URL(page.url()).origin, what).toBe(server.url)
      expect(path(page), what).not.toBe('/login')
    }
    for (const i of [0, 2, 3, 4]) {
      await page.locator('.tab-bar .van-tabbar-item').nth(i).click()
      await page.locator('.tab-bar .van-tabbar-item').nth(i).click() // a second tap: the tab's first screen
      await page.waitForFunction(() => ['/today', '/feedback', '/reading', '/me'].includes(location.pathname))
      const from = path(page)
      await page.goBack()
      await inApp(`Back from ${from}`)
    }
    for (let i = 0; i < 8; i++) {
      await page.goBack()
      await inApp(`Back number ${i + 1} after the tabs`)
    }
    await expect.poll(() => path(page)).toBe('/visits')
    await page.locator('.door').first().waitFor()
    await page.context().close()
  })

  for (const lang of ['zh-CN', 'en'] as const) {
    it(`screenshots at phone size in ${lang}: 今日, 有新进展, the floor jump`, async () => {
      const page = await phone(lang, '13800000001')
      await page.locator('.tab-bar .van-tabbar-item').first().click()
      await page.locator('[data-today="care:pl/tuodong/mingtongxiang/g01/b01:1-2-1"]').waitFor()
      // the badge counts what is to do: 2 care households due, 2 items waiting at her level, and her item resolved
      // by others waiting for her 回访 (news itself is counted on 意见)
      expect(await page.locator('.tab-bar .van-tabbar-item').first().locator('.van-badge').textContent()).toBe('5')
      await page.locator(`[data-today="news:${newsId}"]`).waitFor()
      await shot(page, `today-${lang}`)
      await page.locator('.tab-bar .van-tabbar-item').nth(2).click()
      const card = page.locator(`[data-feedback-card][href="/feedback/${newsId}"]`)
      await card.locator('[data-feedback-news]').waitFor()
      await card.scrollIntoViewIfNeeded()
      await shot(page, `news-list-${lang}`)
      await card.click()
      await page.locator('[data-feedback] [data-feedback-news]').waitFor()
      await shot(page, `news-item-${lang}`)
      // opened: the mark stays on the device, the list shows it no more
      await page.goBack()
      await page.locator(`[data-feedback-card][href="/feedback/${newsId}"]`).waitFor()
      await expect.poll(() => page.locator(`[data-feedback-card][href="/feedback/${newsId}"] [data-feedback-news]`).count()).toBe(0)
      await page.context().close()

      const tower = await phone(lang, '13800000011')
      await tower.locator('[data-floor-jump]').waitFor()
      await shot(tower, `floor-jump-${lang}`)
      await tower.locator('[data-jump="15"]').click()
      const row = await tower.locator('[data-floor="15"]').boundingBox()
      expect(row!.y).toBeGreaterThan(0)
      expect(row!.y).toBeLessThan(PHONE.height)
      await shot(tower, `floor-15-${lang}`)
      await tower.context().close()
    })
  }
})
