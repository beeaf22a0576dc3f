/** The app lock policies per community (src/shared/appLock.ts); both backends implement it. */
import type { AppLockPolicy } from '../../shared/appLock'

export interface AppLockStore {
  /** the policies of these communities that have one */
  of(communities: readonly string[]): Promise<AppLockPolicy[]>
  /** sets (or replaces) a community's policy */
  set(policy: AppLockPolicy): Promise<void>
}

export interface AppLockDbRow {
  community: string
  required: number
  idle_minutes: number
  set_by: string
  set_at: string
}

export function toPolicy(r: AppLockDbRow): AppLockPolicy {
  return { community: r.community, required: Number(r.required) === 1, idleMinutes: Number(r.idle_minutes), setBy: r.set_by, setAt: r.set_at }
}
