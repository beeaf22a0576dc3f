// @vitest-environment jsdom
/**
 * The phone learns the server's clock at every sync: a record made afterwards
 * carries the corrected time, a refused record mended later is stamped anew, and
 * the person is told in words when the clock is more than a few minutes off.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { mount } from '@vue/test-utils'
import type { LoudongDB } from '@app/db/database'
import { SyncEngine } from '@app/sync/engine'
import { CLOCK_WARN_MS, clockIsOff, offsetFrom, setClockOffset, trustedNow } from '@app/sync/clock'
import { BUILDING, FakeServer, NOW, freshDb, signIn, visitBody } from './fakes'

const holder = vi.hoisted(() => ({ db: null as LoudongDB | null }))
vi.mock('@app/db/database', async (importOriginal) => {
  const mod = await importOriginal<typeof import('@app/db/database')>()
  return {
    ...mod,
    get db() {
      return holder.db
    },
  }
})

const { useRecordsStore } = await import('@app/stores/records')
const { useSyncStore } = await import('@app/stores/sync')
const { setLocale } = await import('@app/i18n')
const SafetyBanners = (await import('@app/components/safety/SafetyBanners.vue')).default

const THREE_DAYS = 3 * 24 * 60 * 60 * 1000

describe('offsetFrom', () => {
  it('takes the server time as the middle of the round trip', () => {
    expect(offsetFrom('2026-05-01T10:00:00.000Z', Date.parse('2026-05-01T09:59:59.000Z') - 100, Date.parse('2026-05-01T09:59:59.000Z') + 100)).toBe(1000)
    expect(offsetFrom(undefined, 0, 10)).toBeNull()
    expect(offsetFrom('not a time', 0, 10)).toBeNull()
  })

  it('warns only beyond a few minutes', () => {
    expect(clockIsOff(CLOCK_WARN_MS)).toBe(false)
    expect(clockIsOff(-CLOCK_WARN_MS - 1)).toBe(true)
  })
})

describe('a phone whose clock is three days ahead', () => {
  beforeEach(async () => {
    holder.db = freshDb()
    await signIn(holder.db)
    setActivePinia(createPinia())
    vi.useFakeTimers({ toFake: ['Date'], now: NOW + THREE_DAYS })
  })
  afterEach(() => {
    vi.useRealTimers()
    setClockOffset(0)
  })

  it('learns the offset at sync and stamps the next record with the server time', async () => {
    const server = new FakeServer()
    server.clock = NOW
    const engine = new SyncEngine({ db: holder.db!, fetch: server.fetch, locks: null, timers: null })
    await engine.sync()
    expect((await holder.db!.getMeta('clockOffset'))?.ms).toBe(-THREE_DAYS)
    expect(Math.abs(trustedNow() - NOW)).toBeLessThan(1000)

    const record = await useRecordsStore().save('visit', BUILDING, visitBody('1-2-1'))
    expect(Math.abs(Date.parse(record.clientTime) - NOW)).toBeLessThan(1000)
  })

  it('a record refused for its clock is stamped anew when mended and sent again', async () => {
    const store = useRecordsStore()
    const record = await store.save('visit', BUILDING, visitBody('1-2-1'))
    expect(Date.parse(record.clientTime)).toBeGreaterThanOrEqual(NOW + THREE_DAYS)
    await holder.db!.outbox.update(record.id, { state: 'attention', code: 'future_time', path: 'clientTime' })
    // the refusal's answer taught the clock
    setClockOffset(-THREE_DAYS)
    const mended = await store.resend(record.id, { ...record.body, visitedAt: new Date(NOW).toISOString() })
    expect(mended.id).toBe(record.id)
    expect(Math.abs(Date.parse(mended.clientTime) - NOW)).toBeLessThan(1000)
  })

  it('tells the person in words, in both languages', async () => {
    await holder.db!.setMeta('clockOffset', { ms: -THREE_DAYS, at: NOW })
    const sync = useSyncStore()
    sync.start()
    await vi.waitFor(() => expect(sync.clockOffsetMs).toBe(-THREE_DAYS))
    const banner = mount(SafetyBanners)
    expect(banner.find('[data-clock-warning]').text()).toContain('快了 3天')
    await setLocale('en')
    await banner.vm.$nextTick()
    expect(banner.find('[data-clock-warning]').text()).toContain('3 days ahead of Beijing time')
    setLocale('zh-CN')
    sync.stop()
  })
})
