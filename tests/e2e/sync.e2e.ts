/**
 * Issue 3: a note saved in a stairwell reaches the server exactly once, whatever
 * happens in between. Real server processes (killed with SIGKILL where the test
 * says so), a real Chromium, and the server's SQLite file read directly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { cleanup, launchBrowser, login, newContext, PHONE, startServer, TABLET, visibleText, waitForServiceWorker, type RunningServer } from './harness'

const B01 = 'pl/tuodong/mingtongxiang/g01/b01'
let browser: Browser
const dirs: string[] = []

beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  cleanup(...dirs)
})

/** Rows in the server's append-only table, read from its SQLite file as another process would. */
function serverRows(server: RunningServer, type = 'visit'): { id: string; seq: number }[] {
  const db = new Database(join(server.dataDir, 'loudong.db'), { readonly: true, fileMustExist: true })
  try {
    return db.prepare('SELECT id, seq FROM records WHERE type = ? ORDER BY seq').all(type) as { id: string; seq: number }[]
  } finally {
    db.close()
  }
}

/** The device's own IndexedDB, read through the raw API (the app uses Dexie over the same stores). */
async function deviceCounts(page: Page): Promise<{ records: number; outbox: number; synced: number }> {
  return page.evaluate(
    () =>
      new Promise<{ records: number; outbox: number; synced: number }>((resolve, reject) => {
        const open = indexedDB.open('loudong')
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const db = open.result
          const tx = db.transaction(['records', 'outbox'], 'readonly')
          const out = { records: 0, outbox: 0, synced: 0 }
          const all = tx.objectStore('records').getAll()
          all.onsuccess = () => {
            const visits = (all.result as { type: string; seq?: number }[]).filter((r) => r.type === 'visit')
            out.records = visits.length
            out.synced = visits.filter((r) => typeof r.seq === 'number').length
          }
          const ob = tx.objectStore('outbox').count()
          ob.onsuccess = () => (out.outbox = ob.result)
          tx.oncomplete = () => {
            db.close()
            resolve(out)
          }
        }
      }),
  )
}

/** Puts `n` visits in the device's outbox the way saveRecord does: record and outbox row in one transaction. */
async function queueVisits(page: Page, n: number, building: string): Promise<string[]> {
  return page.evaluate(
    ({ n, building }) =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('loudong')
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const db = open.result
          const tx = db.transaction(['records', 'outbox', 'meta'], 'readwrite')
          const ids: string[] = []
          const meta = tx.objectStore('meta')
          const sessionReq = meta.get('session')
          const deviceReq = meta.get('deviceId')
          tx.onerror = () => reject(tx.error)
          deviceReq.onsuccess = () => {
            const userId = (sessionReq.result as { value: { user: { id: string } } }).value.user.id
            const deviceId = (deviceReq.result as { value: string } | undefined)?.value ?? 'e2e-device'
            const now = Date.now()
            for (let i = 0; i < n; i++) {
              const id = crypto.randomUUID().replace(/^(.{14})./, '$17').replace(/^(.{19})./, '$18')
              ids.push(id)
              const floor = 1 + (i % 6)
              const room = 1 + (Math.floor(i / 6) % 2)
              const unit = 1 + (Math.floor(i / 12) % 2)
              tx.objectStore('records').add({
                id, type: 'visit', v: 1, orgPath: building, authorId: userId, deviceId,
                clientTime: new Date(now).toISOString(),
                body: { household: `${unit}-${floor}-${room}`, outcome: 'nobody_home', purposes: [], note: `第${i + 1}次敲门`, visitedAt: new Date(now - i * 1000).toISOString() },
              })
              tx.objectStore('outbox').add({ id, state: 'pending', queuedAt: now + i, attempts: 0 })
            }
          }
          tx.oncomplete = () => {
            db.close()
            resolve(ids)
          }
        }
      }),
    { n, building },
  )
}

async function loggedInPhone(server: RunningServer, phone = '13800000001'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser, PHONE)
  const page = await context.newPage()
  await login(page, server.url, phone)
  await waitForServiceWorker(page)
  return { context, page }
}

/** Taps a door until its sheet has slid up (a tap during the grid's first layout can miss, as a thumb's would). */
async function tapDoor(page: Page, household: string): Promise<void> {
  const [, floor, room] = household.split('-')
  const title = page.locator('.door-sheet__title', { hasText: `${floor}${room!.padStart(2, '0')}` })
  for (let i = 0; i < 3; i++) {
    await page.locator(`[data-household="${household}"]`).first().click()
    if (await title.waitFor({ timeout: 4000 }).then(() => true, () => false)) return
  }
  throw new Error(`the sheet of ${household} did not open`)
}

/** The sync button on the sync details screen, as a person would press it. */
async function pressSyncNow(page: Page, baseUrl: string): Promise<void> {
  await page.goto(`${baseUrl}/sync`)
  await visibleText(page, '立即同步').click()
}

describe('offline saves reach the server exactly once', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startServer()
    dirs.push(server.dataDir)
  })
  afterAll(async () => server?.stop())

  it('three visits saved offline survive a reload, then go up on their own when the network returns', async () => {
    const { context, page } = await loggedInPhone(server)
    await page.goto(`${server.url}/visits`)
    await page.locator('[data-household="1-1-1"]').first().waitFor()
    await context.setOffline(true)

    const households = ['1-1-1', '1-2-1', '1-3-1']
    for (const h of households) {
      await tapDoor(page, h)
      await page.locator('[data-outcome="nobody_home"] >> visible=true').first().click()
      // saved at once: the door changes without any network (无人在家: tried, not met)
      await expect.poll(() => page.locator(`[data-household="${h}"]`).first().getAttribute('data-status'), { timeout: 10_000 }).toBe('attempted')
    }

    await page.reload()
    await page.locator('[data-household="1-1-1"]').first().waitFor()
    // the grid draws first and colours the doors once the device database has answered
    await expect.poll(() => page.locator('[data-household="1-3-1"]').first().getAttribute('data-status'), { timeout: 10_000 }).toBe('attempted')
    expect(await deviceCounts(page)).toEqual({ records: 3, outbox: 3, synced: 0 })
    for (const h of households) {
      await page.goto(`${server.url}/visits/h/${h}/${B01}`)
      await visibleText(page, '待同步').waitFor({ timeout: 10_000 })
    }
    expect(serverRows(server)).toHaveLength(0)

    // Network back: no tap anywhere.
    await context.setOffline(false)
    await expect.poll(async () => (await deviceCounts(page)).outbox, { timeout: 30_000, interval: 500 }).toBe(0)
    expect(await deviceCounts(page)).toEqual({ records: 3, outbox: 0, synced: 3 })
    await page.reload()
    await visibleText(page, '已同步').waitFor({ timeout: 10_000 })
    expect(await page.locator('text=待同步 >> visible=true').count()).toBe(0)
    expect(serverRows(server)).toHaveLength(3)
    await context.close()
  })

  it("a group leader's tablet pulls the building leader's visits for their group", async () => {
    const context = await newContext(browser, TABLET)
    const page = await context.newPage()
    await login(page, server.url, '13800000002')
    await expect.poll(async () => (await deviceCounts(page)).synced, { timeout: 30_000, interval: 500 }).toBe(3)
    // and a building leader of another community pulls none of them
    const other = await newContext(browser, PHONE)
    const otherPage = await other.newPage()
    await login(otherPage, server.url, '13800000011')
    await pressSyncNow(otherPage, server.url)
    await otherPage.waitForTimeout(1500)
    expect((await deviceCounts(otherPage)).records).toBe(0)
    await other.close()
    await context.close()
  })
})

describe('server faults', () => {
  it('a server killed with SIGKILL in the middle of a push loses nothing and duplicates nothing after restart', async () => {
    let server = await startServer()
    dirs.push(server.dataDir)
    const { dataDir, port } = server
    const { context, page } = await loggedInPhone(server)
    await context.setOffline(true)
    const ids = await queueVisits(page, 400, B01)

    let killed: Promise<void> | null = null
    context.on('request', (req) => {
      if (!killed && req.url().includes('/api/v1/sync/push')) killed = server.crash()
    })
    await context.setOffline(false)
    await pressSyncNow(page, server.url)
    await expect.poll(() => killed !== null, { timeout: 20_000, interval: 100 }).toBe(true)
    await killed
    expect(await deviceCounts(page)).toMatchObject({ outbox: 400 })

    server = await startServer({ dataDir, port })
    await expect.poll(async () => (await deviceCounts(page)).outbox, { timeout: 60_000, interval: 500 }).toBe(0)
    const rows = serverRows(server)
    expect(rows).toHaveLength(400)
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(ids))
    expect(await deviceCounts(page)).toEqual({ records: 400, outbox: 0, synced: 400 })
    await context.close()
    await server.stop()
  })

  it('when the answer to a push is lost after the server stored it, the retry is a duplicate and the outbox empties', async () => {
    const server = await startServer()
    dirs.push(server.dataDir)
    const { context, page } = await loggedInPhone(server)
    await context.setOffline(true)
    const ids = await queueVisits(page, 5, B01)

    const answers: { status: string }[][] = []
    let dropped = 0
    await context.route('**/api/v1/sync/push', async (route) => {
      const response = await route.fetch()
      const body = (await response.json()) as { results: { status: string }[] }
      answers.push(body.results)
      if (dropped === 0) {
        dropped++
        await route.abort('connectionreset')
      } else await route.fulfill({ response, json: body })
    })
    await context.setOffline(false)
    await pressSyncNow(page, server.url)
    await expect.poll(async () => (await deviceCounts(page)).outbox, { timeout: 30_000, interval: 500 }).toBe(0)

    expect(answers[0]!.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'accepted'])
    expect(answers.at(-1)!.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate'])
    expect(serverRows(server).map((r) => r.id).sort()).toEqual([...ids].sort())
    await context.close()
    await server.stop()
  })
})
