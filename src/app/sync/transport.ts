/**
 * One HTTP call to the sync server, answered as a value rather than a throw, so
 * the caller decides what a failure means. Never retries by itself.
 */
import { API_PREFIX, PROTOCOL_HEADER, PROTOCOL_VERSION } from '@shared/index'
import { globalTimers, type Timers } from './timers'

/**
 * How long one request may take, answer body included, before it counts as a
 * network failure (and is aborted). Without it a request hung on a bad mobile
 * network held the sync lock for ever: no later run, in this tab or another,
 * could send anything. 30 s is several times what a page of 500 records takes
 * on slow 3G; after it the engine's backoff tries again.
 */
export const REQUEST_TIMEOUT_MS = 30_000

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>

export type TransportFailure =
  | { kind: 'network'; message: string }
  | { kind: 'http'; status: number; code: string | null; retryAfterMs: number | null }

export type TransportResult<T> = { kind: 'ok'; status: number; data: T } | TransportFailure

export interface RequestSpec {
  method: 'GET' | 'POST'
  /** path under /api/v1, e.g. `/sync/push` */
  path: string
  token: string
  body?: unknown
}

export interface TransportOptions {
  fetch: FetchLike
  /** origin to prefix; '' in the page and the service worker (same origin) */
  baseUrl?: string
  now?: () => number
  /** ms before a request gives up; default REQUEST_TIMEOUT_MS */
  timeoutMs?: number
  /** for the timeout; default the global ones */
  timers?: Timers
}

/** Retry-After is either seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const at = Date.parse(trimmed)
  return Number.isNaN(at) ? null : Math.max(0, at - now)
}

async function errorCode(res: Response): Promise<string | null> {
  try {
    const json = (await res.json()) as { error?: { code?: unknown } }
    return typeof json.error?.code === 'string' ? json.error.code : null
  } catch {
    return null
  }
}

/**
 * Sends one request and reads its answer. Never throws: a refused connection,
 * a non-JSON answer and a request past `opts.timeoutMs` (aborted, reported as
 * `{ kind: 'network', message: 'timeout' }`) are all network failures; a non-2xx
 * status is an `http` failure with the server's error code and Retry-After.
 */
export async function request<T>(opts: TransportOptions, spec: RequestSpec): Promise<TransportResult<T>> {
  const timers = opts.timers ?? globalTimers
  const abort = new AbortController()
  let handle: unknown = null
  // raced rather than trusted to the signal alone: a fetch that ignores it must not hang the run either
  const timedOut = new Promise<TransportFailure>((resolve) => {
    handle = timers.setTimeout(() => {
      abort.abort()
      resolve({ kind: 'network', message: 'timeout' })
    }, opts.timeoutMs ?? REQUEST_TIMEOUT_MS)
  })
  try {
    return await Promise.race([exchange<T>(opts, spec, abort.signal), timedOut])
  } finally {
    timers.clearTimeout(handle)
  }
}

async function exchange<T>(opts: TransportOptions, spec: RequestSpec, signal: AbortSignal): Promise<TransportResult<T>> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${spec.token}`,
    [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
    accept: 'application/json',
  }
  if (spec.body !== undefined) headers['content-type'] = 'application/json'
  let res: Response
  try {
    res = await opts.fetch(`${opts.baseUrl ?? ''}${API_PREFIX}${spec.path}`, {
      method: spec.method,
      headers,
      ...(spec.body !== undefined ? { body: JSON.stringify(spec.body) } : {}),
      cache: 'no-store',
      signal,
    })
  } catch (err) {
    return { kind: 'network', message: err instanceof Error ? err.message : String(err) }
  }
  if (!res.ok) {
    const now = (opts.now ?? Date.now)()
    return { kind: 'http', status: res.status, code: await errorCode(res), retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), now) }
  }
  try {
    return { kind: 'ok', status: res.status, data: (await res.json()) as T }
  } catch {
    // A captive portal's HTML page answers 200 too; it is not our server.
    return { kind: 'network', message: 'bad_response' }
  }
}
