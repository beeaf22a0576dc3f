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

/**
 * The words of each language on hand. Chinese is in the first download; English
 * is a chunk of its own, fetched (or taken from the precache offline) only when
 * someone chooses it, so most phones never load it.
 */
export const MESSAGES: Partial<Record<Lang, Dict>> = {
  'zh-CN': collect(import.meta.glob<Module>('./zh-CN/*.ts', { eager: true })),
}

const LAZY: Partial<Record<Lang, Record<string, () => Promise<Module>>>> = {
  en: import.meta.glob<Module>('./en/*.ts'),
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
  const text = lookup(MESSAGES[locale.value] ?? {}, key) ?? lookup(MESSAGES['zh-CN']!, key) ?? key
  return params ? text.replace(/\{(\w+)\}/g, (m, p: string) => (p in params ? String(params[p]) : m)) : text
}

/** The language asked for last: a slow English download must not undo a later switch back. */
let wanted: Lang = 'zh-CN'

/**
 * Switches the UI to `lang`, first loading its words if they are not here yet
 * (the current language stays until they are). Already loaded, it switches at
 * once, before returning. Rejects when the words cannot be loaded (a chunk
 * missing after a deploy); the language then stays as it was.
 */
export async function setLocale(lang: Lang): Promise<void> {
  wanted = lang
  if (!MESSAGES[lang]) {
    const files = LAZY[lang] ?? {}
    const mods = await Promise.all(Object.entries(files).map(async ([file, load]) => [file, await load()] as const))
    MESSAGES[lang] = collect(Object.fromEntries(mods))
  }
  if (wanted !== lang) return
  locale.value = lang
  if (typeof document !== 'undefined') document.documentElement.lang = lang
}
