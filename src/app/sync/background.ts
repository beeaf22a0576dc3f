/**
 * Background Sync: the service worker calls `runBackgroundSync` from its `sync`
 * event (tag SYNC_TAG) so records go out even after the page was closed; the
 * page calls `requestBackgroundSync` after a save.
 */
import { db } from '@app/db/database'
import { SyncEngine } from './engine'

export const SYNC_TAG = 'loudong-sync'

/**
 * One forced run with no timers (the worker may be stopped any moment). Throws
 * when the network failed and something still waits, because a rejected
 * `waitUntil` promise is how the browser knows to fire the event again later.
 */
export async function runBackgroundSync(): Promise<void> {
  const engine = new SyncEngine({ db, fetch: (url, init) => globalThis.fetch(url, init), timers: null })
  const status = await engine.sync({ force: true })
  if (status.state === 'offline' || status.state === 'retrying') {
    const waiting = await db.outbox.where('state').equals('pending').count()
    if (waiting > 0) throw new Error(`sync ${status.state}: ${waiting} waiting`)
  }
}

interface SyncRegistration {
  sync?: { register(tag: string): Promise<void> }
}

/** Asks the browser for a background sync; false where it has none (Safari, Firefox). */
export async function requestBackgroundSync(): Promise<boolean> {
  const container = (globalThis as { navigator?: { serviceWorker?: { getRegistration(): Promise<unknown> } } }).navigator?.serviceWorker
  if (!container) return false
  try {
    // getRegistration, not `ready`: `ready` never settles when no worker is installed
    const registration = (await container.getRegistration()) as SyncRegistration | undefined
    if (!registration?.sync) return false
    await registration.sync.register(SYNC_TAG)
    return true
  } catch {
    return false
  }
}
