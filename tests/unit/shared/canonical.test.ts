import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { canonicalJson } from '../../../src/shared/canonical'
import { contentHash } from '../../../src/server/sync/push'
import type { LocalRecord } from '../../../src/shared/records'

/** The first implementation, kept here as the reference: stored content hashes were made with its text. */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`
  const obj = value as Record<string, unknown>
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${reference(obj[k])}`).join(',')}}`
}

/** A small deterministic generator of JSON-ish values, awkward ones included. */
function values(): unknown[] {
  let seed = 7
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n)
  const strings = ['', 'a', '王奶奶,身体还好', 'line\nbreak', 'quote"\\', '\u2028', '\ud83c\udfe0', 'Z', 'é', '__proto__x']
  const make = (depth: number): unknown => {
    switch (rnd(depth > 3 ? 6 : 9)) {
      case 0: return null
      case 1: return rnd(2) === 0
      case 2: return rnd(1000) - 500 + rnd(3) / 4
      case 3: return strings[rnd(strings.length)]
      case 4: return undefined
      case 5: return Number.NaN
      case 6: return Array.from({ length: rnd(4) }, () => make(depth + 1))
      default: {
        const o: Record<string, unknown> = {}
        for (let i = rnd(5); i > 0; i--) o[strings[rnd(strings.length)]! + String(rnd(3))] = make(depth + 1)
        return o
      }
    }
  }
  // an array with a hole at index 1 (JSON never makes one, but the text must still not change)
  const holey: unknown[] = [1]
  holey[2] = 3
  const out: unknown[] = [holey, { b: 1, a: [undefined, null], c: undefined }, [[], {}], { 10: 'x', 9: 'y', b: 'z' }]
  for (let i = 0; i < 500; i++) out.push(make(0))
  return out
}

describe('canonicalJson', () => {
  it('makes exactly the text of the reference implementation', () => {
    for (const v of values()) expect(canonicalJson(v)).toBe(reference(v))
  })

  it('sorts keys and leaves out undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: undefined } })).toBe('{"a":{"d":[1,"x"]},"b":1}')
  })

  it('keeps the content hash of a stored record', () => {
    const record = {
      id: '01890a5d-ac96-774b-bcce-b302099a8057', type: 'visit', v: 1, orgPath: 'pl/tuodong/mingtongxiang/g01/b01', authorId: 'demo-13800000001',
      deviceId: 'dev-1', clientTime: '2026-05-01T09:30:00.000Z',
      body: { visitedAt: '2026-05-01T09:20:00.000Z', household: '1-3-2', outcome: 'met', purposes: ['care'], note: '王奶奶身体还好,提醒按时吃药' },
    } as LocalRecord
    const expected = createHash('sha256').update(reference({ ...record }), 'utf8').digest('hex')
    expect(contentHash(record)).toBe(expected)
  })
})
