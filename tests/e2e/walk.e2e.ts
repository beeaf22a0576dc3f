/**
 * Every screen, as each role, at the sizes its people use, in zh-CN and English,
 * at standard and 特大字: axe-core finds no serious or critical violation,
 * nothing overflows sideways, nothing logs a console error. One browser, one
 * context per person and size, the screens visited in one walk per language
 * and text size (client-side navigation, no reloads between screens).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { TABLET, PHONE, cleanup, launchBrowser, login, newContext, startServer, type RunningServer } from './harness'
import { axeFindings, overflowFindings, watchConsole, withAxe, type Finding } from './walk/check'
import { B01, seedWalk } from './walk/seed'

const DESK = { width: 1366, height: 900 }
const LANGS = ['zh-CN', 'en'] as const
const SIZES = ['standard', 'xlarge'] as const
const POINT = 'pl/tuodong/zhuangyuanlou/g01/rp-tiyu'

let server: RunningServer
let browser: Browser
let newsId = ''
const findings: Finding[] = []

/** Client-side navigation as the router's own Back/Forward would do it: no reload, the walk stays fast. */
async function go(page: Page, path: string): Promise<void> {
  await page.evaluate((p) => {
    history.pushState(null, '', p)
    dispatchEvent(new PopStateEvent('popstate', { state: null }))
  }, path)
  await page.waitForURL((u) => `${u.pathname}${u.search}`.startsWith(path.split('#')[0]!))
}

interface Screen {
  name: string
  /** gets there from anywhere and waits until it shows */
  open: (page: Page) => Promise<void>
}

const at = (path: string, ready: string, name = path): Screen => ({
  name,
  open: async (page) => {
    await go(page, path)
    await page.locator(ready).first().waitFor({ timeout: 15_000 })
  },
})

const leaderScreens = (): Screen[] => [
  at('/today', '[data-today-section]'),
  at('/visits', '.door', 'grid'),
  {
    name: 'door sheet',
    open: async (page) => {
      await go(page, '/visits')
      await page.locator('.door[data-household="1-1-2"]').first().click()
      await page.locator('.door-sheet__title').waitFor()
    },
  },
  at(`/visits/record?building=${encodeURIComponent(B01)}&household=1-1-2`, 'form', 'visit form'),
  at(`/visits/h/1-2-1/${B01}`, '.household', 'household'),
  {
    name: 'care form',
    open: async (page) => {
      await go(page, `/visits/h/1-2-1/${B01}`)
      await page.locator('.care-card__buttons button').first().click()
      await page.locator('.care-card form, .care-card [role="radiogroup"], .care-card input').first().waitFor()
    },
  },
  at('/visits/care', '.care-list'),
  at('/visits/search', '.search'),
  at('/feedback', '[data-feedback-card]'),
  at(`/feedback/${newsId}`, '[data-feedback]', 'feedback detail'),
  {
    name: 'feedback action form',
    open: async (page) => {
      await go(page, `/feedback/${newsId}`)
      await page.locator('[data-action]').first().click()
      await page.locator('[data-action-form]').waitFor()
    },
  },
  at('/feedback/new', 'form', 'new feedback'),
  at('/reading', '.point-list'),
  at('/sync', '.shell__main'),
  at('/sync/attention', '.shell__main'),
  at('/me', '.me'),
  at('/me/password', '.me-password'),
]

const groupLeaderScreens = (): Screen[] => [
  at('/today', '[data-today-section]'),
  at('/visits', '.shell__main', 'buildings'),
  at('/feedback', '.fb-list'),
  at('/reading', '.point-list'),
  at(`/reading/point/${POINT}`, '.start-action', 'reading point'),
  at('/reading/session', '[data-counter]', 'reading session'),
  at('/me', '.me'),
]

const staffScreens = (): Screen[] => [
  at('/visits', '.shell__main', 'buildings'),
  at('/feedback', '.fb-list'),
  at('/feedback/metrics', '.shell__main'),
  at('/feedback/new', 'form', 'new feedback'),
  at('/sync', '.shell__main'),
  at('/sync/handovers', '.handovers'),
  at('/me', '.me'),
  at('/me/accounts', '[data-account]', 'accounts'),
  at('/me/password', '.me-password'),
]

async function setLook(page: Page, lang: string, textSize: string): Promise<void> {
  await page.evaluate(([l, s]) => localStorage.setItem('loudong.settings', JSON.stringify({ lang: l, textSize: s })), [lang, textSize])
  await page.reload()
  await page.locator('.shell__main, .login').first().waitFor()
}

/**
 * One person at one window size: the login screen in every language and size,
 * then log in, then every screen in every language and size.
 */
async function walk(phone: string, viewport: { width: number; height: number }, screens: () => Screen[], before?: (page: Page) => Promise<void>): Promise<void> {
  const context = await newContext(browser, viewport)
  await withAxe(context)
  const page = await context.newPage()
  let where = 'start'
  watchConsole(page, findings, () => where)
  const check = async (label: string) => {
    where = label
    await page.evaluate(() => document.fonts.ready)
    findings.push(...(await axeFindings(page, label)), ...(await overflowFindings(page, label)))
  }
  await page.goto(`${server.url}/login`)
  for (const lang of LANGS)
    for (const size of SIZES) {
      await setLook(page, lang, size)
      await check(`${phone} ${viewport.width}×${viewport.height} ${lang} ${size} login`)
    }
  await setLook(page, 'zh-CN', 'standard')
  await login(page, server.url, phone)
  await before?.(page)
  for (const lang of LANGS)
    for (const size of SIZES) {
      await setLook(page, lang, size)
      for (const screen of screens()) {
        where = `${phone} ${viewport.width}×${viewport.height} ${lang} ${size} ${screen.name}`
        await screen.open(page)
        await check(where)
      }
    }
  await context.close()
}

/** A group leader's running session, so its screen can be walked. */
async function startSession(page: Page): Promise<void> {
  await go(page, `/reading/point/${POINT}`)
  await page.locator('button.start-action__button').click()
  await page.waitForURL('**/reading/session')
}

function report(): string {
  const seen = new Set<string>()
  return findings
    .filter((f) => {
      const key = f.what.replace(/— .*$/, '')
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
    .map((f) => `${f.where}: ${f.what}`)
    .join('\n')
}

describe('every screen, every role, size, language and text size', () => {
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

  it('building leader on a phone and a tablet', { timeout: 600_000 }, async () => {
    findings.length = 0
    for (const size of [PHONE, TABLET]) await walk('13800000001', size, leaderScreens)
    expect(report()).toBe('')
  })

  it('resident group leader on a phone and a tablet, with a reading session running', { timeout: 600_000 }, async () => {
    findings.length = 0
    for (const size of [PHONE, TABLET]) await walk('13800000012', size, groupLeaderScreens, startSession)
    expect(report()).toBe('')
  })

  it('community staff on a tablet and a desktop', { timeout: 600_000 }, async () => {
    findings.length = 0
    for (const size of [TABLET, DESK]) await walk('13800000003', size, staffScreens)
    expect(report()).toBe('')
  })
})
