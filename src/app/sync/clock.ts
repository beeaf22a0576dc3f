/**
 * The device's idea of the time, corrected by what the server said. Every push
 * and pull answer carries the server clock (`now`); the offset learned from it
 * makes the times a record carries (clientTime, a form's default "now") right
 * even when the phone's clock is not, and the person is told when it is off by
 * more than a few minutes. DOM-free: the service worker's sync uses it too.
 */

/** Beyond this difference from the server the person is asked to fix the phone clock. */
export const CLOCK_WARN_MS = 5 * 60_000

/** What was learned at the last answer: server minus device, ms, and the device time it was learned at. */
export interface ClockOffset {
  ms: number
  at: number
}

/**
 * Server minus device clock, ms, from one answer: the server's `now` (ISO) is
 * taken to be the middle of the round trip between `sentAt` and `receivedAt`
 * (device ms). Null when the answer named no time.
 */
export function offsetFrom(serverNow: string | undefined, sentAt: number, receivedAt: number): number | null {
  if (!serverNow) return null
  const t = Date.parse(serverNow)
  return Number.isNaN(t) ? null : Math.round(t - (sentAt + receivedAt) / 2)
}

let current = 0
const listeners = new Set<(ms: number) => void>()

/** The offset to apply from now on (loaded from the device database at start, then after every sync). */
export function setClockOffset(ms: number): void {
  current = Number.isFinite(ms) ? ms : 0
  for (const l of listeners) l(current)
}

/**
 * Hears the offset now and at every change (server minus device, ms), for the
 * clock warning, without loading the sync store. Returns the unsubscribe.
 */
export function onClockOffset(listener: (ms: number) => void): () => void {
  listeners.add(listener)
  listener(current)
  return () => listeners.delete(listener)
}

/** The time as the server would tell it, epoch ms: the device clock plus the last offset learned. */
export function trustedNow(): number {
  return Date.now() + current
}

/** True when the phone clock is off enough that the person should fix it. */
export function clockIsOff(offsetMs: number): boolean {
  return Math.abs(offsetMs) > CLOCK_WARN_MS
}
