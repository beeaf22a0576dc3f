/**
 * Resident feedback end to end, three people on three devices and the real
 * server: a building leader raises and passes up an item offline on a phone;
 * once synced the group leader's tablet has it in the inbox and escalates it to
 * the community; community staff on a desktop resolve it; the building leader's
 * phone then shows 已解决 at 社区 with every step. Bad input is refused in words
 * and nothing typed is lost.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { uuidv7 } from '@shared/ids'
import { DESKTOP, DIST, PHONE, ROOT, TABLET, api, apiLogin, cleanup, launchBrowser, login, newContext, startServer, waitForServiceWorker, type RunningServer } from './harness'

const LEADER = '13800000001' // 张秀英, buildings 1栋 and 2栋
const GROUP = '13800000002' // 王志强, 第一居民小组
const COMMUNITY = '13800000003' // 刘敏, 明通巷社区
const B01 = 'pl/tuodong/mingtongxiang/g01/b01'
const WORDS = '2单元302王奶奶反映:楼道灯坏了一个星期,晚上上下楼看不见'
const SHOTS = join(ROOT, '.tmp', 'screenshots')
/** the built app; FEEDBACK_DIST points at a private build so a run does not clobber the shared dist/ */
const DIST_DIR = process.env.FEEDBACK_DIST ?? DIST

let server: RunningServer
let browser: Browser
const contexts: BrowserContext[] = []

async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  mkdirSync(SHOTS, { recursive: true })
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage })
}

async function open(viewport: typeof PHONE, phone: string): Promise<Page> {
  const context = await newContext(browser, viewport)
  contexts.push(context)
  const page = await context.newPage()
  await login(page, server.url, phone)
  return page
}

const form = (page: Page) => page.locator('[data-raise-form]')
const choice = (page: Page, text: string) => form(page).locator('button', { hasText: text })
const section = (page: Page, name: string) => page.locator(`[data-section="${name}"]`)
const card = (scope: ReturnType<typeof section>) => scope.locator('[data-feedback-card]', { hasText: '楼道灯坏了' })

/** Opens an action, types its words and confirms; waits for "已保存 · …". */
async function act(page: Page, action: string, words: string, saved: string): Promise<void> {
  await page.locator(`[data-action="${action}"]`).click()
  await page.locator('[data-action-form] textarea').fill(words)
  await page.locator('[data-action-form] button[type="submit"]').click()
  await page.getByRole('status').filter({ hasText: `已保存 · ${saved}` }).waitFor()
}

/** Every step I took on this feedback has reached the server. */
async function allSynced(page: Page, mine: number): Promise<void> {
  const timeline = page.locator('[data-timeline]')
  await expect.poll(() => timeline.getByText('已同步').count(), { timeout: 30_000 }).toBe(mine)
  expect(await timeline.getByText('待同步').count()).toBe(0)
}

describe('resident feedback', () => {
  beforeAll(async () => {
    server = await startServer({ distDir: DIST_DIR })
    browser = await launchBrowser()
  })

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined)
    await browser?.close()
    await server?.stop()
    if (server) cleanup(server.dataDir)
  })

  it('is raised offline, escalated from the group to the community, resolved there, and the building leader sees every step', async () => {
    // the group leader and the community are signed in before anything exists: they must sync to see it
    const group = await open(TABLET, GROUP)
    const community = await open(DESKTOP, COMMUNITY)
    for (const p of [group, community]) {
      await p.goto(`${server.url}/feedback`)
      await section(p, 'inbox').getByText('没有等待您处理的意见').waitFor()
    }
    const leader = await open(PHONE, LEADER)
    await waitForServiceWorker(leader)
    await leader.goto(`${server.url}/feedback`)
    await section(leader, 'inbox').waitFor()
    await leader.context().setOffline(true)

    // ---- raise, offline, on a phone
    await leader.locator('[data-raise]').click()
    await leader.waitForURL('**/feedback/new')
    // an empty description is refused in words, and the form stays as it was
    await choice(leader, '设施维修').click()
    await leader.locator('button[type="submit"]').click()
    await form(leader).getByText('问题描述：有必填项未填写').waitFor()
    expect(await choice(leader, '设施维修').getAttribute('aria-pressed')).toBe('true')
    await leader.locator('textarea').first().fill(WORDS)
    // a half-typed form survives a reload (offline, from the service worker)
    await leader.reload()
    await form(leader).getByText('已恢复上次未保存的内容').waitFor()
    expect(await leader.locator('textarea').first().inputValue()).toBe(WORDS)
    expect(await choice(leader, '设施维修').getAttribute('aria-pressed')).toBe('true')
    // two buildings: the leader says which; a room not in the building is refused, nothing typed is lost
    await choice(leader, '1栋').click()
    await choice(leader, '2单元').click()
    await leader.locator('input[name="room"]').fill('909')
    await leader.locator('button[type="submit"]').click()
    await form(leader).getByText('没有这个室号').waitFor()
    expect(await leader.locator('textarea').first().inputValue()).toBe(WORDS)
    await leader.locator('input[name="room"]').fill('302')
    await choice(leader, '紧急').click()
    expect(await choice(leader, '入户走访').getAttribute('aria-pressed')).toBe('true')
    // big enough for older hands: 18px text, 48px targets
    expect(parseFloat(await leader.evaluate(() => getComputedStyle(document.documentElement).fontSize))).toBeGreaterThanOrEqual(18)
    expect((await choice(leader, '环境卫生').boundingBox())!.height).toBeGreaterThanOrEqual(48)
    await leader.evaluate(() => window.scrollTo(0, 0))
    await shot(leader, 'feedback-phone-raise')
    await leader.locator('button[type="submit"]').scrollIntoViewIfNeeded()
    await leader.evaluate(() => window.scrollTo(0, document.body.scrollHeight))
    await shot(leader, 'feedback-phone-raise-end')
    await leader.locator('button[type="submit"]').click()

    // saved at once, offline, and back on the list
    await leader.waitForURL((u) => u.pathname === '/feedback')
    await leader.locator('[data-saved]').getByText('已保存').waitFor()
    const mine = card(section(leader, 'mine'))
    await mine.getByText('待同步').waitFor()
    expect(await mine.textContent()).toContain('处理中 · 楼栋长')
    expect(await mine.textContent()).toContain('紧急')
    expect(await mine.textContent()).toContain('1栋 2单元 302')
    // it waits in the building leader's own inbox first, with the count on the tab
    await card(section(leader, 'inbox')).waitFor()
    expect(await leader.locator('.tab-bar .van-badge').first().textContent()).toBe('1')
    await shot(leader, 'feedback-phone-inbox')

    // the building leader cannot solve it: passes it up to the group leader, still offline
    await mine.click()
    await leader.waitForURL(/\/feedback\/[0-9a-f-]{36}$/)
    const id = new URL(leader.url()).pathname.split('/').pop()!
    await act(leader, 'escalate', '需要物业出资更换线路,楼栋解决不了', '上报到居民小组长')
    await leader.locator('[data-timeline]').getByText('待同步').first().waitFor()
    expect(await leader.locator('[data-level]').textContent()).toBe('居民小组长')

    // ---- online: both records go up on their own
    await leader.context().setOffline(false)
    await allSynced(leader, 2)

    // ---- the group leader's tablet: in the inbox after a sync, list and detail side by side
    await group.reload()
    const groupCard = card(section(group, 'inbox'))
    await groupCard.waitFor({ timeout: 30_000 })
    expect(await groupCard.textContent()).toContain('紧急')
    await groupCard.click()
    await group.locator(`[data-feedback="${id}"]`).waitFor()
    const list = (await group.locator('.fb-home__list').boundingBox())!
    const detail = (await group.locator('.fb-home__detail').boundingBox())!
    expect(list.x + list.width).toBeLessThanOrEqual(detail.x)
    expect(await group.locator('.rail .van-badge').first().textContent()).toBe('1')
    await shot(group, 'feedback-tablet-two-pane')
    await act(group, 'escalate', '需要社区协调物业维修资金', '上报到社区')
    await allSynced(group, 1)
    // escalation moved it out of this inbox
    await expect.poll(() => groupCard.count()).toBe(0)
    // still in sight below, now with the community
    expect(await card(section(group, 'following')).textContent()).toContain('处理中 · 社区')
    // and the filters find it: open items with the community
    await group.locator('.fb-filters summary').click()
    await group.locator('select[name="level"]').selectOption('community')
    await card(section(group, 'filtered')).waitFor()

    // ---- community staff, desktop: in the inbox after a sync; resolved here
    await community.reload()
    const communityCard = card(section(community, 'inbox'))
    await communityCard.waitFor({ timeout: 30_000 })
    await communityCard.click()
    await community.locator(`[data-feedback="${id}"]`).waitFor()
    await act(community, 'resolve', '物业已更换楼道灯和线路,王奶奶确认可以了', '解决')
    await allSynced(community, 1)
    expect(await community.locator('[data-status]').first().textContent()).toContain('已解决 · 社区')
    await shot(community, 'feedback-desktop-resolved')
    // this month's numbers: one collected, one resolved, none by the building or group
    await community.goto(`${server.url}/feedback/metrics`)
    await expect.poll(() => community.locator('[data-metric="collected"] dd').first().textContent()).toBe('1')
    expect(await community.locator('[data-metric="resolved"] dd').first().textContent()).toBe('1')
    expect(await community.locator('[data-metric="selfShare"] dd').first().textContent()).toBe('0%')
    await shot(community, 'feedback-desktop-metrics')

    // ---- back on the phone: after its next sync, 已解决 at 社区 with the full timeline
    await leader.reload()
    await expect.poll(() => leader.locator('[data-status]').first().textContent(), { timeout: 30_000 }).toContain('已解决 · 社区')
    const steps = leader.locator('[data-timeline-entry]')
    await expect.poll(() => steps.count()).toBe(4)
    const texts = await steps.allTextContents()
    expect(texts[0]).toContain('登记')
    expect(texts[1]).toContain('上报到居民小组长')
    expect(texts[1]).toContain('我（张秀英）')
    expect(texts[2]).toContain('上报到社区')
    // the people list fetched at login names the others: no more 其他人员
    expect(texts[2]).toContain('王志强（居民小组长）')
    expect(texts[3]).toContain('由社区解决')
    expect(texts[3]).toContain('刘敏（社区工作人员）')
    expect(await leader.locator('[data-resolved-by]').textContent()).toBe('刘敏（社区工作人员）')
    expect(texts[3]).toContain('物业已更换楼道灯和线路')
    // the resident's building leader may reopen it if the resident is not satisfied
    await leader.locator('[data-action="reopen"]').waitFor()
    // the whole timeline in one phone-wide picture: a taller window rather than a full-page shot, which floats the bars mid-page
    await leader.setViewportSize({ width: PHONE.width, height: 1600 })
    await shot(leader, 'feedback-phone-timeline')
    await leader.setViewportSize(PHONE)
  })

  it('refuses crafted records in plain words: an unknown category, an event for a feedback that does not exist', async () => {
    const token = await apiLogin(server.url, LEADER)
    const base = { v: 1, orgPath: B01, authorId: 'demo-13800000001', deviceId: 'e2e', clientTime: new Date().toISOString() }
    const records = [
      { ...base, id: uuidv7(), type: 'feedback', body: { category: 'weather', description: '天气不好', urgency: 'normal', channel: 'phone', raisedAt: new Date().toISOString() } },
      { ...base, id: uuidv7(), type: 'feedback', body: { category: 'repair', description: '  ', urgency: 'normal', channel: 'phone', raisedAt: new Date().toISOString() } },
      { ...base, id: uuidv7(), type: 'feedback.event', body: { feedback: uuidv7(), action: 'comment', text: '已联系物业' } },
    ]
    const { status, json } = await api<{ results: { status: string; code: string; path: string; reason: string }[] }>(server.url, '/api/v1/sync/push', { token, body: { records } })
    expect(status).toBe(200)
    expect(json.results).toMatchObject([
      { status: 'rejected', code: 'bad_value', path: 'body.category', reason: '填写的内容不正确' },
      { status: 'rejected', code: 'required', path: 'body.description', reason: '有必填项未填写' },
      { status: 'rejected', code: 'unknown_target', path: 'body.feedback', reason: '要更改的记录不存在' },
    ])
  })
})
