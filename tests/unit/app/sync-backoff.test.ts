import { describe, expect, it } from 'vitest'
import { BACKOFF_CAP_MS, backoffDelay, classifyFailure, retryDelay } from '@app/sync/backoff'
import { parseRetryAfter } from '@app/sync/transport'

describe('backoffDelay', () => {
  it('doubles from 1 s with the top of the jitter range', () => {
    const top = () => 0.999999
    expect([0, 1, 2, 3, 4].map((a) => backoffDelay(a, top))).toEqual([999, 1999, 3999, 7999, 15999])
  })

  it('never exceeds five minutes however many failures', () => {
    expect(backoffDelay(9, () => 0.999999)).toBeLessThan(BACKOFF_CAP_MS)
    expect(backoffDelay(9, () => 0.999999)).toBeGreaterThan(BACKOFF_CAP_MS - 1000)
    expect(backoffDelay(60, () => 0.999999)).toBeLessThan(BACKOFF_CAP_MS)
    expect(backoffDelay(5000, () => 0.5)).toBe(BACKOFF_CAP_MS / 2)
  })

  it('picks uniformly below the ceiling (full jitter)', () => {
    expect(backoffDelay(3, () => 0)).toBe(0)
    expect(backoffDelay(3, () => 0.25)).toBe(2000)
    expect(backoffDelay(3, () => 0.5)).toBe(4000)
  })

  it('honours a longer Retry-After but not a shorter one', () => {
    expect(retryDelay(0, () => 0.5, 30_000)).toBe(30_000)
    expect(retryDelay(5, () => 0.5, 1_000)).toBe(16_000)
  })
})

describe('classifyFailure', () => {
  const http = (status: number, code: string | null = null, retryAfterMs: number | null = null) => ({ kind: 'http' as const, status, code, retryAfterMs })

  it('retries network errors, 5xx, 408 and 429', () => {
    expect(classifyFailure({ kind: 'network', message: 'Failed to fetch' })).toEqual({ action: 'retry', retryAfterMs: null })
    for (const status of [500, 502, 503, 504, 408]) expect(classifyFailure(http(status)).action).toBe('retry')
    expect(classifyFailure(http(429, 'rate_limited', 7000))).toEqual({ action: 'retry', retryAfterMs: 7000 })
  })

  it('pauses for a login on 401, stops for a disabled account and an outdated app', () => {
    expect(classifyFailure(http(401, 'unauthorized'))).toEqual({ action: 'login' })
    expect(classifyFailure(http(403, 'account_disabled'))).toEqual({ action: 'disabled' })
    expect(classifyFailure(http(426, 'outdated_client'))).toEqual({ action: 'outdated' })
  })

  it('does not retry other 4xx', () => {
    expect(classifyFailure(http(400, 'bad_request'))).toEqual({ action: 'stop', code: 'bad_request' })
    expect(classifyFailure(http(403, 'forbidden'))).toEqual({ action: 'stop', code: 'forbidden' })
    expect(classifyFailure(http(404))).toEqual({ action: 'stop', code: null })
  })
})

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.UTC(2024, 0, 1, 0, 0, 0)
    expect(parseRetryAfter('120', now)).toBe(120_000)
    expect(parseRetryAfter('Mon, 01 Jan 2024 00:00:30 GMT', now)).toBe(30_000)
    expect(parseRetryAfter(null, now)).toBeNull()
    expect(parseRetryAfter('soon', now)).toBeNull()
  })
})
