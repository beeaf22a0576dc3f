/**
 * The sync engine: push, then pull, one run at a time here and one sender
 * across tabs. It orders nothing by the device clock — the outbox keeps
 * creation order and the pull cursor is the server's seq; the clock only
 * stamps "last synced".
 */
import type { LoudongDB } from '@app/db/database'
import { guardedWrite } from '@app/db/guarded'
import type { MetaKey, MetaValues } from '@app/db/schema'
import { setClockOffset } from './clock'
import { createSyncApi } from './api'
import { classifyFailure, retryDelay } from './backoff'
import { SessionChangedError } from './errors'
import { defaultLocks, withSyncLock, type LockLike } from './locks'
import { assertOwner, ownerOf, type Owner } from './owner'
import { pullAll } from './pull'
import { learnIdentity, requeueMissing, restoredFor } from './restored'
import type { DatabaseHead, KnownDatabase } from '@shared/index'
import { pushOutbox, type PushLimits } from './push'
import type { SyncStatus } from './status'
import { globalTimers, type Timers } from './timers'
import type { FetchLike, TransportFailure } from './transport'

export interface SyncEngineOptions {
  db: LoudongDB
  fetch: FetchLike
  baseUrl?: string
  /** device clock, ms */
  now?: () => number
  /** 0 ≤ x < 1, for backoff jitter */
  random?: () => number
  /** for automatic retries; null where nothing should outlive the run (the service worker) */
  timers?: Timers | null
  /** `navigator.locks` or a stand-in; null to run without cross-tab exclusion */
  locks?: LockLike | null
  pushLimits?: PushLimits
  pullLimit?: number
  /** ms before one request gives up (see transport.ts); default REQUEST_TIMEOUT_MS */
  requestTimeoutMs?: number
}

export interface SyncOptions {
  /** a person asked (立即同步) or the network just came back: skip any backoff wait and earlier stop */
  force?: boolean
}

type Listener = (status: SyncStatus) => void

export class SyncEngine {
  private readonly db: LoudongDB
  private readonly opts: SyncEngineOptions
  private readonly now: () => number
  private readonly random: () => number
  private readonly timers: Timers | null
  private readonly locks: LockLike | null
  private readonly listeners = new Set<Listener>()
  private running: Promise<SyncStatus> | null = null
  private again = false
  /** consecutive retryable failures; picks the backoff ceiling */
  private failures = 0
  private retryHandle: unknown = null
  /** set by failures that retrying cannot fix; only a forced run clears it */
  private halted = false
  private current: SyncStatus = { state: 'idle', lastSyncAt: null, retryInMs: null, code: null }

  constructor(opts: SyncEngineOptions) {
    this.opts = opts
    this.db = opts.db
    this.now = opts.now ?? Date.now
    this.random = opts.random ?? Math.random
    this.timers = opts.timers === undefined ? globalTimers : opts.timers
    this.locks = opts.locks === undefined ? defaultLocks() : opts.locks
  }

  get status(): SyncStatus {
    return this.current
  }

  /** Calls `cb` now and on every change; returns the unsubscribe. */
  onStatus(cb: Listener): () => void {
    this.listeners.add(cb)
    cb(this.current)
    return () => this.listeners.delete(cb)
  }

  /**
   * Push then pull. A call during a run asks for one more run afterwards, so a
   * record saved meanwhile is not left for the timer. Automatic calls wait out
   * a backoff; forced ones do not.
   */
  sync(options: SyncOptions = {}): Promise<SyncStatus> {
    if (this.running) {
      this.again = true
      return this.running
    }
    if (options.force) {
      this.cancelRetry()
      this.halted = false
    } else if (this.retryHandle !== null || this.halted) {
      return Promise.resolve(this.current)
    }
    this.running = this.loop().finally(() => {
      this.running = null
    })
    return this.running
  }

  /** After a new login: lift the pause and send what waited. */
  async resume(): Promise<SyncStatus> {
    await this.writeMeta('syncPaused', null)
    this.failures = 0
    return this.sync({ force: true })
  }

  /** Stops automatic retries (page closing, logout). */
  stop(): void {
    this.cancelRetry()
  }

  private async loop(): Promise<SyncStatus> {
    let status: SyncStatus
    let rerun: boolean
    do {
      this.again = false
      let stopped = false
      try {
        status = await this.runOnce()
      } catch (e) {
        if (e instanceof SessionChangedError) {
          // logged out or another person logged in mid-run: nothing of it was stored; not a failure, so no retry
          stopped = true
          status = this.set({ state: 'signedOut', code: null })
        } else {
          // the device side failed (storage full, database closed): nothing was lost, so try again later
          status = await this.fail({ kind: 'http', status: 503, code: 'device_error', retryAfterMs: null })
        }
      }
      // a run asked for meanwhile (the new person's first) still happens after a stopped one
      rerun = this.again && (status.state === 'idle' || stopped)
    } while (rerun)
    return status
  }

  private async runOnce(): Promise<SyncStatus> {
    if (await this.db.getMeta('syncPaused')) return this.set({ state: 'paused' })
    if (!(await this.db.getMeta('session'))?.token) return this.set({ state: 'signedOut' })
    return withSyncLock(
      this.locks,
      async () => {
        // read again under the lock: a logout may have wiped the device while this run waited for it
        const session = await this.db.getMeta('session')
        return session?.token ? this.exchange(ownerOf(session)) : this.set({ state: 'signedOut' })
      },
      () => this.set({ state: 'busy' }),
    )
  }

  /**
   * Every write of the run checks it still speaks for `owner` (see owner.ts); a change throws SessionChangedError.
   * An answer from a restored server (restored.ts) sends again what it lacks, then pushes and pulls from the start.
   */
  private async exchange(owner: Owner): Promise<SyncStatus> {
    this.set({ state: 'syncing', progress: null })
    let learned: number | null = null
    const seen: { head: DatabaseHead | null } = { head: null }
    const api = createSyncApi(
      {
        fetch: this.opts.fetch,
        baseUrl: this.opts.baseUrl ?? '',
        now: this.now,
        // the request deadline runs on the global timers: the service worker has no retry timers but needs it too
        ...(this.opts.requestTimeoutMs !== undefined ? { timeoutMs: this.opts.requestTimeoutMs } : {}),
      },
      owner.token ?? '',
      (ms) => (learned = ms),
      (head) => (seen.head = head),
    )
    let recoveries = 0
    let recovering = false
    for (;;) {
      seen.head = null
      const sending = recovering ? { done: 0, total: await this.db.outbox.where('state').equals('pending').count() } : null
      const pushed = await pushOutbox(this.db, api, this.opts.pushLimits, owner, {
        ...(await this.knownDatabase()),
        ...(sending
          ? {
              onAnswered: (n: number) => {
                sending.done = Math.min(sending.total, sending.done + n)
                this.set({ progress: { phase: 'send', ...sending } })
              },
            }
          : {}),
      })
      // learned even when the run fails later: the next save (or a mend) is stamped right
      await this.keepClock(learned, owner)
      // a restored server refuses the push before storing anything (KnownDatabase), or its answer tells
      let restored = pushed.kind === 'failed' && pushed.failure.kind === 'http' && pushed.failure.code === 'database_restored'
      if (pushed.kind === 'failed' && !restored) return this.fail(pushed.failure, owner)
      if (!restored && seen.head) restored = await restoredFor(this.db, seen.head)
      if (!restored) {
        const pulled = await pullAll(this.db, api, this.opts.pullLimit, owner, {
          restored: (head) => restoredFor(this.db, head),
          ...(recovering ? { progress: (cursor: number, highestSeq: number) => this.set({ progress: { phase: 'pull', done: cursor, total: highestSeq } }) } : {}),
        })
        await this.keepClock(learned, owner)
        if (pulled.kind === 'failed') return this.fail(pulled.failure, owner)
        restored = pulled.kind === 'restored'
      }
      if (!restored) break
      // restored again within one run: something is wrong on the server; the next run looks again
      if (++recoveries > 2) return this.fail({ kind: 'http', status: 503, code: 'database_restored', retryAfterMs: null }, owner)
      recovering = true
      const requeued = await requeueMissing(this.db, api, owner, this.now(), (progress) => this.set({ progress }))
      if (requeued.kind === 'failed') return this.fail(requeued.failure, owner)
    }
    if (seen.head) await learnIdentity(this.db, seen.head, owner)
    this.failures = 0
    const at = this.now()
    await this.writeMeta('lastSyncAt', at, owner)
    return this.set({ state: 'idle', lastSyncAt: at, code: null, progress: null })
  }

  /** The database this device synced with, for the push (KnownDatabase); nothing before it learned one. */
  private async knownDatabase(): Promise<{ known?: KnownDatabase }> {
    const [identity, cursor] = await Promise.all([this.db.getMeta('serverIdentity'), this.db.getMeta('cursor')])
    return identity === undefined ? {} : { known: { identity, cursor: cursor ?? 0 } }
  }

  /** Stores the clock offset an answer taught, and applies it to the times this context stamps. */
  private async keepClock(ms: number | null, owner: Owner): Promise<void> {
    if (ms === null) return
    setClockOffset(ms)
    await this.writeMeta('clockOffset', { ms, at: this.now() }, owner)
  }

  /** `owner`: the failure came from that session's requests; a pause or a disabled account must not land on someone else. */
  private async fail(failure: TransportFailure, owner?: Owner): Promise<SyncStatus> {
    const decision = classifyFailure(failure)
    const code = failure.kind === 'http' ? failure.code : null
    switch (decision.action) {
      case 'retry': {
        const delay = retryDelay(this.failures, this.random, decision.retryAfterMs)
        this.failures++
        this.scheduleRetry(delay)
        return this.set({ state: failure.kind === 'network' ? 'offline' : 'retrying', retryInMs: delay, code })
      }
      case 'login':
        await this.writeMeta('syncPaused', 'login', owner)
        return this.set({ state: 'paused', code })
      case 'disabled':
        // the remedy is the same as an expired login: someone must sign in again
        await this.writeMeta('syncPaused', 'login', owner)
        return this.set({ state: 'disabled', code })
      case 'outdated':
        this.halted = true
        return this.set({ state: 'outdated', code })
      case 'stop':
        this.halted = true
        return this.set({ state: 'failed', code: decision.code })
    }
  }

  private writeMeta<K extends MetaKey>(key: K, value: MetaValues[K], owner?: Owner): Promise<void> {
    if (!owner) return guardedWrite(this.db, () => this.db.setMeta(key, value))
    return guardedWrite(this.db, () => this.db.transaction('rw', this.db.meta, async () => {
      await assertOwner(this.db, owner)
      await this.db.setMeta(key, value)
    }))
  }

  private scheduleRetry(delay: number): void {
    this.cancelRetry()
    if (!this.timers) return
    this.retryHandle = this.timers.setTimeout(() => {
      this.retryHandle = null
      void this.sync()
    }, delay)
  }

  private cancelRetry(): void {
    if (this.retryHandle !== null) this.timers?.clearTimeout(this.retryHandle)
    this.retryHandle = null
  }

  private set(patch: Partial<SyncStatus>): SyncStatus {
    // a retry countdown only makes sense while backing off
    this.current = { ...this.current, retryInMs: null, ...patch }
    for (const cb of this.listeners) cb(this.current)
    return this.current
  }
}
