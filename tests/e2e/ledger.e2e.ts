/**
 * 台账 end to end over the demo months: community staff pick last month, drill
 * community → group → building, export and print (a PDF from Chromium, looked
 * at); street staff see communities by name with the ranking; a group leader's
 * tablet computes its group offline; a building leader's first load never
 * fetches the chart library. Screenshots at 820×1180 and 1366×900, zh-CN and
 * English, largest text size.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { monthKey, previousMonthKey } from '@shared/time'
import { DIST, PHONE, ROOT, cleanup, launchBrowser, login, startServer, type RunningServer } from './harness'

const SHOTS = join(ROOT, '.tmp', 'screenshots')
const DIST_DIR = process.env.LEDGER_DIST ?? DIST
const WIDE = { width: 1366, height: 900 }
const TAB = { width: 820, height: 1180 }
const LAST_MONTH = previousMonthKey(monthKey(Date.now()))

let server: RunningServer
let browser: Browser
const contexts: BrowserContext[] = []

/** The built files that hold ECharts: the chunks a building leader must never load. */
function chartChunks(): string[] {
  const dir = join(DIST_DIR, 'assets')
  return readdirSync(dir).filter((f) => f.endsWith('.js') && /echarts|ECharts/.test(readFileSync(join(dir, f), 'utf8').slice(0, 400_000)) && !/index-/.test(f))
}

async function open(viewport: typeof PHONE, phone: string, settings?: { lang: string; textSize: string }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', acceptDownloads: true })
  contexts.push(context)
  if (settings) await context.addInitScript((s) => localStorage.setItem('loudong.settings', JSON.stringify(s)), settings)
  const page = await context.newPage()
  await login(page, server.url, phone)
  return page
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true })
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })
}

const rowNames = (page: Page) => page.locator('[data-ledger-rows] tbody th').allInnerTexts()

beforeAll(async () => {
  server = await startServer({ distDir: DIST_DIR, demoRecords: true })
  browser = await launchBrowser()
}, 60_000)
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined)
  await browser?.close()
  await server?.stop()
  cleanup(server?.dataDir ?? '')
})

describe('台账', () => {
  it('community staff: last month, drill community → group → building, export, print', async () => {
    const page = await open(WIDE, '13800000003')
    const requested: string[] = []
    page.on('request', (r) => requested.push(r.url()))
    await page.goto(`${server.url}/me`)
    await page.locator('[data-ledger-entry]').click()
    await page.locator('[data-ledger-totals]').waitFor()
    await page.locator('[data-ledger-month]').selectOption(LAST_MONTH)
    await expect.poll(() => page.locator('[data-ledger-totals] h2').innerText()).toContain(`明通巷社区 ${LAST_MONTH}`)
    expect(await rowNames(page)).toEqual(['第一居民小组', '第二居民小组'])
    // the demo months have visits and resolved feedback in 第一居民小组 last month
    const g01 = page.locator('[data-ledger-rows] tbody tr').first()
    expect(Number(await g01.locator('td').nth(3).innerText())).toBeGreaterThan(0)
    await page.locator('[data-ledger-chart] svg').first().waitFor({ timeout: 30_000 })
    expect(requested.some((u) => chartChunks().some((c) => u.endsWith(c)))).toBe(true)
    await shot(page, 'ledger-community-1366-zh')

    await page.locator('[data-ledger-drill]', { hasText: '第一居民小组' }).click()
    await expect.poll(() => rowNames(page)).toEqual(['1栋', '2栋', '3栋'])
    expect(page.url()).toContain(`month=${LAST_MONTH}`)
    await page.locator('[data-ledger-drill]', { hasText: '1栋' }).click()
    await expect.poll(() => page.locator('[data-ledger-totals] h2').innerText()).toContain(`1栋 ${LAST_MONTH}`)
    expect(await page.locator('[data-ledger-rows]').count()).toBe(0)
    await page.locator('[data-ledger-up]').click()
    await expect.poll(() => rowNames(page)).toEqual(['1栋', '2栋', '3栋'])

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-ledger-xlsx]').click()])
    expect(download.suggestedFilename()).toBe(`第一居民小组-${LAST_MONTH}-台账.xlsx`)
    const file = join(SHOTS, 'ledger-export.xlsx')
    await download.saveAs(file)
    expect(readFileSync(file).subarray(0, 2).toString()).toBe('PK')

    // print: A4 landscape from the print CSS, pages numbered, 填报人 / 审核人 / 日期 on the last
    await page.emulateMedia({ media: 'print' })
    expect(await page.locator('.ledger__sign').isVisible()).toBe(true)
    expect(await page.locator('[data-ledger-month]').isVisible()).toBe(false)
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true })
    writeFileSync(join(SHOTS, 'ledger-print.pdf'), pdf)
    const text = pdf.toString('latin1')
    const pages = (text.match(/\/Type\s*\/Page[^s]/g) ?? []).length
    expect(pages).toBeGreaterThanOrEqual(1)
    // A4 landscape is 842 × 595 points
    expect(text).toMatch(/\/MediaBox\s*\[\s*0\s+0\s+841\.\d+\s+59[45]\.\d+\s*\]/)
    await page.emulateMedia({ media: 'screen' })
  }, 180_000)

  it('street staff: communities by name, and the ranking', async () => {
    const page = await open(WIDE, '13800000004', { lang: 'en', textSize: 'xlarge' })
    await page.goto(`${server.url}/ledger?month=${LAST_MONTH}`)
    await expect.poll(() => rowNames(page)).toEqual(['明通巷社区', '尚义社区', '状元楼社区'])
    const ranking = page.locator('[data-ledger-ranking]')
    await ranking.waitFor()
    const ranked = await ranking.locator('tbody tr th').allInnerTexts()
    expect([...ranked].sort()).toEqual(['尚义社区', '明通巷社区', '状元楼社区'].sort())
    expect(await ranking.innerText()).toContain('default weights')
    await shot(page, 'ledger-street-1366-en-xl')
  }, 120_000)

  it('street staff set the ranking weights on the 台账 screen: a record, synced, and the ranking says who set them', async () => {
    for (const [viewport, settings, name] of [[TAB, { lang: 'zh-CN', textSize: 'xlarge' }, 'ledger-weights-820-zh-xl'], [WIDE, { lang: 'en', textSize: 'normal' }, 'ledger-weights-1366-en']] as const) {
      const page = await open(viewport, '13800000004', settings)
      await page.goto(`${server.url}/ledger?month=${LAST_MONTH}`)
      const ranking = page.locator('[data-ledger-ranking]')
      await ranking.waitFor()
      await ranking.locator('[data-ledger-weights]').click()
      const form = page.locator('[data-ledger-weights-form]')
      await form.waitFor()
      const coverage = form.locator('[data-weight="coverage"] input')
      const next = String(Number(await coverage.inputValue()) + 10)
      await coverage.fill(next)
      await coverage.blur()
      await form.locator('[data-weight="activeLeaders"] input').fill('0')
      await form.locator('[data-weight="activeLeaders"] input').blur()
      await form.locator('[data-weights-save]').click()
      // saved on the device at once; then synced, and the ranking is fetched again with the new weights
      await form.locator('[data-weights-saved]').waitFor()
      await expect.poll(() => ranking.innerText(), { timeout: 30_000 }).toContain(settings.lang === 'en' ? `coverage ${next}` : `覆盖 ${next}`)
      expect(await ranking.innerText()).toContain(settings.lang === 'en' ? 'set by 陈刚' : '陈刚 于')
      await form.scrollIntoViewIfNeeded()
      await shot(page, name)
      await ranking.screenshot({ path: join(SHOTS, `${name}-card.png`) })
      // nothing of the form reaches past the screen's edge
      const past = await form.evaluate((el) => [el, ...el.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).map((e) => e.className))
      expect(past).toEqual([])
    }
  }, 180_000)

  it('a group leader’s tablet computes its group; screenshots in both languages at the largest text', async () => {
    for (const settings of [{ lang: 'zh-CN', textSize: 'xlarge' }, { lang: 'en', textSize: 'xlarge' }]) {
      const page = await open(TAB, '13800000002', settings)
      // the first sync brings the group's records down; then the tablet computes
      await page.goto(`${server.url}/ledger?month=${LAST_MONTH}`)
      await expect.poll(async () => (await rowNames(page)).length, { timeout: 30_000 }).toBe(3)
      await expect.poll(async () => Number((await page.locator('[data-ledger-rows] tbody tr').first().locator('td').nth(3).innerText()) || 0), { timeout: 30_000 }).toBeGreaterThan(0)
      expect(await page.locator('.ledger').innerText()).toContain(settings.lang === 'en' ? 'Computed from the records on this device' : '由本机记录计算')
      await shot(page, `ledger-group-820-${settings.lang}-xl`)
    }
  }, 120_000)

  it('a building leader’s first load does not fetch the chart library', async () => {
    const chunks = chartChunks()
    expect(chunks.length).toBeGreaterThan(0)
    const context = await browser.newContext({ viewport: PHONE, locale: 'zh-CN' })
    contexts.push(context)
    const page = await context.newPage()
    const requested: string[] = []
    page.on('request', (r) => requested.push(r.url()))
    await login(page, server.url, '13800000001')
    await page.locator('[data-building-grid], .van-tabbar').first().waitFor()
    await page.waitForLoadState('networkidle')
    const resources = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name))
    for (const c of chunks) {
      expect(requested.some((u) => u.endsWith(c)), c).toBe(false)
      expect(resources.some((u) => u.endsWith(c)), c).toBe(false)
    }
    expect(requested.some((u) => u.endsWith('.js'))).toBe(true)
  }, 120_000)
})
