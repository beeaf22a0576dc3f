import { describe, expect, it } from 'vitest'
import type { Dict } from '@app/i18n'
import zhSync from '@app/i18n/zh-CN/sync'
import enSync from '@app/i18n/en/sync'
import zhVisits from '@app/i18n/zh-CN/visits'
import enVisits from '@app/i18n/en/visits'

function keys(dict: Dict, prefix = ''): string[] {
  return Object.entries(dict).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`))).sort()
}

function placeholders(dict: Dict): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  const walk = (d: Dict, prefix: string) => {
    for (const [k, v] of Object.entries(d)) {
      if (typeof v === 'string') out[prefix + k] = (v.match(/\{\w+\}/g) ?? []).sort()
      else walk(v, `${prefix}${k}.`)
    }
  }
  walk(dict, '')
  return out
}

describe('sync and visits text', () => {
  it.each([
    ['sync', zhSync, enSync],
    ['visits', zhVisits, enVisits],
  ])('%s: English has every key and the same placeholders', (_name, zh, en) => {
    expect(keys(en)).toEqual(keys(zh))
    expect(placeholders(en)).toEqual(placeholders(zh))
  })
})
