/**
 * Residents' personal information end to end (issue 15): the built app in a real
 * Chromium against the real server process. A group leader's tablet holds a
 * household's name with the phone masked; community staff reveal the number (audited),
 * erase the household on its page; the tablet's next sync removes the name from its
 * screen and its IndexedDB; the erasure and the reveal are in 操作记录.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { uuidv7 } from '@shared/ids'
import { PHONE, ROOT, TABLET, api, apiLogin, cleanup, launchBrowser, login, newContext, startServer, visibleText, type RunningServer } from './harness'

const B01 = 'pl/tuodong/mingtongxiang/g01/b01'
const HH = '1-3-2'
const NAME = '王秀英'
const NUMBER = '13912345678'
const MASKED = '139****5678'
const SHOTS = join(ROOT, '.tmp', 'screenshots')

let server: RunningServer
let browser: Browser

beforeAll(async () => {
  server = await startServer({ demoRecords: false })
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await server?.stop()
  if (server) cleanup(server.dataDir)
})

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true })
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })
}

/** Everything in the device's `records` store, as JSON text. */
async function deviceRecords(page: Page): Promise<string> {
  return page.evaluate(
    () =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open('loudong')
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const req = open.result.transaction('records', 'readonly').objectStore('records').getAll()
          req.onsuccess = () => {
            open.result.close()
            resolve(JSON.stringify(req.result))
          }
          req.onerror = () => reject(req.error)
        }
      }),
  )
}

async function syncNow(page: Page): Promise<void> {
  await page.goto(`${server.url}/sync`)
  await visibleText(page, '立即同步').click()
  await page.waitForFunction(() => !document.querySelector('.van-button--loading'), undefined, { timeout: 20_000 })
}

const householdUrl = () => `${server.url}/visits/h/${HH}/${B01}`

describe('personal information', () => {
  it('a tablet that held a name loses it at its next sync after staff erase the household; the reveal and the erasure are audited', async () => {
    const leader = await apiLogin(server.url, '13800000001')
    const profile = { id: uuidv7(), type: 'household.profile', v: 1, orgPath: B01, authorId: 'demo-13800000001', deviceId: 'e2e-seed', clientTime: new Date().toISOString(), body: { household: HH, displayName: NAME, phone: NUMBER } }
    const seeded = await api<{ results: { status: string }[] }>(server.url, '/api/v1/sync/push', { token: leader, body: { records: [profile] } })
    expect(seeded.json.results[0]!.status).toBe('accepted')

    // the group leader's tablet: the name, the number masked, no reveal
    const tabletCtx = await newContext(browser, TABLET)
    const tablet = await tabletCtx.newPage()
    await login(tablet, server.url, '13800000002')
    await expect.poll(async () => (await deviceRecords(tablet)).includes(NAME), { timeout: 30_000 }).toBe(true)
    expect(await deviceRecords(tablet)).not.toContain(NUMBER)
    await tablet.goto(householdUrl())
    await visibleText(tablet, NAME).waitFor()
    await visibleText(tablet, MASKED).waitFor()
    expect(await tablet.getByRole('button', { name: '查看号码' }).count()).toBe(0)
    await shot(tablet, 'pipl-tablet-before')

    // community staff: reveal (online, audited), then erase with a reason
    const deskCtx = await newContext(browser, PHONE)
    const desk = await deskCtx.newPage()
    await login(desk, server.url, '13800000003')
    await expect.poll(async () => (await deviceRecords(desk)).includes(NAME), { timeout: 30_000 }).toBe(true)
    await desk.goto(householdUrl())
    await visibleText(desk, MASKED).waitFor()
    await desk.getByRole('button', { name: '查看号码' }).click()
    await visibleText(desk, NUMBER).waitFor()
    await shot(desk, 'pipl-staff-household-360')
    await desk.getByRole('button', { name: '删除本户个人信息' }).click()
    await desk.locator('textarea[name="erasureReason"]').fill('居民申请删除')
    await desk.getByRole('button', { name: '确认删除' }).click()
    await visibleText(desk, '已删除，同步后各设备上的信息也会删除').waitFor()
    // this device's copies are gone at once
    expect(await deviceRecords(desk)).not.toContain(NAME)
    await syncNow(desk)
    await expect.poll(async () => (await api<{ records: { type: string }[] }>(server.url, '/api/v1/sync/pull?limit=2000', { token: leader })).json.records.some((r) => r.type === 'household.erasure'), { timeout: 30_000 }).toBe(true)

    // the tablet's next sync: the name leaves its screen and its database
    await syncNow(tablet)
    await expect.poll(async () => (await deviceRecords(tablet)).includes(NAME), { timeout: 30_000 }).toBe(false)
    expect(await deviceRecords(tablet)).not.toContain(MASKED)
    await tablet.goto(householdUrl())
    await tablet.locator('.household').waitFor()
    expect(await tablet.locator('.household').innerText()).not.toContain(NAME)
    await shot(tablet, 'pipl-tablet-after')

    // 操作记录: the reveal and the erasure, with who
    await desk.goto(`${server.url}/audit`)
    await visibleText(desk, '删除住户个人信息').waitFor()
    await visibleText(desk, '查看完整号码').waitFor()
    const rows = await desk.locator('[data-audit-entry-row]').allInnerTexts()
    expect(rows.some((r) => r.includes('删除住户个人信息') && r.includes('刘敏'))).toBe(true)
    expect(rows.some((r) => r.includes('查看完整号码') && r.includes('刘敏'))).toBe(true)
    expect(rows.join('\n')).not.toContain(NAME)
    await shot(desk, 'pipl-audit-360')
    await tabletCtx.close()
    await deskCtx.close()
  })

  it('app lock: the community requires a PIN, the leader sets one, a start after the idle time asks it, and only the right one opens', async () => {
    const staff = await apiLogin(server.url, '13800000003')
    const set = await api(server.url, '/api/v1/app-lock', { token: staff, method: 'POST', body: { community: 'pl/tuodong/mingtongxiang', required: true, idleMinutes: 2 } })
    expect(set.status).toBe(200)

    const ctx = await newContext(browser, PHONE)
    const page = await ctx.newPage()
    await login(page, server.url, '13800000001')
    // required and not set: the app shows only the PIN to choose
    await page.locator('[data-app-lock]').waitFor()
    await shot(page, 'pipl-lock-choose-360')
    await page.locator('#app-lock-pin').fill('2468')
    await page.locator('#app-lock-again').fill('2469')
    await page.getByRole('button', { name: '设置 PIN 码' }).click()
    await visibleText(page, '两次输入不一致').waitFor()
    await page.locator('#app-lock-pin').fill('2468')
    await page.locator('#app-lock-again').fill('2468')
    await page.getByRole('button', { name: '设置 PIN 码' }).click()
    await page.locator('[data-app-lock]').waitFor({ state: 'detached' })
    await page.goto(`${server.url}/me`)
    await visibleText(page, '已设置 PIN 码').waitFor()
    await shot(page, 'pipl-me-360')

    // the app closed for longer than the idle time: a start asks the PIN, and shows nothing else
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open('loudong')
          open.onsuccess = () => {
            const tx = open.result.transaction('meta', 'readwrite')
            tx.objectStore('meta').put({ key: 'lastActiveAt', value: Date.now() - 10 * 60_000 })
            tx.oncomplete = () => {
              open.result.close()
              resolve()
            }
            tx.onerror = () => reject(tx.error)
          }
        }),
    )
    await page.reload()
    await page.locator('[data-app-lock]').waitFor()
    expect(await page.locator('.shell__main').count()).toBe(0)
    await page.locator('#app-lock-pin').fill('1357')
    await page.getByRole('button', { name: '解锁' }).click()
    await visibleText(page, 'PIN 码不正确').waitFor()
    await shot(page, 'pipl-lock-pin-360')
    await page.locator('#app-lock-pin').fill('2468')
    await page.getByRole('button', { name: '解锁' }).click()
    await page.locator('.shell__main').waitFor()
    expect(await page.locator('[data-app-lock]').count()).toBe(0)
    await ctx.close()
  })
})
