// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { createPinia, setActivePinia } from 'pinia'
import { MESSAGES, locale, t } from '@app/i18n'
import { SETTINGS_KEY, useSettingsStore } from '@app/stores/settings'

beforeEach(() => {
  localStorage.clear()
  document.documentElement.removeAttribute('style')
  setActivePinia(createPinia())
})

describe('settings', () => {
  it('loads the English words only when English is chosen', async () => {
    const s = useSettingsStore()
    await s.load()
    expect(MESSAGES.en).toBeUndefined()
    expect(t('shell.tabs.me')).toBe('我的')
    s.lang = 'en'
    // until the English chunk is here the Chinese stays, never a bare key
    expect(t('shell.tabs.me')).toBe('我的')
    await s.load()
    expect(MESSAGES.en).toBeDefined()
    expect(t('shell.tabs.me')).toBe('Me')
    expect(document.documentElement.lang).toBe('en')
  })

  it('defaults to Chinese at standard size', async () => {
    localStorage.clear()
    locale.value = 'zh-CN'
    const s = useSettingsStore()
    await s.load()
    expect(s.lang).toBe('zh-CN')
    expect(document.documentElement.style.fontSize).toBe('18px')
    expect(document.documentElement.lang).toBe('zh-CN')
  })

  it('applies and persists text size and language, and a fresh start restores them', async () => {
    const s = useSettingsStore()
    s.load()
    s.textSize = 'xlarge'
    s.lang = 'en'
    await nextTick()
    await s.load()
    expect(document.documentElement.style.fontSize).toBe('24px')
    expect(t('shell.tabs.me')).toBe('Me')
    expect(JSON.parse(localStorage.getItem(SETTINGS_KEY)!)).toEqual({ lang: 'en', textSize: 'xlarge' })

    document.documentElement.removeAttribute('style')
    locale.value = 'zh-CN'
    setActivePinia(createPinia())
    const again = useSettingsStore()
    await again.load()
    expect(again.textSize).toBe('xlarge')
    expect(again.lang).toBe('en')
    expect(document.documentElement.style.fontSize).toBe('24px')
    expect(document.documentElement.lang).toBe('en')
  })

  it('ignores a corrupt or unknown saved value', () => {
    localStorage.setItem(SETTINGS_KEY, '{"lang":"fr","textSize":"huge"}')
    const s = useSettingsStore()
    s.load()
    expect(s.lang).toBe('zh-CN')
    expect(s.textSize).toBe('standard')
    localStorage.setItem(SETTINGS_KEY, 'not json')
    setActivePinia(createPinia())
    expect(() => useSettingsStore().load()).not.toThrow()
  })
})
