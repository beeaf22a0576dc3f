/**
 * Passwords (scrypt), opaque session tokens (stored only as their sha256), the
 * in-memory login failure counts of the SQLite backend, and resolving a bearer token to its user.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import type { SessionUser } from '../shared/roles'
import type { LoginFailureStore, Storage, UserRow } from './storage'

// ---------------------------------------------------------------- passwords

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 64 }
export { PASSWORD_MAX } from '../shared/protocol'
export const PASSWORD_MIN = 8

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

/** Phones stay offline for days; a session lives 180 days past its last use. */
export const SESSION_TTL_MS = 180 * 24 * 60 * 60 * 1000
/** last_seen_at is written at most this often per session. */
export const TOUCH_INTERVAL_MS = 60 * 1000

export function newToken(): string {
  return randomBytes(32).toString('base64url')
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

export function sessionUser(u: UserRow): SessionUser {
  return { id: u.id, name: u.name, phone: u.phone, role: u.role, scopes: [...u.scopes] }
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
  const session = await storage.sessions.get(tokenHash)
  if (!session) return { ok: false, code: 'unauthorized' }
  const user = await storage.users.byId(session.userId)
  if (!user) return { ok: false, code: 'unauthorized' }
  if (user.disabledAt) return { ok: false, code: 'account_disabled' }
  if (session.revokedAt !== null || now - session.lastSeenAt > SESSION_TTL_MS) return { ok: false, code: 'unauthorized' }
  if (now - session.lastSeenAt >= TOUCH_INTERVAL_MS) await storage.sessions.touch(tokenHash, now)
  return { ok: true, user: sessionUser(user), tokenHash }
}

// ---------------------------------------------------------------- rate limiting

/**
 * Failed logins per key in a sliding window, in this process's memory: the SQLite
 * backend's LoginFailureStore (one SQLite file serves one process). A key with `max`
 * failures in the window is blocked until the oldest of them ages out.
 */
export class MemoryLoginFailures implements LoginFailureStore {
  private readonly failures = new Map<string, number[]>()
  private longestWindow = 0

  private recent(key: string, now: number, windowMs: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => t > now - windowMs)
    if (list.length) this.failures.set(key, list)
    else this.failures.delete(key)
    return list
  }

  async retryAfter(key: string, now: number, max: number, windowMs: number): Promise<number> {
    const list = this.recent(key, now, windowMs)
    if (list.length < max) return 0
    return Math.max(1, Math.ceil((list[list.length - max]! + windowMs - now) / 1000))
  }

  async fail(key: string, now: number, windowMs: number): Promise<void> {
    this.longestWindow = Math.max(this.longestWindow, windowMs)
    const list = this.recent(key, now, windowMs)
    list.push(now)
    this.failures.set(key, list)
    if (this.failures.size > 50_000) for (const k of [...this.failures.keys()]) this.recent(k, now, this.longestWindow)
  }

  async reset(key: string): Promise<void> {
    this.failures.delete(key)
  }
}
