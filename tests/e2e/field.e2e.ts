/**
 * Field-ready: Back closes a sheet and a form before it leaves a screen, Back
 * from each tab's first screen stays in the app, a tab keeps its place; the
 * screenshots of 今日, a 33-storey grid with its floor jump and an item with
 * 有新进展, at phone size in both languages (.tmp/screenshots/field-*.png).
 * Long work shows how far along it is (the first download, an export); the
 * first login offers a three-step guide; a phone held sideways shows the whole
 * rail at the largest text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { PHONE, TABLET, cleanup, launchBrowser, login, newContext, startServer, type RunningServer } from './harness'
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

  it('the first download after login says n of N with a bar, and the grid works meanwhile', async () => {
    const page = await (await newContext(browser, PHONE)).newPage()
    // small pages, and every page after the first held back, so the download is caught half way
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    await page.route(/\/api\/v1\/sync\/pull\?/, async (route) => {
      const url = new URL(route.request().url())
      url.searchParams.set('limit', '2')
      if (url.searchParams.get('after') !== '0') await held
      await route.continue({ url: url.toString() })
    })
    await login(page, server.url, '13800000001')
    const progress = page.locator('[data-pull-progress]')
    await progress.waitFor()
    const [, done, total] = /(\d+) \/ (\d+)/.exec((await progress.textContent()) ?? '') ?? []
    expect(Number(done)).toBe(2)
    expect(Number(total)).toBeGreaterThan(2)
    expect(await progress.locator('progress').getAttribute('max')).toBe(total)
    await shot(page, 'first-download')
    // meanwhile: the grid is there and a door opens its sheet
    await page.locator('.door[data-household="1-1-2"]').first().click()
    await page.locator('.door-sheet__title').waitFor()
    release()
    await progress.waitFor({ state: 'detached', timeout: 30_000 })
    await page.context().close()
  })

  it('an export says its step while the server builds the file, and the bar goes when it is saved', async () => {
    const page = await (await newContext(browser, TABLET)).newPage()
    await login(page, server.url, '13800000003')
    await page.goto(`${server.url}/ledger`)
    await page.locator('[data-ledger-xlsx]').waitFor()
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    await page.route(/\/api\/v1\/ledger\?.*format=xlsx/, async (route) => {
      await held
      await route.continue()
    })
    await page.locator('[data-ledger-xlsx]').click()
    const progress = page.locator('[data-export-progress]')
    await progress.getByText('第 1 步（共 2 步）').waitFor()
    await progress.getByText('可以离开此页').waitFor()
    release()
    await progress.waitFor({ state: 'detached', timeout: 60_000 })
    expect(await page.locator('.ledger__error').count()).toBe(0)
    await page.context().close()
  })

  it('the first login offers three steps that can be skipped, and 我的 shows them again', async () => {
    const page = await (await newContext(browser, PHONE)).newPage()
    await page.goto(`${server.url}/login`)
    // nobody has seen the guide on this browser (the harness marks it seen for other suites)
    await page.evaluate(() => localStorage.setItem('loudong.guide', '[]'))
    await login(page, server.url, '13800000001')
    const guide = page.locator('[data-guide]')
    await guide.locator('[data-guide-step="grid"]').waitFor()
    await guide.getByText('第 1 步，共 3 步').waitFor()
    await shot(page, 'guide-zh-CN')
    await guide.locator('[data-guide-next]').click()
    await guide.locator('[data-guide-step="visit"]').waitFor()
    // the grid below is usable while the guide is open
    await page.locator('.door[data-household="1-1-2"]').first().click()
    await page.locator('.door-sheet__title').waitFor()
    await page.goBack()
    await guide.locator('[data-guide-skip]').click()
    await guide.waitFor({ state: 'detached' })
    await page.reload()
    await page.locator('.door').first().waitFor()
    expect(await page.locator('[data-guide]').count()).toBe(0)
    await page.locator('.tab-bar .van-tabbar-item').last().click()
    await page.locator('[data-guide-again]').click()
    await page.locator('[data-guide-steps] [data-guide-step="grid"]').waitFor()
    await page.context().close()
  })

  for (const lang of ['zh-CN', 'en'] as const) {
    it(`a phone held sideways (740×360) shows every tab of the rail at 特大字 in ${lang}`, async () => {
      const page = await (await newContext(browser, { width: 740, height: 360 })).newPage()
      await page.goto(`${server.url}/login`)
      await page.evaluate((l) => localStorage.setItem('loudong.settings', JSON.stringify({ lang: l, textSize: 'xlarge' })), lang)
      await login(page, server.url, '13800000001')
      const items = page.locator('.rail .rail__item')
      await items.first().waitFor()
      expect(await items.count()).toBe(5)
      for (const box of await Promise.all((await items.all()).map((i) => i.boundingBox()))) {
        expect(box!.y).toBeGreaterThanOrEqual(0)
        expect(box!.y + box!.height).toBeLessThanOrEqual(360)
        expect(box!.height).toBeGreaterThanOrEqual(48)
      }
      // each label on one line or wrapped between words, never inside one
      for (const label of await page.locator('.rail__label').all()) {
        const text = (await label.textContent())!.trim()
        const lines = await label.evaluate((el) => {
          const range = document.createRange()
          range.selectNodeContents(el)
          return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size
        })
        if (!/\s/.test(text)) expect(lines, text).toBe(1)
      }
      await shot(page, `landscape-${lang}`)
      await page.context().close()
    })
  }
})
