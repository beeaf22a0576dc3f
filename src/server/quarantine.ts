/**
 * How long the quarantine (records the server refused, see storage.ts) is kept. Its
 * rows hold what a phone sent, residents' words included, so they are not kept for
 * ever: the server deletes rows older than QUARANTINE_KEEP_DAYS at start and hourly
 * (rows a handover still refers to stay), and each account keeps at most
 * QUARANTINE_PER_ACCOUNT rows (storage.ts).
 */
import type { Storage } from './storage'

/** Days a refused record is kept for its author and staff to read (README "Abuse limits"). */
export const QUARANTINE_KEEP_DAYS = 90

/** How often a running server purges. */
export const QUARANTINE_PURGE_EVERY_MS = 60 * 60 * 1000

/** The ISO time before which rows go, `days` before `now` (epoch ms). */
export function quarantineCutoff(now: number, days: number): string {
  return new Date(now - days * 86_400_000).toISOString()
}

/** Deletes the rows older than `days` (default QUARANTINE_KEEP_DAYS); returns how many went. */
export function purgeQuarantine(storage: Storage, now: number, days = QUARANTINE_KEEP_DAYS): Promise<number> {
  return storage.quarantine.purge({ before: quarantineCutoff(now, days) })
}
