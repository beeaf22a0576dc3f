// @vitest-environment jsdom
/**
 * Issue 7, environment warnings: WeChat's in-app browser, iOS Safari outside
 * the home screen, private windows — each a dismissible banner with plain
 * instructions, dismissal remembered.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { environmentRisks, PRIVATE_QUOTA_BYTES } from '@app/components/safety/environment'
import { DISMISSED_KEY } from '@app/components/safety/dismissed'
import { setLocale } from '@app/i18n'
import SafetyBanners from '@app/components/safety/SafetyBanners.vue'

const ANDROID_CHROME = 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36'
const WECHAT = 'Mozilla/5.0 (Linux; Android 10; V2001A) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/86.0.4240.99 XWEB/4317 MMWEBSDK/20220903 Mobile Safari/537.36 MMWEBID/1234 MicroMessenger/8.0.28.2240(0x28001C57) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64'
const IPHONE_SAFARI = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1'
const IPHONE_CHROME = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0 Mobile/15E148 Safari/604.1'
const IPAD_AS_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15'
const GB = 1024 ** 3

const facts = (userAgent: string, more: Partial<Parameters<typeof environmentRisks>[0]> = {}) => ({ userAgent, standalone: false, quota: 10 * GB, canPersist: true, ...more })

describe('environmentRisks', () => {
  it('a normal Android Chrome has none', () => {
    expect(environmentRisks(facts(ANDROID_CHROME))).toEqual([])
  })

  it("WeChat's browser, whatever else it reports", () => {
    expect(environmentRisks(facts(WECHAT, { canPersist: false }))).toEqual(['wechat'])
  })

  it('iOS Safari outside the home screen, including an iPad that calls itself a Mac; not once installed; not Chrome on iOS', () => {
    expect(environmentRisks(facts(IPHONE_SAFARI))).toEqual(['iosSafari'])
    expect(environmentRisks(facts(IPAD_AS_MAC, { platform: 'MacIntel', maxTouchPoints: 5 }))).toEqual(['iosSafari'])
    expect(environmentRisks(facts(IPHONE_SAFARI, { standalone: true }))).toEqual([])
    expect(environmentRisks(facts(IPHONE_CHROME))).toEqual([])
  })

  it('a private window: a tiny quota, no persist(), or no IndexedDB at all', () => {
    expect(environmentRisks(facts(ANDROID_CHROME, { quota: PRIVATE_QUOTA_BYTES - 1 }))).toEqual(['private'])
    expect(environmentRisks(facts(ANDROID_CHROME, { canPersist: false }))).toEqual(['private'])
    expect(environmentRisks(facts(ANDROID_CHROME, { noDatabase: true }))).toEqual(['private'])
  })
})

describe('SafetyBanners', () => {
  beforeEach(() => {
    setLocale('zh-CN')
    localStorage.clear()
  })

  function pretend(userAgent: string): void {
    vi.spyOn(navigator, 'userAgent', 'get').mockReturnValue(userAgent)
    Object.defineProperty(navigator, 'storage', { configurable: true, value: { estimate: async () => ({ quota: 10 * GB, usage: 0 }), persist: async () => true } })
  }

  it('shows the WeChat instructions, and once dismissed they stay away after a reload', async () => {
    pretend(WECHAT)
    const first = mount(SafetyBanners, { global: { plugins: [createPinia()] } })
    await flushPromises()
    expect(first.text()).toContain('点右上角 ··· → 在浏览器打开')
    await first.get('button').trigger('click')
    expect(first.text()).toBe('')
    expect(JSON.parse(localStorage.getItem(DISMISSED_KEY)!)).toEqual(['wechat'])
    first.unmount()

    const again = mount(SafetyBanners, { global: { plugins: [createPinia()] } })
    await flushPromises()
    expect(again.text()).toBe('')
  })

  it('tells an iPhone user in Safari how to add it to the home screen', async () => {
    pretend(IPHONE_SAFARI)
    const w = mount(SafetyBanners, { global: { plugins: [createPinia()] } })
    await flushPromises()
    expect(w.text()).toContain('添加到主屏幕')
    expect(w.text()).toContain('7 天')
  })
})
