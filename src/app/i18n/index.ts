/**
 * UI text. Each area of the app has one file per language under `zh-CN/` and
 * `en/` (same file name, same keys); the unit test `i18n.test.ts` checks that
 * English is complete. Keys are `file.key`, e.g. `t('me.textSize')`.
 */
import { ref } from 'vue'
import type { Lang } from '@shared/index'

export type Dict = { [key: string]: string | Dict }
type Module = { default: Dict }

function collect(mods: Record<string, Module>): Dict {
  const out: Dict = {}
  for (const [file, mod] of Object.entries(mods)) {
    const area = file.replace(/^.*\/(.+)\.ts$/, '$1')
    out[area] = mod.default
  }
  return out
}

export const MESSAGES: Record<Lang, Dict> = {
  'zh-CN': collect(import.meta.glob<Module>('./zh-CN/*.ts', { eager: true })),
  en: collect(import.meta.glob<Module>('./en/*.ts', { eager: true })),
}

export const LANGS: Lang[] = ['zh-CN', 'en']
export const locale = ref<Lang>('zh-CN')

function lookup(dict: Dict, key: string): string | undefined {
  let node: string | Dict | undefined = dict
  for (const part of key.split('.')) {
    if (typeof node !== 'object') return undefined
    node = node[part]
  }
  return typeof node === 'string' ? node : undefined
}

/** Translates `key`, filling `{name}` placeholders. Falls back to zh-CN, then the key itself. */
export function t(key: string, params?: Record<string, string | number>): string {
  const text = lookup(MESSAGES[locale.value], key) ?? lookup(MESSAGES['zh-CN'], key) ?? key
  return params ? text.replace(/\{(\w+)\}/g, (m, p: string) => (p in params ? String(params[p]) : m)) : text
}

export function setLocale(lang: Lang): void {
  locale.value = lang
  if (typeof document !== 'undefined') document.documentElement.lang = lang
}
