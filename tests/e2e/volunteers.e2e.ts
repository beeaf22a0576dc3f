/**
 * Volunteers end to end, on the real server and a real Chromium at phone size:
 * community staff register a volunteer and pair her with an overdue care
 * household; the volunteer, offline, records a service to it, which (once
 * synced) takes the household off the building leader's overdue list; the
 * building leader posts a 微心愿, the volunteer claims it, gets the address and
 * fulfils it, and the ledger's wish counts and hours move. Staff edit the
 * volunteer's registration; the volunteer corrects her service (a correction,
 * not an edit) and staff see it on a tablet. Screenshots of the wall, the
 * volunteer's month and the new forms (.tmp/screenshots/volunteers-*.png).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { PHONE, TABLET, api, apiLogin, cleanup, launchBrowser, login, newContext, startServer, waitForServiceWorker, type RunningServer } from './harness'
import { axeFindings, withAxe } from './walk/check'
import { uuidv7 } from '../../src/shared/ids'
import type { PullResponse, StoredRecord } from '../../src/shared/index'
import type { VolunteerLedger } from '../../src/shared/volunteerLedger'

const B01 = 'pl/tuodong/mingtongxiang/g01/b01'
const MTX = 'pl/tuodong/mingtongxiang'
const STAFF = '13800000003'
const LEADER = '13800000001'
const VOLUNTEER = '13800000021'

let server: RunningServer
let browser: Browser
let staffToken = ''
/** what the first test made, for the second */
let registrationId = ''
let serviceId = ''

const shot = (page: Page, name: string) => page.screenshot({ path: `.tmp/screenshots/volunteers-${name}.png`, fullPage: true })

async function phone(who: string, viewport = PHONE): Promise<Page> {
  const context = await newContext(browser, viewport)
  await withAxe(context)
  const page = await context.newPage()
  await login(page, server.url, who)
  return page
}

/** Waits until the staff's pull (the server) holds a record matching `match`: the phone's save reached the server. */
async function onServer(match: (r: StoredRecord) => boolean): Promise<StoredRecord> {
  const deadline = Date.now() + 30_000
  for (;;) {
    const { json } = await api<PullResponse>(server.url, '/api/v1/sync/pull?after=0&limit=2000', { token: staffToken })
    const found = json.records.find(match)
    if (found) return found
    if (Date.now() > deadline) throw new Error('the record never reached the server')
    await new Promise((r) => setTimeout(r, 300))
  }
}

async function ledger(): Promise<VolunteerLedger> {
  const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7)
  return (await api<VolunteerLedger>(server.url, `/api/v1/ledger/volunteers?scope=${MTX}&month=${month}`, { token: staffToken })).json
}

describe('volunteers, pairing and the wish wall', () => {
  beforeAll(async () => {
    mkdirSync('.tmp/screenshots', { recursive: true })
    server = await startServer()
    browser = await launchBrowser()
    staffToken = await apiLogin(server.url, STAFF)
    // a care household last seen three weeks ago, due every 7 days: overdue
    const leaderToken = await apiLogin(server.url, LEADER)
    const flaggedAt = new Date(Date.now() - 21 * 86_400_000).toISOString()
    const flag = { id: uuidv7(), type: 'care.flag', v: 1, orgPath: B01, authorId: 'demo-13800000001', deviceId: 'e2e', clientTime: flaggedAt, body: { household: '1-3-2', kind: 'alone_elderly', intervalDays: 7, active: true } }
    expect((await api(server.url, '/api/v1/sync/push', { token: leaderToken, method: 'POST', body: { records: [flag] } })).status).toBe(200)
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
    if (server) cleanup(server.dataDir)
  })

  it('staff register and pair; the volunteer records a service offline; the care clock starts again; a wish is posted, claimed, fulfilled and counted', async () => {
    // the building leader's care list: 1单元 302 is overdue
    const leader = await phone(LEADER)
    await leader.goto(`${server.url}/visits/care`)
    await expect.poll(() => leader.locator('.care-item[data-household="1-3-2"]').getAttribute('class')).toContain('care-item--overdue')

    // community staff: 我的 → 志愿服务 → 登记志愿者, then 结对 with that household
    const staff = await phone(STAFF)
    await staff.goto(`${server.url}/me`)
    await staff.locator('[data-volunteers-entry]').click()
    await staff.locator('[data-to-register]').click()
    expect(await axeFindings(staff, 'register form')).toEqual([])
    await staff.locator('[data-volunteer-form] input[name="name"]').fill('孙丽')
    await staff.locator('[data-volunteer-form] input[name="phone"]').fill(VOLUNTEER)
    await staff.locator('[data-volunteer-form] button[type="submit"]').click()
    await staff.waitForURL('**/volunteers')
    await staff.locator('[data-volunteer-list]', { hasText: '孙丽' }).waitFor()
    const registration = await onServer((r) => r.type === 'volunteer' && (r.body as { of?: string }).of === undefined)

    // staff edit her registration: the list's line opens it; the change is a later record of the same registration
    await staff.locator('[data-volunteer-list] a', { hasText: '孙丽' }).click()
    await staff.locator('[data-volunteer-form] input[name="name"]').waitFor()
    expect(await staff.locator('[data-volunteer-form] input[name="name"]').inputValue()).toBe('孙丽')
    expect(await axeFindings(staff, 'volunteer edit form')).toEqual([])
    await staff.locator('[data-volunteer-form] input[name="skills"]').fill('理发、量血压')
    await shot(staff, 'volunteer-edit')
    await staff.locator('[data-volunteer-form] button[type="submit"]').click()
    await staff.waitForURL('**/volunteers')
    await staff.locator('[data-volunteer-list]', { hasText: '理发、量血压' }).waitFor()
    const edited = await onServer((r) => r.type === 'volunteer' && (r.body as { of?: string }).of === registration.id)
    expect(edited.body).toMatchObject({ name: '孙丽', phone: VOLUNTEER, skills: '理发、量血压', active: true })
    await staff.locator('[data-to-pair]').click()
    await staff.locator('[data-pairing-form]').waitFor()
    expect(await axeFindings(staff, 'pairing form')).toEqual([])
    await staff.locator('[data-pairing-form] select[name="volunteer"]').selectOption({ label: '孙丽' })
    await staff.locator('[data-pairing-form] select[name="household"]').selectOption({ label: '1栋 1单元 302' })
    await staff.locator('[data-pairing-form] button[type="submit"]').click()
    await staff.waitForURL('**/volunteers')
    await staff.locator('[data-pairings]', { hasText: '孙丽 → 1栋 1单元 302' }).waitFor()
    await onServer((r) => r.type === 'volunteer.pairing')

    // the volunteer: her pairing; offline, she records a service to it
    const volunteer = await phone(VOLUNTEER)
    await waitForServiceWorker(volunteer)
    await volunteer.waitForURL('**/volunteers')
    await volunteer.locator('[data-pairings]', { hasText: '1栋 1单元 302' }).waitFor()
    await volunteer.context().setOffline(true)
    await volunteer.locator('[data-to-service]').click()
    await volunteer.locator('[data-service-form]').waitFor()
    expect(await axeFindings(volunteer, 'service form')).toEqual([])
    await volunteer.getByRole('button', { name: '多半小时' }).click()
    await volunteer.locator('[data-service-form] textarea[name="note"]').fill('陪老人聊天,量了血压')
    await shot(volunteer, 'service')
    await volunteer.locator('[data-service-form] button[type="submit"]').click()
    await volunteer.waitForURL('**/volunteers')
    await volunteer.locator('[data-my-month]', { hasText: '1.5 小时' }).waitFor()
    await volunteer.context().setOffline(false)
    const service = await onServer((r) => r.type === 'volunteer.service')
    expect(service.body).toMatchObject({ households: ['1-3-2'], hours: 1.5 })

    // it was two hours: her month's line opens the correction, which names the service and what changed
    await volunteer.locator('[data-my-month] a').first().click()
    await volunteer.locator('[data-correct-form]').waitFor()
    expect(await axeFindings(volunteer, 'correction form')).toEqual([])
    await volunteer.getByRole('button', { name: '多半小时' }).click()
    await volunteer.locator('[data-correct-form] input[name="reason"]').fill('实际陪了两个小时')
    await shot(volunteer, 'correct')
    await volunteer.locator('[data-correct-form] button[type="submit"]').click()
    await volunteer.waitForURL('**/volunteers')
    await volunteer.locator('[data-my-month]', { hasText: '2 小时' }).waitFor()
    const correction = await onServer((r) => r.type === 'correction')
    expect(correction.body).toMatchObject({ target: service.id, targetType: 'volunteer.service', fields: { hours: 2 }, reason: '实际陪了两个小时' })

    // the building leader's phone pulls it: the household is no longer overdue, and says who is paired with it
    await leader.reload()
    const item = leader.locator('.care-item[data-household="1-3-2"]')
    await expect.poll(() => item.getAttribute('class'), { timeout: 30_000 }).not.toContain('care-item--overdue')
    expect(await item.textContent()).toContain('结对：孙丽')

    // a wish: posted by the building leader with the resident's room
    await leader.goto(`${server.url}/wishes`)
    await leader.locator('[data-post-wish]').click()
    await leader.locator('[data-wish-form]').waitFor()
    expect(await axeFindings(leader, 'wish form')).toEqual([])
    await leader.locator('[data-wish-form] textarea[name="description"]').fill('想要一副 300 度的老花镜')
    await leader.locator('[data-wish-form] input[name="costCap"]').fill('50')
    await leader.locator('[data-wish-form] select[name="household"]').selectOption('2-5-1')
    await leader.locator('[data-wish-form] button[type="submit"]').click()
    await leader.waitForURL('**/wishes')
    await leader.locator('[data-wall] [data-status="open"]', { hasText: '老花镜' }).waitFor()
    const wish = await onServer((r) => r.type === 'wish')
    await onServer((r) => r.type === 'wish.address')
    const before = await ledger()
    expect(before.wishes).toMatchObject({ posted: 1, claimed: 0, fulfilled: 0 })

    // the volunteer sees it without the address, claims it, then gets the address and fulfils it
    await volunteer.goto(`${server.url}/wishes`)
    await volunteer.locator(`[data-wish="${wish.id}"]`).click()
    await volunteer.locator('[data-address]', { hasText: '认领后可看到地址' }).waitFor()
    await volunteer.locator('[data-wish-action="claim"]').click()
    await volunteer.locator('[data-status="claimed"]').waitFor()
    await onServer((r) => r.type === 'wish.event' && (r.body as { action: string }).action === 'claim')
    await expect
      .poll(async () => {
        if (await volunteer.locator('[data-address-text]').count()) return volunteer.locator('[data-address-text]').textContent()
        await volunteer.getByRole('button', { name: '获取地址' }).click().catch(() => undefined)
        return ''
      }, { timeout: 30_000 })
      .toBe('1栋 2单元 501')
    await volunteer.locator('textarea[name="wishNote"]').fill('已送到老人家中')
    await volunteer.locator('[data-wish-action="fulfil"]').click()
    await volunteer.locator('[data-status="fulfilled"]').waitFor()
    await onServer((r) => r.type === 'wish.event' && (r.body as { action: string }).action === 'fulfil')

    // the ledger moved: one claimed, one fulfilled, and her hours
    const after = await ledger()
    expect(after.wishes).toMatchObject({ posted: 1, claimed: 1, fulfilled: 1 })
    expect(after.volunteers).toEqual([expect.objectContaining({ name: '孙丽', hours: 2, services: 1 })])

    // the screens, at phone size
    await volunteer.goto(`${server.url}/wishes`)
    await volunteer.locator('[data-wall]').waitFor()
    await shot(volunteer, 'wall')
    await volunteer.goto(`${server.url}/volunteers`)
    await volunteer.locator('[data-my-month]').waitFor()
    await shot(volunteer, 'month')
    await leader.goto(`${server.url}/visits/care`)
    await leader.locator('.care-item[data-household="1-3-2"]').waitFor()
    await shot(leader, 'care-list')

    // in English at the largest text: the same screens, nothing pushed sideways
    await volunteer.evaluate(() => localStorage.setItem('loudong.settings', JSON.stringify({ lang: 'en', textSize: 'xlarge' })))
    for (const [path, mark, name] of [
      ['/wishes', '[data-wall]', 'wall-en-xlarge'],
      ['/volunteers', '[data-my-month]', 'month-en-xlarge'],
      [`/wishes/${wish.id}`, '[data-address]', 'wish-en-xlarge'],
      ['/volunteers/service', '[data-service-form]', 'service-en-xlarge'],
      [`/volunteers/service/${service.id}`, '[data-correct-form]', 'correct-en-xlarge'],
    ] as const) {
      await volunteer.goto(`${server.url}${path}`)
      await volunteer.locator(mark).waitFor()
      expect(await volunteer.evaluate(() => document.documentElement.dataset.textSize)).toBe('xlarge')
      expect(await volunteer.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), name).toBeLessThanOrEqual(0)
      expect(await axeFindings(volunteer, name)).toEqual([])
      await shot(volunteer, name)
    }
    registrationId = registration.id
    serviceId = service.id
  }, 180_000)

  it("the register's forms at the largest text on a phone and on a tablet: they fit and pass axe", async () => {
    const staff = await phone(STAFF)
    await staff.evaluate(() => localStorage.setItem('loudong.settings', JSON.stringify({ lang: 'zh-CN', textSize: 'xlarge' })))
    const tablet = await phone(STAFF, TABLET)
    for (const page of [staff, tablet]) {
      const size = page === staff ? 'xlarge' : 'tablet'
      for (const [path, mark, name] of [
        [`/volunteers/volunteer/${registrationId}`, '[data-volunteer-form]', `volunteer-edit-${size}`],
        [`/volunteers/team`, '[data-team-form]', `team-${size}`],
        [`/volunteers/service/${serviceId}`, '[data-correct-form]', `correct-${size}`],
      ] as const) {
        await page.goto(`${server.url}${path}`)
        await page.locator(mark).waitFor()
        expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), name).toBeLessThanOrEqual(0)
        expect(await axeFindings(page, name)).toEqual([])
        await shot(page, name)
      }
    }
  }, 120_000)
})
