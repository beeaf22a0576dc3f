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
