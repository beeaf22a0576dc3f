import { defineStore } from 'pinia'
import { liveQuery, type Subscription } from 'dexie'
import { ref, watch } from 'vue'
import { db } from '@app/db/database'
import { requestBackgroundSync } from '@app/sync/background'
import { setClockOffset } from '@app/sync/clock'
import { SyncEngine } from '@app/sync/engine'
import { SyncScheduler } from '@app/sync/scheduler'
import type { SyncState } from '@app/sync/status'
import type { RecoveryProgress } from '@app/sync/restored'
import type { PullProgress } from '@app/sync/pull'
import { globalTimers } from '@app/sync/timers'
import { useSessionStore } from '@app/stores/session'

/** The longest a sync after a save waits for the page to go idle, ms. */
const IDLE_WAIT_MS = 1000

/** Runs `run` once the page is idle (at most IDLE_WAIT_MS later), or soon where there is no idle callback (tests, Safari). */
function whenIdle(run: () => void): void {
  if (typeof globalThis.requestIdleCallback === 'function') globalThis.requestIdleCallback(() => run(), { timeout: IDLE_WAIT_MS })
  else setTimeout(run, 0)
}

/**
 * Sync as people see it: counts, last sync, paused. The engine in
 * `@app/sync` does the work; this store only wires the page's triggers (start,
 * visible again, back online, a timer, after a save) to it.
 */
export const useSyncStore = defineStore('sync', () => {
  /** what the browser believes; a failed request does not flip it */
  const online = ref<boolean>(globalThis.navigator?.onLine ?? true)
  /** records waiting to be sent (待同步) */
  const waiting = ref(0)
  /** records the server refused (需处理) */
  const attention = ref(0)
  /** device clock of the last complete sync, from any tab */
  const lastSyncAt = ref<number | null>(null)
  /** 'login' while a new login is needed; the outbox is kept */
  const paused = ref<'login' | null>(null)
  const syncing = ref(false)
  /** how the last run ended, for the details screen (e.g. 'disabled', 'outdated', 'offline') */
  const state = ref<SyncState>('idle')
  /** the server's error code of the last failure ('push_limited': this account sent too much for now) */
  const code = ref<string | null>(null)
  /** while the server was restored from a backup and this phone sends its records again (sync/restored.ts) */
  const progress = ref<RecoveryProgress | null>(null)
  /** a long download under way (the first after a login, a restart from 0): records stored of the total */
  const pulling = ref<PullProgress | null>(null)
  /** server minus phone clock, ms, as last learned; the clock warning shows when it is more than a few minutes */
  const clockOffsetMs = ref(0)

  // any sync run that hears 403 account_disabled ends here: the device wipes itself
  watch(state, (now) => {
    const session = useSessionStore()
    if (now === 'disabled' && session.loggedIn) void session.accountDisabled()
  })

  let engine: SyncEngine | null = null
  let started = false
  const cleanups: Array<() => void> = []

  function getEngine(): SyncEngine {
    if (!engine) {
      engine = new SyncEngine({ db, fetch: (url, init) => globalThis.fetch(url, init) })
      engine.onStatus((s) => {
        syncing.value = s.state === 'syncing'
        state.value = s.state
        code.value = s.code
        progress.value = s.state === 'syncing' ? (s.progress ?? null) : null
        pulling.value = s.pulling ?? null
        if (s.state === 'idle' && s.lastSyncAt !== null) online.value = true
      })
    }
    return engine
  }

  const scheduler = new SyncScheduler({ run: () => void getEngine().sync(), timers: globalTimers })

  function watchLive<T>(query: () => Promise<T>, apply: (value: T) => void): void {
    const sub: Subscription = liveQuery(query).subscribe({ next: apply, error: () => undefined })
    cleanups.push(() => sub.unsubscribe())
  }

  function listen(target: EventTarget | undefined, type: string, handler: () => void): void {
    if (!target) return
    target.addEventListener(type, handler)
    cleanups.push(() => target.removeEventListener(type, handler))
  }

  /** Wires every trigger and the live counts; safe to call twice. */
  function start(): void {
    if (started) return
    started = true
    watchLive(() => db.outbox.where('state').equals('pending').count(), (n) => (waiting.value = n))
    watchLive(() => db.outbox.where('state').equals('attention').count(), (n) => (attention.value = n))
    watchLive(() => db.getMeta('lastSyncAt'), (at) => (lastSyncAt.value = at ?? null))
    watchLive(() => db.getMeta('syncPaused'), (p) => (paused.value = p ?? null))
    watchLive(() => db.getMeta('clockOffset'), (c) => {
      clockOffsetMs.value = c?.ms ?? 0
      setClockOffset(clockOffsetMs.value)
    })
    const win = typeof window === 'undefined' ? undefined : window
    const doc = typeof document === 'undefined' ? undefined : document
    listen(win, 'online', () => {
      online.value = true
      void getEngine().sync({ force: true })
    })
    listen(win, 'offline', () => (online.value = false))
    listen(doc, 'visibilitychange', () => {
      if (doc?.visibilityState === 'visible') void getEngine().sync()
    })
    scheduler.start()
    void getEngine().sync({ force: true })
  }

  /** Unwires everything (logout). Saved records stay in the outbox. */
  function stop(): void {
    started = false
    scheduler.stop()
    engine?.stop()
    for (const cleanup of cleanups.splice(0)) cleanup()
  }

  /** 立即同步: ignores any backoff wait. */
  async function syncNow(): Promise<void> {
    await getEngine().sync({ force: true })
  }

  /** After a new login: lift the pause and send what waited. */
  async function resume(): Promise<void> {
    paused.value = null
    await getEngine().resume()
  }

  /**
   * A record was just saved: send it soon, and let the service worker try too if the page closes.
   * Both wait for an idle moment: the service worker's run starts at once when online, and its
   * writes wake the screen's live queries, so it must not share the frame that shows the save.
   */
  function afterSave(): void {
    whenIdle(() => {
      if (started) scheduler.poke()
      void requestBackgroundSync()
    })
  }

  return { online, waiting, attention, lastSyncAt, paused, syncing, state, code, progress, pulling, clockOffsetMs, start, stop, syncNow, resume, afterSave }
})
