/**
 * When to try again, and whether to. Pure: the random source is passed in so
 * tests can pin the jitter.
 */
import type { TransportFailure } from './transport'

export const BACKOFF_BASE_MS = 1000
export const BACKOFF_CAP_MS = 5 * 60 * 1000

/**
 * Capped exponential backoff with full jitter: a uniform pick in
 * [0, min(cap, base·2^attempt)), so many phones coming back online at once do
 * not knock on the server together. `attempt` counts from 0.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random, base = BACKOFF_BASE_MS, cap = BACKOFF_CAP_MS): number {
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, attempt))
  const r = Math.min(Math.max(random(), 0), 1)
  return Math.floor(r * ceiling)
}

/** The server's Retry-After wins when it asks for longer than the jittered wait. */
export function retryDelay(attempt: number, random: () => number, retryAfterMs: number | null): number {
  return Math.max(retryAfterMs ?? 0, backoffDelay(attempt, random))
}

export type FailureAction =
  | { action: 'retry'; retryAfterMs: number | null }
  /** the login expired: keep everything, wait for a new login */
  | { action: 'login' }
  /** this account was switched off (e.g. a lost phone) */
  | { action: 'disabled' }
  /** the server no longer speaks this app's protocol: refresh the app */
  | { action: 'outdated' }
  /** the request itself is wrong; sending it again would not help */
  | { action: 'stop'; code: string | null }

export function classifyFailure(failure: TransportFailure): FailureAction {
  if (failure.kind === 'network') return { action: 'retry', retryAfterMs: null }
  const { status, code } = failure
  if (status >= 500 || status === 408 || status === 429) return { action: 'retry', retryAfterMs: failure.retryAfterMs }
  if (status === 401) return { action: 'login' }
  if (status === 403 && code === 'account_disabled') return { action: 'disabled' }
  if (status === 426) return { action: 'outdated' }
  return { action: 'stop', code }
}
