/**
 * POST /api/v1/auth/login, POST /api/v1/auth/logout, GET /api/v1/me.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import * as v from 'valibot'
import { IP_LIMIT_FACTOR, type AppContext } from '../app'
import { dummyPasswordHash, hashToken, newToken, sessionUser, verifyPassword } from '../auth'
import { HttpError } from '../errors'
import { normalizePhone } from '../../shared/phone'
import { LoginRequest, type LoginResponse } from '../../shared/protocol'
import type { SessionUser } from '../../shared/roles'

/** The authenticated caller; the API gate has already refused requests without one. */
export function callerOf(req: FastifyRequest): SessionUser {
  if (!req.user) throw new HttpError(401, 'unauthorized')
  return req.user
}

export const authRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  async (app) => {
    app.post('/api/v1/auth/login', { config: { public: true } }, async (req): Promise<LoginResponse> => {
      const parsed = v.safeParse(LoginRequest, req.body)
      if (!parsed.success) throw new HttpError(400, 'bad_request')
      const phone = normalizePhone(parsed.output.phone)
      const { password } = parsed.output
      const now = ctx.now()
      const accountKey = `phone:${phone}`
      const ipKey = `ip:${req.ip}`

      // 1. Too many recent failures for this account or from this address: refuse before checking.
      // An address is often shared (a community centre's Wi-Fi, carrier NAT, a proxy without
      // TRUST_PROXY): ten typos by anyone must not lock everyone out. Per account stays at `max`.
      const { max, windowMs } = ctx.loginLimit
      const logins = ctx.storage.logins
      const wait = Math.max(await logins.retryAfter(accountKey, now, max, windowMs), await logins.retryAfter(ipKey, now, max * IP_LIMIT_FACTOR, windowMs))
      if (wait > 0) throw new HttpError(429, 'rate_limited', { 'retry-after': String(wait) })

      // 2. Check the password; an unknown phone costs the same time as a wrong password.
      const user = await ctx.storage.users.byPhone(phone)
      const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()))
      if (!user || !ok) {
        await logins.fail(accountKey, now, windowMs)
        await logins.fail(ipKey, now, windowMs)
        throw new HttpError(401, 'wrong_password')
      }

      // 3. Disabled accounts are told so (only once the password is right), so the device wipes itself.
      if (user.disabledAt) throw new HttpError(403, 'account_disabled')

      // 4. A new opaque token; only its hash is stored.
      await logins.reset(accountKey)
      const token = newToken()
      await ctx.storage.sessions.create(hashToken(token), user.id, now)
      return { token, user: sessionUser(user) }
    })

    app.post('/api/v1/auth/logout', async (req) => {
      callerOf(req)
      if (req.tokenHash) await ctx.storage.sessions.revoke(req.tokenHash, ctx.now())
      return { ok: true }
    })

    app.get('/api/v1/me', async (req) => ({ user: callerOf(req) }))
  }
