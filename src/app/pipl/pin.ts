/**
 * The app lock's PIN on this device: never stored, only its PBKDF2-SHA-256 hash with
 * a random salt (meta `pin`), so the database copied off a phone does not hand it
 * over. A 4–6 digit PIN is short: the hash keeps a casual reader out, the offline lock
 * and the remote wipe bound how long a lost phone stays open (README "Personal information").
 */
import { PIN_RE } from '@shared/appLock'
import type { LoudongDB } from '@app/db/database'

const ITERATIONS = 100_000

const hex = (buf: ArrayBuffer | Uint8Array) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('')

async function derive(pin: string, salt: string, iterations: number): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, ['deriveBits'])
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: new TextEncoder().encode(salt), iterations }, key, 256)
  return hex(bits)
}

/** Sets the PIN (4–6 digits, else throws RangeError). */
export async function setPin(db: LoudongDB, pin: string): Promise<void> {
  if (!PIN_RE.test(pin)) throw new RangeError('pin')
  const salt = hex(crypto.getRandomValues(new Uint8Array(16)))
  await db.setMeta('pin', { salt, hash: await derive(pin, salt, ITERATIONS), iterations: ITERATIONS })
}

/** True when `pin` is the one set (false when none is set). */
export async function checkPin(db: LoudongDB, pin: string): Promise<boolean> {
  const stored = await db.getMeta('pin')
  if (!stored || !PIN_RE.test(pin)) return false
  return (await derive(pin, stored.salt, stored.iterations)) === stored.hash
}

export async function hasPin(db: LoudongDB): Promise<boolean> {
  return (await db.getMeta('pin')) !== undefined
}

export async function clearPin(db: LoudongDB): Promise<void> {
  await db.meta.delete('pin')
}
