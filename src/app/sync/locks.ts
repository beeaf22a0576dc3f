/**
 * Only one sender across tabs and the service worker. Uses Web Locks where the
 * browser has them; without them every context sends on its own, which is still
 * safe because the server answers a repeated id with `duplicate`.
 */
export const SYNC_LOCK = 'loudong-sync'

/** The part of `navigator.locks` we use. */
export interface LockLike {
  request<T>(name: string, options: { ifAvailable: true }, callback: (lock: unknown) => Promise<T>): Promise<T>
}

export function defaultLocks(): LockLike | null {
  const locks = (globalThis as { navigator?: { locks?: unknown } }).navigator?.locks
  return locks && typeof (locks as LockLike).request === 'function' ? (locks as LockLike) : null
}

/** Runs `task` holding the lock, or returns `busy` at once when someone else holds it. */
export async function withSyncLock<T, B>(locks: LockLike | null, task: () => Promise<T>, busy: () => B): Promise<T | B> {
  if (!locks) return task()
  return locks.request<T | B>(SYNC_LOCK, { ifAvailable: true }, async (lock) => (lock ? task() : busy()))
}

/** The waiting form of `navigator.locks.request`, with the abort signal the wait can give up on. */
export interface WaitingLocks {
  request<T>(name: string, options: { signal?: AbortSignal }, callback: (lock: unknown) => Promise<T>): Promise<T>
}

/**
 * How long the logout wipe waits for a run in this or another tab to finish. A
 * request has no timeout of its own, so a hung one would otherwise keep 退出
 * spinning; past this the wipe goes ahead, and the run's own check (owner.ts)
 * keeps it from storing anything afterwards.
 */
export const WIPE_LOCK_WAIT_MS = 15_000

/**
 * Runs `task` once no sync run holds the lock (waiting for one in progress), so
 * a wipe never interleaves with a run. Without Web Locks, or once `waitMs`
 * passed, runs it anyway.
 */
export async function afterSyncRuns<T>(task: () => Promise<T>, locks: WaitingLocks | null = defaultLocks() as WaitingLocks | null, waitMs = WIPE_LOCK_WAIT_MS): Promise<T> {
  if (!locks) return task()
  const gaveUp = new AbortController()
  const timer = setTimeout(() => gaveUp.abort(), waitMs)
  let ran = false
  try {
    return await locks.request(SYNC_LOCK, { signal: gaveUp.signal }, () => {
      ran = true
      clearTimeout(timer)
      return task()
    })
  } catch (e) {
    // the task's own errors pass through; a wait given up on (or a lock that could not be had) runs it unlocked
    if (ran) throw e
    return task()
  } finally {
    clearTimeout(timer)
  }
}
