/**
 * POST /api/v1/auth/login, POST /api/v1/auth/logout, POST /api/v1/auth/logout-others,
 * POST /api/v1/auth/password, GET /api/v1/me.
 *
 * Login is throttled with growing delays per account and per address (auth.ts
 * `LoginThrottle`), never locked: a device that already logged in to the account
 * (its mark, a random value kept by the browser as an HttpOnly cookie and stored
 * here only as its sha256) is throttled on its own failures alone, so an attacker's
 * guesses from elsewhere never keep the owner out of their own phone.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import * as v from 'valibot'
import type { AppContext } from '../app'
import { dummyPasswordHash, hashPassword, hashToken, newToken, sessionUser, verifyPassword, waitFor } from '../auth'
import { recordAudit } from '../audit/record'
import { HttpError } from '../errors'
import type { Storage, UserRow } from '../storage'
import { contactWords, waitWords, type Lang, type MessageParams } from '../../shared/messages'
import { ancestorAt, parentPath } from '../../shared/org'
import { passwordProblem } from '../../shared/password'
import { normalizePhone } from '../../shared/phone'
import { ChangePasswordRequest, LoginRequest, type LoginResponse } from '../../shared/protocol'
import type { SessionUser } from '../../shared/roles'
import { auditScopeOf } from '../../shared/accounts'

/** The authenticated caller; the API gate has already refused requests without one. */
export function callerOf(req: FastifyRequest): SessionUser {
  if (!req.user) throw new HttpError(401, 'unauthorized')
  return req.user
}

/** The cookie holding this browser's device mark; read only by the login route. */
export const DEVICE_COOKIE = 'loudong_device'
/** Browsers keep a cookie at most 400 days. */
const DEVICE_COOKIE_MAX_AGE_S = 400 * 24 * 60 * 60

/** This browser's device mark from the Cookie header, or null. */
export function deviceMarkOf(req: FastifyRequest): string | null {
  const header = req.headers.cookie ?? ''
  for (const part of header.split(';')) {
    const [name, value] = part.trim().split('=')
    if (name === DEVICE_COOKIE && value && /^[A-Za-z0-9_-]{20,200}$/.test(value)) return value
  }
  return null
}

function setDeviceCookie(req: FastifyRequest, reply: FastifyReply, mark: string): void {
  const secure = req.protocol === 'https' ? '; Secure' : ''
  reply.header('set-cookie', `${DEVICE_COOKIE}=${mark}; Path=/api/v1/auth; Max-Age=${DEVICE_COOKIE_MAX_AGE_S}; HttpOnly; SameSite=Strict${secure}`)
}

/**
 * Whom `user` should ask about a forgotten password, in both languages: their
 * community (or, for staff above one, the node above their scope) with its phone
 * when the import gave one; the community's staff in general for an unknown phone.
 */
async function contactFor(storage: Storage, user: UserRow | null, wait?: number): Promise<Record<Lang, MessageParams>> {
  const scope = user?.scopes[0]
  const at = scope ? (ancestorAt(scope, 'community') ?? parentPath(scope)) : null
  const node = at ? await storage.org.get(at) : null
  const words = (lang: Lang): MessageParams => ({
    ...(node ? { contact: contactWords(node.name, node.phone ?? null, lang) } : {}),
    ...(wait !== undefined ? { wait: waitWords(wait, lang) } : {}),
  })
  return { 'zh-CN': words('zh-CN'), en: words('en') }
}

export const authRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  async (app) => {
    app.post('/api/v1/auth/login', { config: { public: true } }, async (req, reply): Promise<LoginResponse> => {
      const parsed = v.safeParse(LoginRequest, req.body)
      if (!parsed.success) throw new HttpError(400, 'bad_request')
      const phone = normalizePhone(parsed.output.phone)
      const { password } = parsed.output
      const now = ctx.now()
      const t = ctx.loginThrottle
      const logins = ctx.storage.logins
      const user = await ctx.storage.users.byPhone(phone)

      // 1. Which failures count: from a device this account already logged in on, only that
      // device's own; otherwise the account's and this address's (an address is often shared,
      // so it may use up `addressFactor` times as many before it waits).
      const mark = deviceMarkOf(req)
      const markHash = mark ? hashToken(mark) : null
      const known = user !== null && markHash !== null && (await ctx.storage.devices.isKnown(markHash, user.id))
      const keys: [key: string, free: number][] = known
        ? [[`device:${markHash}`, t.free]]
        : [
            [`phone:${phone}`, t.free],
            [`ip:${req.ip}`, t.free * t.addressFactor],
          ]

      // 2. Still waiting after earlier failures: refuse before checking, and say for how long and whom to ask.
      let wait = 0
      for (const [key, free] of keys) wait = Math.max(wait, await waitFor(logins, key, free, t, now))
      if (wait > 0) throw new HttpError(429, 'login_throttled', { 'retry-after': String(wait) }, await contactFor(ctx.storage, user, wait))

      // 3. Check the password; an unknown phone costs the same time as a wrong password.
      const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()))
      if (!user || !ok) {
        for (const [key] of keys) await logins.fail(key, now, t.windowMs)
        throw new HttpError(401, 'wrong_password', {}, await contactFor(ctx.storage, user))
      }

      // 4. Disabled accounts are told so (only once the password is right), so the device wipes itself.
      if (user.disabledAt) throw new HttpError(403, 'account_disabled')

      // 5. This device is known to the account from now on; a new opaque token, only its hash stored.
      await logins.reset(keys[0]![0])
      const deviceMark = mark ?? newToken()
      await ctx.storage.devices.remember(hashToken(deviceMark), user.id, now)
      if (!mark) setDeviceCookie(req, reply, deviceMark)
      const token = newToken()
      await ctx.storage.sessions.create(hashToken(token), user.id, now)
      return { token, user: sessionUser(user) }
    })

    app.post('/api/v1/auth/logout', async (req) => {
      callerOf(req)
      if (req.tokenHash) await ctx.storage.sessions.revoke(req.tokenHash, ctx.now())
      return { ok: true }
    })

    // "Sign out my other devices": every session of the caller but this one ends.
    app.post('/api/v1/auth/logout-others', async (req) => {
      const me = callerOf(req)
      const now = ctx.now()
      const revoked = await ctx.storage.transaction(async (tx) => {
        const n = await tx.sessions.revokeOthersFor(me.id, req.tokenHash ?? '', now)
        await recordAudit(tx, { actorId: me.id, action: 'account.signed_out_all', scope: auditScopeOf(me.scopes), target: me.id, detail: { sessions: n }, now })
        return n
      })
      return { revoked }
    })

    // One's own new password: the current one (not needed right after a one-time code's
    // login), the shared rule, and every other session of the person ends.
    app.post('/api/v1/auth/password', async (req) => {
      const me = callerOf(req)
      const parsed = v.safeParse(ChangePasswordRequest, req.body)
      if (!parsed.success) throw new HttpError(400, 'bad_request')
      const { current, next } = parsed.output
      const user = await ctx.storage.users.byId(me.id)
      if (!user) throw new HttpError(401, 'unauthorized')
      if (!user.mustChangePassword && !(current !== undefined && (await verifyPassword(current, user.passwordHash)))) {
        throw new HttpError(403, 'wrong_current_password')
      }
      const problem = passwordProblem(next, user.phone)
      if (problem) throw new HttpError(400, problem)
      const hash = await hashPassword(next)
      const now = ctx.now()
      await ctx.storage.transaction(async (tx) => {
        await tx.users.setPassword(user.id, hash, false)
        const n = await tx.sessions.revokeOthersFor(user.id, req.tokenHash ?? '', now)
        await recordAudit(tx, { actorId: me.id, action: 'account.password_changed', scope: auditScopeOf(user.scopes), target: user.id, detail: { sessions: n }, now })
      })
      return { user: sessionUser({ ...user, mustChangePassword: false }) }
    })

    app.get('/api/v1/me', async (req) => ({ user: callerOf(req) }))
  }
