/**
 * Test doubles for sync: an in-memory sync server behind a fetch function,
 * timers fired by hand, and a Web Locks stand-in shared by "tabs".
 */
import 'fake-indexeddb/auto'
import { canonicalJson, type LocalRecord, type PushResult, type StoredRecord, type VisitBody } from '@shared/index'
import { LoudongDB } from '@app/db/database'
import type { LockLike, WaitingLocks } from '@app/sync/locks'
import type { Timers } from '@app/sync/timers'
import type { FetchLike } from '@app/sync/transport'

let dbCounter = 0
export function freshDb(): LoudongDB {
  return new LoudongDB(`test-${Date.now()}-${++dbCounter}-${Math.random().toString(36).slice(2)}`)
}

export const BUILDING = 'pl/tudong/mtx/g01/b01'
export const USER_ID = 'u-leader'
export const DEVICE_ID = 'device-1'
/** 2024-05-01T08:00:00Z */
export const NOW = Date.UTC(2024, 4, 1, 8, 0, 0)

/** Signs the building leader in, with their building in the org tree (the device checks places against it). */
export async function signIn(db: LoudongDB, token = 'token-1'): Promise<void> {
  await db.setMeta('session', { token, user: { id: USER_ID, name: '王阿姨', phone: '13800000000', role: 'building_leader', scopes: [BUILDING] } })
  await db.org.put({ path: BUILDING, kind: 'building', name: '1栋', layout: { units: 2, floors: 6, roomsPerFloor: 2 } })
}

export function visitBody(household = '1-3-2', note = '', now = NOW): VisitBody {
  return { household, outcome: 'met', purposes: [], note, visitedAt: new Date(now).toISOString() }
}

/** A visit saved with the device clock at `now`; the visit time itself is NOW whatever the device clock says. */
export function visitInput(household = '1-3-2', now = NOW, note = '') {
  return { type: 'visit' as const, orgPath: BUILDING, body: visitBody(household, note), authorId: USER_ID, deviceId: DEVICE_ID, now }
}

type Override = (req: { url: URL; method: string; body: unknown }) => Response | 'network' | undefined

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })
}

export function apiError(status: number, code: string, headers: Record<string, string> = {}): Response {
  return json(status, { error: { code, message: code } }, headers)
}

/** A sync server in memory: idempotent by id, seq from 1, pull in seq order. */
export class FakeServer {
  readonly log: StoredRecord[] = []
  /** ids of every push request, including refused ones, in order */
  readonly pushes: string[][] = []
  /** `after` of every pull request */
  readonly pulls: number[] = []
  readonly headers: Headers[] = []
  /** one-shot answers, used before the normal behaviour */
  readonly overrides: Override[] = []
  /** ids to refuse with these reasons */
  readonly reject = new Map<string, { code: string; reason: string; path: string }>()
  /** ids the server leaves out of its answer (as if it stopped half way) */
  readonly silent = new Set<string>()
  /** answers 413 above this many records */
  maxRecords = Infinity
  /** PullResponse.scope to answer (none when undefined, like an older server) */
  scope: string | undefined = undefined
  /** the server clock named in every answer (`now`), epoch ms; none when undefined, like an older server */
  clock: number | undefined = undefined

  readonly fetch: FetchLike = async (url, init) => {
    const u = new URL(url, 'http://device.test')
    const method = init.method ?? 'GET'
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined
    this.headers.push(new Headers(init.headers))
    if (method === 'POST' && u.pathname === '/api/v1/sync/push') this.pushes.push((body as { records: LocalRecord[] }).records.map((r) => r.id))
    if (method === 'GET' && u.pathname === '/api/v1/sync/pull') this.pulls.push(Number(u.searchParams.get('after')))
    const override = this.overrides.shift()?.({ url: u, method, body })
    if (override === 'network') throw new TypeError('Failed to fetch')
    if (override) return override
    if (u.pathname === '/api/v1/sync/push') return this.push((body as { records: LocalRecord[] }).records)
    if (u.pathname === '/api/v1/sync/pull') return this.pull(Number(u.searchParams.get('after')), Number(u.searchParams.get('limit')), u.searchParams.get('count') === '1')
    return apiError(404, 'not_found')
  }

  /** Puts records in the log directly, as if other devices had sent them. */
  seed(records: LocalRecord[]): void {
    for (const r of records) this.accept(r)
  }

  private accept(r: LocalRecord): StoredRecord {
    const seq = this.log.length + 1
    const stored = { ...r, seq, serverTime: new Date(Date.UTC(2024, 5, 1) + seq * 1000).toISOString() }
    this.log.push(stored)
    return stored
  }

  private push(records: LocalRecord[]): Response {
    if (records.length > this.maxRecords) return apiError(413, 'too_large')
    const results: PushResult[] = []
    for (const r of records) {
      if (this.silent.has(r.id)) continue
      const refusal = this.reject.get(r.id)
      if (refusal) {
        results.push({ id: r.id, status: 'rejected', code: refusal.code as 'bad_value', reason: refusal.reason, path: refusal.path })
        continue
      }
      const existing = this.log.find((s) => s.id === r.id)
      if (existing) {
        const { seq, serverTime, ...content } = existing
        if (canonicalJson(content) === canonicalJson(r)) results.push({ id: r.id, status: 'duplicate', seq, serverTime })
        else results.push({ id: r.id, status: 'conflict', code: 'conflict', reason: '同一编号的记录内容不同' })
        continue
      }
      const stored = this.accept(r)
      results.push({ id: r.id, status: 'accepted', seq: stored.seq, serverTime: stored.serverTime })
    }
    return json(200, { results, ...this.now() })
  }

  private now(): { now?: string } {
    return this.clock === undefined ? {} : { now: new Date(this.clock).toISOString() }
  }

  private pull(after: number, limit: number, count = false): Response {
    const page = this.log.filter((r) => r.seq > after).slice(0, limit)
    const cursor = page.length ? page[page.length - 1]!.seq : after
    const remaining = count ? { remaining: this.log.filter((r) => r.seq > cursor).length } : {}
    return json(200, { records: page, cursor, more: this.log.some((r) => r.seq > cursor), ...(this.scope === undefined ? {} : { scope: this.scope }), ...remaining, ...this.now() })
  }
}

/** Timers that only fire when the test says so, remembering every delay asked for. */
export class ManualTimers implements Timers {
  readonly delays: number[] = []
  private readonly pending = new Map<number, { fn: () => void; ms: number }>()
  private nextId = 1

  setTimeout(fn: () => void, ms: number): number {
    const id = this.nextId++
    this.pending.set(id, { fn, ms })
    this.delays.push(ms)
    return id
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number)
  }

  get size(): number {
    return this.pending.size
  }

  /** Fires everything due now (not what those callbacks schedule). */
  fireAll(): void {
    const due = [...this.pending.values()]
    this.pending.clear()
    for (const t of due) t.fn()
  }
}

/** `navigator.locks` with ifAvailable, shared by engines that stand for tabs. */
export class SharedLocks implements LockLike {
  private held = new Set<string>()
  readonly refused: string[] = []

  async request<T>(name: string, _options: { ifAvailable: true }, callback: (lock: unknown) => Promise<T>): Promise<T> {
    if (this.held.has(name)) {
      this.refused.push(name)
      return callback(null)
    }
    this.held.add(name)
    try {
      return await callback({ name })
    } finally {
      this.held.delete(name)
    }
  }
}

/** `navigator.locks` with both forms: ifAvailable (sync runs) and waiting in line (the wipe). */
export class QueueLocks implements LockLike, WaitingLocks {
  private held = false
  private readonly queue: Array<() => void> = []
  async request<T>(_name: string, options: { ifAvailable?: true; signal?: AbortSignal }, callback: (lock: unknown) => Promise<T>): Promise<T> {
    if (options.ifAvailable && (this.held || this.queue.length)) return callback(null)
    if (this.held) {
      // handed over by the holder on release (held stays true), so no one slips in between
      await new Promise<void>((resolve, reject) => {
        this.queue.push(resolve)
        options.signal?.addEventListener('abort', () => {
          this.queue.splice(this.queue.indexOf(resolve), 1)
          reject(new DOMException('aborted', 'AbortError'))
        })
      })
    }
    this.held = true
    try {
      return await callback({})
    } finally {
      const next = this.queue.shift()
      if (next) next()
      else this.held = false
    }
  }
}

/** Lets pending IndexedDB and promise work settle. */
export function settle(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
