import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import type { Lang } from '@shared/index'
import { LANGS, setLocale } from '@app/i18n'

export const TEXT_SIZES = ['standard', 'large', 'xlarge'] as const
export type TextSize = (typeof TEXT_SIZES)[number]

/** Root font size per choice; every size in the app is in rem, so this scales it all. */
export const TEXT_SIZE_PX: Record<TextSize, number> = { standard: 18, large: 21, xlarge: 24 }

/** Not personal data, so plain localStorage: it is read synchronously before the first paint. */
export const SETTINGS_KEY = 'loudong.settings'

interface Saved {
  lang: Lang
  textSize: TextSize
}

function read(): Partial<Saved> {
  try {
    const raw = globalThis.localStorage?.getItem(SETTINGS_KEY)
    return raw ? (JSON.parse(raw) as Partial<Saved>) : {}
  } catch {
    // private mode or a corrupt value: defaults are fine
    return {}
  }
}

export const useSettingsStore = defineStore('settings', () => {
  /** UI language; zh-CN unless the person chose English */
  const lang = ref<Lang>('zh-CN')
  /** text size chosen on 我的 */
  const textSize = ref<TextSize>('standard')

  /** Resolves once the chosen language's words are loaded and shown (English is fetched on first use). */
  function apply(): Promise<void> {
    const switched = setLocale(lang.value).catch(() => undefined)
    if (typeof document !== 'undefined') {
      document.documentElement.style.fontSize = `${TEXT_SIZE_PX[textSize.value]}px`
      document.documentElement.dataset.textSize = textSize.value
    }
    return switched
  }

  /** Reads the saved choices and applies them; resolves when the language is ready for the first paint. */
  function load(): Promise<void> {
    const saved = read()
    if (saved.lang && LANGS.includes(saved.lang)) lang.value = saved.lang
    if (saved.textSize && TEXT_SIZES.includes(saved.textSize)) textSize.value = saved.textSize
    return apply()
  }

  watch([lang, textSize], () => {
    void apply()
    try {
      globalThis.localStorage?.setItem(SETTINGS_KEY, JSON.stringify({ lang: lang.value, textSize: textSize.value } satisfies Saved))
    } catch {
      // storage full or blocked: the choice still holds for this visit
    }
  }, { flush: 'sync' })

  return { lang, textSize, load }
})
