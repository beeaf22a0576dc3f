/**
 * The app lock on this device (src/shared/appLock.ts):
 * - `pinLocked`: a PIN is set and nobody touched the app for the policy's idle minutes
 *   (also at a start after that long); the PIN unlocks it;
 * - `mustSetPin`: the community requires a PIN and none is set yet;
 * - `offlineLocked`: no completed sync for OFFLINE_LOCK_DAYS days; only a sync unlocks it.
 * While any is true the shell shows the lock screen (AppLockOverlay) instead of the app.
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { IDLE_MINUTES_DEFAULT, offlineTooLong, type DeviceLockPolicy } from '@shared/appLock'
import { AppLockResponse } from '@shared/appLock'
import * as v from 'valibot'
import { db } from '@app/db/database'
import { request, type TransportOptions } from '@app/sync/transport'
import { checkPin, clearPin, hasPin, setPin } from '@app/pipl/pin'
import { useSyncStore } from './sync'
import { useSessionStore } from './session'

const opts: TransportOptions = { fetch: (url, init) => globalThis.fetch(url, init) }
/** how often the idle time is looked at, ms */
const TICK_MS = 15_000

export const useLockStore = defineStore('lock', () => {
  const policy = ref<DeviceLockPolicy>({ required: false, idleMinutes: IDLE_MINUTES_DEFAULT })
  const pinSet = ref(false)
  const pinLocked = ref(false)
  const now = ref(Date.now())
  let lastActive = Date.now()
  let started = false

  const session = useSessionStore()
  const sync = useSyncStore()
  const offlineLocked = computed(() => session.loggedIn && offlineTooLong(sync.lastSyncAt ?? undefined, now.value))
  const mustSetPin = computed(() => session.loggedIn && policy.value.required && !pinSet.value)
  const locked = computed(() => session.loggedIn && (pinLocked.value || offlineLocked.value || mustSetPin.value))

  function touch(): void {
    if (pinLocked.value) return
    lastActive = Date.now()
  }
  function tick(): void {
    now.value = Date.now()
    if (pinSet.value && !pinLocked.value && now.value - lastActive > policy.value.idleMinutes * 60_000) pinLocked.value = true
    if (!pinLocked.value) void db.setMeta('lastActiveAt', lastActive).catch(() => undefined)
  }

  /** Reads the stored PIN, policy and last touch; locks at once when the idle time passed while the app was closed. */
  async function start(): Promise<void> {
    pinSet.value = await hasPin(db)
    policy.value = (await db.getMeta('appLock')) ?? policy.value
    const before = await db.getMeta('lastActiveAt')
    if (pinSet.value && (before === undefined || Date.now() - before > policy.value.idleMinutes * 60_000)) pinLocked.value = true
    else await db.setMeta('lastActiveAt', (lastActive = Date.now()))
    if (started || typeof window === 'undefined') return
    started = true
    for (const ev of ['pointerdown', 'keydown', 'scroll'] as const) window.addEventListener(ev, touch, { passive: true, capture: true })
    setInterval(tick, TICK_MS)
  }

  /** Fetches the community's policy (online; offline the stored one stays). */
  async function refreshPolicy(): Promise<void> {
    const token = session.session?.token
    if (!token) return
    const res = await request<unknown>(opts, { method: 'GET', path: '/app-lock', token })
    if (res.kind !== 'ok') return
    const parsed = v.safeParse(AppLockResponse, res.data)
    if (!parsed.success) return
    policy.value = parsed.output.policy
    await db.setMeta('appLock', parsed.output.policy)
  }

  /** True and unlocked when `pin` is right. */
  async function unlock(pin: string): Promise<boolean> {
    if (!(await checkPin(db, pin))) return false
    pinLocked.value = false
    lastActive = Date.now()
    await db.setMeta('lastActiveAt', lastActive)
    return true
  }

  async function choosePin(pin: string): Promise<void> {
    await setPin(db, pin)
    pinSet.value = true
    pinLocked.value = false
    lastActive = Date.now()
    await db.setMeta('lastActiveAt', lastActive)
  }

  /** Removes the PIN (not while the community requires one). */
  async function removePin(): Promise<void> {
    if (policy.value.required) return
    await clearPin(db)
    pinSet.value = false
  }

  /** After logout or a wipe: nothing is locked, nothing set. */
  function reset(): void {
    pinSet.value = false
    pinLocked.value = false
    policy.value = { required: false, idleMinutes: IDLE_MINUTES_DEFAULT }
  }

  return { policy, pinSet, pinLocked, offlineLocked, mustSetPin, locked, start, refreshPolicy, unlock, choosePin, removePin, reset, tick }
})
