import { describe, expect, it } from 'vitest'
import type { Dict } from '@app/i18n'

type Module = { default: Dict }
const zh = import.meta.glob<Module>('../../../src/app/i18n/zh-CN/*.ts', { eager: true })
const en = import.meta.glob<Module>('../../../src/app/i18n/en/*.ts', { eager: true })

const byArea = (mods: Record<string, Module>) =>
  Object.fromEntries(Object.entries(mods).map(([file, m]) => [file.replace(/^.*\/(.+)\.ts$/, '$1'), m.default]))

function flatten(dict: Dict, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [k, v] of Object.entries(dict)) {
    if (typeof v === 'string') out.set(prefix + k, v)
    else for (const [kk, vv] of flatten(v, `${prefix}${k}.`)) out.set(kk, vv)
  }
  return out
}

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

const zhAreas = byArea(zh)
const enAreas = byArea(en)

describe('i18n files', () => {
  it('has the same area files in both languages', () => {
    expect(Object.keys(enAreas).sort()).toEqual(Object.keys(zhAreas).sort())
    expect(Object.keys(zhAreas).length).toBeGreaterThan(0)
  })

  for (const area of Object.keys(zhAreas)) {
    it(`${area}: every key exists in both languages, with the same placeholders`, () => {
      const a = flatten(zhAreas[area]!)
      const b = flatten(enAreas[area] ?? {})
      expect([...a.keys()].filter((k) => !b.has(k)), 'missing in en').toEqual([])
      expect([...b.keys()].filter((k) => !a.has(k)), 'missing in zh-CN').toEqual([])
      for (const [k, v] of a) {
        expect(v.trim(), `${area}.${k} is empty in zh-CN`).not.toBe('')
        expect(b.get(k)!.trim(), `${area}.${k} is empty in en`).not.toBe('')
        expect(placeholders(b.get(k)!), `${area}.${k} placeholders`).toEqual(placeholders(v))
      }
    })
  }
})
