/**
 * Issue 16, words: every locale file has English for every key with the same
 * placeholders; Chinese text uses Chinese punctuation; English puts a space
 * after a colon; English counts of things go through plural forms (tn).
 */
import { describe, expect, it } from 'vitest'
import type { Dict } from '@app/i18n'

const zh = import.meta.glob<{ default: Dict }>('../../../src/app/i18n/zh-CN/*.ts', { eager: true })
const en = import.meta.glob<{ default: Dict }>('../../../src/app/i18n/en/*.ts', { eager: true })
const areas = Object.keys(zh).map((f) => f.replace(/^.*\/(.+)\.ts$/, '$1'))

function flat(dict: Dict, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [k, v] of Object.entries(dict)) {
    if (typeof v === 'string') out.set(prefix + k, v)
    else for (const [kk, vv] of flat(v, `${prefix}${k}.`)) out.set(kk, vv)
  }
  return out
}
const file = (lang: 'zh-CN' | 'en', area: string) => flat((lang === 'en' ? en : zh)[`../../../src/app/i18n/${lang}/${area}.ts`]!.default)
const holes = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort()

describe.each(areas)('words of %s', (area) => {
  const zhWords = file('zh-CN', area)
  const enWords = file('en', area)

  it('English has every key, with the same placeholders', () => {
    expect([...enWords.keys()].sort()).toEqual([...zhWords.keys()].sort())
    for (const [key, text] of zhWords) expect(holes(enWords.get(key) ?? ''), key).toEqual(holes(text))
  })

  it('Chinese uses Chinese punctuation (，：；？！（）), not ASCII', () => {
    const ascii = [...zhWords].filter(([, text]) => /[,:;?!()]/.test(text.replace(/\{\w+\}/g, '').replace(/\d[,:]\d/g, '')))
    expect(ascii.map(([key, text]) => `${key}: ${text}`)).toEqual([])
  })

  it('English puts a space after a colon', () => {
    const tight = [...enWords].filter(([, text]) => /:(?=\S)/.test(text.replace(/\{\w+\}/g, 'x').replace(/\d:\d/g, '')))
    expect(tight.map(([key, text]) => `${key}: ${text}`)).toEqual([])
  })

  it('English counts of things ({n} records, {days} days) have plural forms', () => {
    const counted = /\{(n|days|total|added|skipped)\} (?:\w+ )?(records?|days?|households?|sessions?|buildings?|items?|visits?|things?|people)\b/
    const single = [...enWords].filter(([key, text]) => counted.test(text) && !/\.(one|other)$/.test(key))
    expect(single.map(([key, text]) => `${key}: ${text}`)).toEqual([])
  })
})

describe("the server's messages (src/shared/messages.ts)", () => {
  it('Chinese uses Chinese punctuation, not ASCII', async () => {
    const { MESSAGES } = await import('@shared/messages')
    const ascii = Object.entries(MESSAGES as Record<string, readonly [string, string]>).filter(([, [zhText]]) => /[,:;?!()]/.test(zhText.replace(/\{\w+\}/g, '').replace(/\d[,:]\d/g, '')))
    expect(ascii.map(([code, [zhText]]) => `${code}: ${zhText}`)).toEqual([])
  })
})
