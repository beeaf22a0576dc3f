/**
 * The app lock (PIPL Art. 51: a lost or unattended phone must not open residents'
 * details). Two locks, both on the device:
 *
 * - a PIN of 4–6 digits, asked after `idleMinutes` without a touch and at every start
 *   after that long. Optional for each person, unless their community's staff require
 *   it (a policy per community, kept on the server, read by every device under it);
 * - after OFFLINE_LOCK_DAYS days without reaching the server the app shows nothing
 *   until it syncs again, so a lost phone that never comes online (and so never
 *   receives the account-disabled wipe) does not stay open for ever.
 */
import * as v from 'valibot'

/** Days without a completed sync after which the app locks until it reaches the server. */
export const OFFLINE_LOCK_DAYS = 14

export const IDLE_MINUTES_DEFAULT = 5
export const IDLE_MINUTES_MIN = 1
export const IDLE_MINUTES_MAX = 120

/** A PIN: 4–6 digits. */
export const PIN_RE = /^\d{4,6}$/

/** A community's policy, as the server keeps it. */
export interface AppLockPolicy {
  community: string
  /** everyone working in the community must set a PIN */
  required: boolean
  /** minutes without a touch before the PIN is asked again */
  idleMinutes: number
  setBy: string
  setAt: string
}

/** What a device applies: the strictest of the policies over its person's communities. */
export interface DeviceLockPolicy {
  required: boolean
  idleMinutes: number
}

/** The strictest of `policies` (required if any requires; the shortest idle time), or the defaults when there are none. */
export function strictestPolicy(policies: readonly Pick<AppLockPolicy, 'required' | 'idleMinutes'>[]): DeviceLockPolicy {
  if (!policies.length) return { required: false, idleMinutes: IDLE_MINUTES_DEFAULT }
  return { required: policies.some((p) => p.required), idleMinutes: Math.min(...policies.map((p) => p.idleMinutes)) }
}

const idleMinutes = v.pipe(v.number(), v.integer(), v.minValue(IDLE_MINUTES_MIN), v.maxValue(IDLE_MINUTES_MAX))

/** GET /api/v1/app-lock: the policy this caller's device applies. */
export const AppLockResponse = v.object({ policy: v.object({ required: v.boolean(), idleMinutes }) })
export type AppLockResponse = v.InferOutput<typeof AppLockResponse>

/** POST /api/v1/app-lock: community staff set their community's policy. */
export const AppLockRequest = v.object({
  community: v.pipe(v.string(), v.regex(/^[a-z0-9_-]{1,40}(\/[a-z0-9_-]{1,40}){2}$/)),
  required: v.boolean(),
  idleMinutes,
})
export type AppLockRequest = v.InferOutput<typeof AppLockRequest>

/**
 * Has the device gone too long without the server? `lastSyncAt` and `now` are device
 * epoch ms; no sync recorded yet (just logged in) is not "too long".
 */
export function offlineTooLong(lastSyncAt: number | undefined, now: number): boolean {
  return lastSyncAt !== undefined && now - lastSyncAt > OFFLINE_LOCK_DAYS * 24 * 60 * 60 * 1000
}
