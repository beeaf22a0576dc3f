import { describe, expect, it } from 'vitest'
import { checkRecordShape, isTooFarInFuture, NOTE_MAX, FUTURE_TOLERANCE_MS } from '@shared/records'
import { uuidv7, UUID_RE } from '@shared/ids'
import { canonicalJson } from '@shared/canonical'

const base = () => ({
  id: uuidv7(),
  type: 'visit',
  v: 1,
  orgPath: 'pl/tuodong/mingtongxiang/g01/b01',
  authorId: 'u1',
  deviceId: 'd1',
  clientTime: '2026-11-27T10:00:00.000Z',
  body: { household: '1-3-2', outcome: 'met', purposes: ['policy'], note: '王阿姨说楼道灯坏了', visitedAt: '2026-11-27T09:55:00.000Z' },
})

describe('uuidv7', () => {
  it('makes version-7 ids whose time prefix sorts by creation time', () => {
    const a = uuidv7(1_700_000_000_000)
    const b = uuidv7(1_700_000_000_001)
    expect(a).toMatch(UUID_RE)
    expect(a[14]).toBe('7')
    expect(a < b).toBe(true)
    expect(new Set(Array.from({ length: 1000 }, () => uuidv7(5))).size).toBe(1000)
  })
})

describe('checkRecordShape', () => {
  it('accepts a well-formed visit, including an empty note', () => {
    expect(checkRecordShape(base()).ok).toBe(true)
    const r = base()
    r.body.note = ''
    expect(checkRecordShape(r).ok).toBe(true)
  })

  it('names the field and the reason of a bad record', () => {
    const r = base()
    r.body.note = '字'.repeat(NOTE_MAX + 1)
    expect(checkRecordShape(r)).toEqual({ ok: false, issue: { code: 'note_too_long', path: 'body.note', max: 2000 } })
    const r2 = base() as Record<string, unknown>
    r2.seq = 5
    const res = checkRecordShape(r2)
    expect(res.ok).toBe(false)
    const r3 = { ...base(), type: 'nonsense' }
    expect(checkRecordShape(r3)).toMatchObject({ ok: false, issue: { code: 'unknown_type', path: 'type' } })
    const r4 = base()
    ;(r4.body as Record<string, unknown>).outcome = 'maybe'
    expect(checkRecordShape(r4)).toMatchObject({ ok: false, issue: { code: 'bad_value', path: 'body.outcome' } })
  })

  it('rejects unknown body fields and non-objects', () => {
    const r = base()
    ;(r.body as Record<string, unknown>).extra = 1
    expect(checkRecordShape(r).ok).toBe(false)
    expect(checkRecordShape(null).ok).toBe(false)
    expect(checkRecordShape('visit').ok).toBe(false)
  })

  it('validates corrections and voids', () => {
    const target = uuidv7()
    expect(checkRecordShape({ ...base(), type: 'correction', body: { target, targetType: 'visit', fields: { note: '改' } } }).ok).toBe(true)
    expect(checkRecordShape({ ...base(), type: 'correction', body: { target, targetType: 'visit', fields: { household: '1-1-1' } } }).ok).toBe(false)
    expect(checkRecordShape({ ...base(), type: 'void', body: { target, reason: '' } })).toMatchObject({ ok: false, issue: { code: 'required', path: 'body.reason' } })
    expect(checkRecordShape({ ...base(), type: 'void', body: { target: 'nope', reason: '记错了' } })).toMatchObject({ ok: false, issue: { path: 'body.target' } })
  })
})

describe('future times', () => {
  it('tolerates a day of clock drift and no more', () => {
    const now = Date.parse('2026-11-27T00:00:00Z')
    expect(isTooFarInFuture(new Date(now + FUTURE_TOLERANCE_MS - 1000).toISOString(), now)).toBe(false)
    expect(isTooFarInFuture(new Date(now + FUTURE_TOLERANCE_MS + 1000).toISOString(), now)).toBe(true)
    expect(isTooFarInFuture('not a date', now)).toBe(true)
  })
})

describe('canonicalJson', () => {
  it('ignores key order and undefined fields but not values', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: 'x' } })).toBe(canonicalJson({ a: { c: 'x', d: [1, 2] }, b: 1, e: undefined }))
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }))
  })
})
