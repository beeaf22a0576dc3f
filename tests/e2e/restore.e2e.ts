/**
 * Issue 14, the field case: a backup restored for real, a real phone. The building
 * leader syncs visit A; the server is backed up; the leader syncs visit B (seq 2); the
 * server is stopped and the backup restored (`npm run admin -- restore`); the group
 * leader pushes C, which takes seq 2 again. The leader's phone must put B back on the
 * server and pull C, holding each visit once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { api, cleanup, DEMO_PASSWORD, launchBrowser, login, newContext, PHONE, ROOT, startServer, tempDir, visibleText, waitForServiceWorker, type RunningServer } from './harness'
import { uuidv7 } from '@shared/ids'

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

/** The server's visits in seq order, read from its SQLite file as another process would. */
function serverVisits(dataDir: string): { id: string; seq: number }[] {
  const db = new Database(join(dataDir, 'loudong.db'), { readonly: true, fileMustExist: true })
  try {
    return db.prepare("SELECT id, seq FROM records WHERE type = 'visit' ORDER BY seq").all() as { id: string; seq: number }[]
  } finally {
    db.close()
  }
}

/** The phone's visits and outbox, read from its IndexedDB. */
async function phoneState(page: Page): Promise<{ visits: { id: string; seq?: number }[]; outbox: number }> {
  return page.evaluate(
    () =>
      new Promise<{ visits: { id: string; seq?: number }[]; outbox: number }>((resolve, reject) => {
        const open = indexedDB.open('loudong')
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const db = open.result
          const tx = db.transaction(['records', 'outbox'], 'readonly')
          const out = { visits: [] as { id: string; seq?: number }[], outbox: 0 }
          const all = tx.objectStore('records').getAll()
          all.onsuccess = () => {
            out.visits = (all.result as { id: string; type: string; seq?: number }[]).filter((r) => r.type === 'visit').map((r) => ({ id: r.id, seq: r.seq }))
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

/** Records 无人在家 at a door the way a leader does: tap the door, tap the outcome. */
async function knock(page: Page, household: string): Promise<void> {
  const [, floor, room] = household.split('-')
  const title = page.locator('.door-sheet__title', { hasText: `${floor}${room!.padStart(2, '0')}` })
  for (let i = 0; ; i++) {
    await page.locator(`[data-household="${household}"]`).first().click()
    if (await title.waitFor({ timeout: 4000 }).then(() => true, () => false)) break
    if (i === 2) throw new Error(`the sheet of ${household} did not open`)
  }
  await page.locator('[data-outcome="nobody_home"] >> visible=true').first().click()
  await expect.poll(() => page.locator(`[data-household="${household}"]`).first().getAttribute('data-status'), { timeout: 10_000 }).toBe('attempted')
}

async function syncNow(page: Page, baseUrl: string): Promise<void> {
  await page.goto(`${baseUrl}/sync`)
  await visibleText(page, '立即同步').click()
}

/** The admin CLI as an operator runs it, on the server's data directory. */
function admin(dataDir: string, ...args: string[]): string {
  return execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/server/admin.ts'), ...args], { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir }, encoding: 'utf8' })
}

describe('a restore that phones survive', () => {
  let server: RunningServer
  afterAll(async () => server?.stop())

  it('the leader syncs A, backup, syncs B; restore; the group leader pushes C; the phone puts B back and pulls C', async () => {
    server = await startServer()
    dirs.push(server.dataDir)
    const { dataDir, port } = server
    const context = await newContext(browser, PHONE)
    const page = await context.newPage()
    await login(page, server.url, '13800000001')
    await waitForServiceWorker(page)

    await page.goto(`${server.url}/visits`)
    await page.locator('[data-household="1-1-1"]').first().waitFor()
    await knock(page, '1-1-1')
    await expect.poll(async () => serverVisits(dataDir).length, { timeout: 30_000, interval: 500 }).toBe(1)
    const [a] = serverVisits(dataDir)

    const backups = tempDir('backups')
    dirs.push(backups)
    const file = join(backups, 'loudong-a.db')
    expect(admin(dataDir, 'backup', file)).toMatch(/integrity ok/)

    await page.goto(`${server.url}/visits`)
    await page.locator('[data-household="1-2-1"]').first().waitFor()
    await knock(page, '1-2-1')
    await expect.poll(async () => serverVisits(dataDir).length, { timeout: 30_000, interval: 500 }).toBe(2)
    const b = serverVisits(dataDir).find((r) => r.id !== a!.id)!
    expect(b.seq).toBe(2)
    await expect.poll(async () => (await phoneState(page)).outbox, { timeout: 10_000 }).toBe(0)

    // the server is stopped and the backup restored; the phone stays as it is, offline meanwhile
    await context.setOffline(true)
    await server.stop()
    expect(admin(dataDir, 'restore', file)).toMatch(/New database identity/)
    expect(serverVisits(dataDir).map((r) => r.id)).toEqual([a!.id])
    server = await startServer({ dataDir, port })

    // the group leader's tablet pushes C first: it takes seq 2, B's number
    const wang = (await api<{ token: string; user: { id: string } }>(server.url, '/api/v1/auth/login', { body: { phone: '13800000002', password: DEMO_PASSWORD } })).json
    const token = wang.token
    const c = {
      id: uuidv7(), type: 'visit', v: 1, orgPath: B01, authorId: wang.user.id,
      deviceId: 'tablet-e2e', clientTime: new Date().toISOString(),
      body: { household: '2-1-1', outcome: 'met', purposes: ['care'], note: '组长走访', visitedAt: new Date().toISOString() },
    }
    const pushed = await api<{ results: { status: string; seq: number }[] }>(server.url, '/api/v1/sync/push', { token, body: { records: [c] } })
    expect(pushed.json.results[0]).toMatchObject({ status: 'accepted', seq: 2 })

    // the leader's phone comes back
    await context.setOffline(false)
    await syncNow(page, server.url)
    await expect.poll(async () => serverVisits(dataDir).map((r) => r.id).sort(), { timeout: 60_000, interval: 500 }).toEqual([a!.id, b.id, c.id].sort())
    await expect.poll(async () => (await phoneState(page)).visits.map((v) => v.id).sort(), { timeout: 30_000, interval: 500 }).toEqual([a!.id, b.id, c.id].sort())
    const state = await phoneState(page)
    expect(state.outbox).toBe(0)
    // each visit once, with the seq the restored server gave it
    const seqs = new Map(serverVisits(dataDir).map((r) => [r.id, r.seq]))
    for (const v of state.visits) expect(v.seq).toBe(seqs.get(v.id))
    await context.close()
  })
})
