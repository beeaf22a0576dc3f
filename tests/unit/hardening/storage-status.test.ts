// @vitest-environment jsdom
/**
 * Issue 7, storage: 我的 shows usage against the quota and warns past 80%.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { setLocale } from '@app/i18n'
import { storageStatus } from '@app/pwa/storage'
import MeStorage from '@app/components/me/MeStorage.vue'

const MB = 1024 * 1024

function pretend(usage: number, quota: number, persisted = true): void {
  Object.defineProperty(navigator, 'storage', {
    configurable: true,
    value: { estimate: async () => ({ usage, quota }), persisted: async () => persisted, persist: async () => persisted },
  })
}

describe('MeStorage', () => {
  beforeEach(() => {
    setLocale('zh-CN')
    Object.assign(storageStatus, { persisted: null, usedMB: null, quotaMB: null, ratio: null })
  })

  it('shows usage against the quota without a warning at 50%', async () => {
    pretend(50 * MB, 100 * MB)
    const w = mount(MeStorage)
    await flushPromises()
    expect(w.get('[data-storage-usage]').text()).toBe('浏览器报告本站已用 50 MB，最多可用 100 MB（已用 50%）')
    expect(w.find('[data-storage-warning]').exists()).toBe(false)
  })

  it('warns once usage passes 80%', async () => {
    pretend(85 * MB, 100 * MB, false)
    const w = mount(MeStorage)
    await flushPromises()
    expect(w.get('[data-storage-warning]').text()).toContain('本站的存储快到浏览器允许的上限了（已用 85%）')
    expect(w.text()).toContain('请及时同步')
  })
})
