/**
 * Passwords (scrypt), opaque session tokens (stored only as their sha256) and their
 * two lifetimes, the login throttle (growing delays, not a lock) with the in-memory
 * failure counts of the SQLite backend, and resolving a bearer token to its user.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import type { SessionUser } from '../shared/roles'
import type { LoginFailureStore, Storage, UserRow } from './storage'

// ---------------------------------------------------------------- passwords

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 64 }
export { PASSWORD_MAX, PASSWORD_MIN } from '../shared/password'

function scryptAsync(password: string, salt: Buffer, N: number, r: number, p: number, keylen: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keylen, { N, r, p, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)))
  })
}

/** `scrypt$N$r$p$salt$hash`, salt and hash base64url. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await scryptAsync(password, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p, SCRYPT.keylen)
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$')
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])]
  const salt = Buffer.from(parts[4]!, 'base64url')
  const expected = Buffer.from(parts[5]!, 'base64url')
  if (!Number.isInteger(N) || !Number.isInteger(r) || !Number.isInteger(p) || expected.length === 0) return false
  const key = await scryptAsync(password, salt, N, r, p, expected.length)
  return timingSafeEqual(key, expected)
}

/** Checked against when the phone is unknown, so a wrong phone takes as long as a wrong password. */
let dummyHash: Promise<string> | undefined
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(12).toString('base64url'))
  return dummyHash
}

// ---------------------------------------------------------------- tokens

/** Idle lifetime: phones stay offline for weeks; a session lives 180 days past its last use. */
export const SESSION_TTL_MS = 180 * 24 * 60 * 60 * 1000
/** Absolute lifetime: however often it is used, a session ends 365 days after its login. */
export const SESSION_MAX_MS = 365 * 24 * 60 * 60 * 1000
/** last_seen_at is written at most this often per session. */
export const TOUCH_INTERVAL_MS = 60 * 1000

export function newToken(): string {
  return randomBytes(32).toString('base64url')
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

export function sessionUser(u: UserRow): SessionUser {
  return { id: u.id, name: u.name, phone: u.phone, role: u.role, scopes: [...u.scopes], ...(u.mustChangePassword ? { mustChangePassword: true } : {}) }
}

export type AuthResult = { ok: true; user: SessionUser; tokenHash: string } | { ok: false; code: 'unauthorized' | 'account_disabled' }

/** Parses `Authorization: Bearer TOKEN`. */
export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer\s+([A-Za-z0-9_-]{20,200})\s*$/i.exec(header ?? '')
  return m ? m[1]! : null
}

/**
 * Resolves a token. A disabled account answers account_disabled even when its
 * tokens were revoked by the disabling, so the device learns to wipe itself.
 */
export async function authenticate(storage: Storage, token: string | null, now: number): Promise<AuthResult> {
  if (!token) return { ok: false, code: 'unauthorized' }
  const tokenHash = hashToken(token)
  // one read for both, never cached: a revoked session or a disabled account is refused by every process at once
  const found = await storage.sessions.withUser(tokenHash)
  if (!found) return { ok: false, code: 'unauthorized' }
  const { session, user } = found
  if (user.disabledAt) return { ok: false, code: 'account_disabled' }
  if (session.revokedAt !== null || now - session.lastSeenAt > SESSION_TTL_MS || now - session.createdAt > SESSION_MAX_MS) return { ok: false, code: 'unauthorized' }
  if (now - session.lastSeenAt >= TOUCH_INTERVAL_MS) await storage.sessions.touch(tokenHash, now)
  return { ok: true, user: sessionUser(user), tokenHash }
}

// ---------------------------------------------------------------- login throttle

/**
 * How failed logins slow down the next try, per key (`phone:…`, `ip:…`, `device:…`):
 * the first `free` failures in `windowMs` cost nothing, then every further one
 * doubles the wait after the latest failure, from 2 s up to `maxDelayMs`. Never a
 * lock: once the wait is over the right password gets in, and from a device the
 * person already used (known device, routes/auth.ts) it gets in at once.
 */
export interface LoginThrottle {
  /** failures per account (and per known device) that cost nothing */
  free: number
  /** how many times `free` one address may use up: an address is often shared (a centre's Wi-Fi, a carrier's NAT) */
  addressFactor: number
  /** failures older than this are forgotten */
  windowMs: number
  /** the longest wait */
  maxDelayMs: number
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottle = { free: 5, addressFactor: 5, windowMs: 24 * 60 * 60 * 1000, maxDelayMs: 15 * 60 * 1000 }

/** The wait (ms) that `count` failures in the window impose after the latest one: 0 for the first `free`. */
export function throttleDelay(count: number, free: number, maxDelayMs: number): number {
  if (count < free) return 0
  return Math.min(maxDelayMs, 1000 * 2 ** Math.min(30, count - free + 1))
}

/** Seconds `key` must still wait (0: it may try now). */
export async function waitFor(store: LoginFailureStore, key: string, free: number, t: LoginThrottle, now: number): Promise<number> {
  const { count, last } = await store.recent(key, now, t.windowMs)
  const until = last + throttleDelay(count, free, t.maxDelayMs)
  return until > now ? Math.ceil((until - now) / 1000) : 0
}

/**
 * Failed logins per key in a sliding window, in this process's memory: the SQLite
 * backend's LoginFailureStore (one SQLite file serves one process).
 */
export class MemoryLoginFailures implements LoginFailureStore {
  private readonly failures = new Map<string, number[]>()
  private longestWindow = 0

  private inWindow(key: string, now: number, windowMs: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => t > now - windowMs)
    if (list.length) this.failures.set(key, list)
    else this.failures.delete(key)
    return list
  }

  async recent(key: string, now: number, windowMs: number): Promise<{ count: number; last: number }> {
    const list = this.inWindow(key, now, windowMs)
    return { count: list.length, last: list[list.length - 1] ?? 0 }
  }

  async fail(key: string, now: number, windowMs: number): Promise<void> {
    this.longestWindow = Math.max(this.longestWindow, windowMs)
    const list = this.inWindow(key, now, windowMs)
    list.push(now)
    // a key hammered for a day keeps only what decides its wait
    if (list.length > 64) list.splice(0, list.length - 64)
    this.failures.set(key, list)
    if (this.failures.size > 50_000) for (const k of [...this.failures.keys()]) this.inWindow(k, now, this.longestWindow)
  }

  async reset(key: string): Promise<void> {
    this.failures.delete(key)
  }
}
