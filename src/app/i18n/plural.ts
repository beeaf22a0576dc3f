import { MESSAGES, locale, t } from './index'

const rulesByLang = new Map<string, Intl.PluralRules>()

/**
 * Translates a counted phrase: `key` names an object of plural forms
 * (`one`, `other`, as Intl.PluralRules names them for the language; Chinese
 * uses only `other`, yet lists the same keys as English for the completeness test), `{n}` is filled with `n`. A missing form falls back to
 * `other`.
 */
export function tn(key: string, n: number, params: Record<string, string | number> = {}): string {
  let rules = rulesByLang.get(locale.value)
  if (!rules) {
    rules = new Intl.PluralRules(locale.value)
    rulesByLang.set(locale.value, rules)
  }
  const form = rules.select(n)
  const forms = MESSAGES[locale.value]
  const has = key.split('.').reduce<unknown>((node, part) => (typeof node === 'object' && node ? (node as Record<string, unknown>)[part] : undefined), forms)
  const chosen = typeof has === 'object' && has && form in has ? `${key}.${form}` : `${key}.other`
  return t(chosen, { ...params, n })
}
