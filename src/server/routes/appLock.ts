/**
 * GET /api/v1/app-lock: the app lock policy the caller's device applies (the strictest
 * over the communities their scopes sit in; defaults for staff above communities).
 * POST /api/v1/app-lock {community, required, idleMinutes}: community staff set their
 * community's policy; 403 `forbidden` for anyone else or another community.
 */
import type { FastifyPluginAsync } from 'fastify'
import * as v from 'valibot'
import type { AppContext } from '../app'
import { HttpError } from '../errors'
import { callerOf } from './auth'
import { ancestorAt, isUnderAny } from '../../shared/org'
import { isCommunityStaff } from '../../shared/rules'
import { AppLockRequest, strictestPolicy, type AppLockResponse } from '../../shared/appLock'

export const appLockRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  async (app) => {
    app.get('/api/v1/app-lock', async (req): Promise<AppLockResponse> => {
      const user = callerOf(req)
      const communities = user.scopes.flatMap((s) => {
        const c = ancestorAt(s, 'community')
        return c ? [c] : []
      })
      return { policy: strictestPolicy(await ctx.storage.appLock.of(communities)) }
    })

    app.post('/api/v1/app-lock', async (req): Promise<AppLockResponse> => {
      const user = callerOf(req)
      const q = v.safeParse(AppLockRequest, req.body)
      if (!q.success) throw new HttpError(400, 'bad_request')
      const { community, required, idleMinutes } = q.output
      if (!isCommunityStaff(user.role) || !isUnderAny(community, user.scopes)) throw new HttpError(403, 'forbidden')
      const node = await ctx.storage.org.get(community)
      if (!node || node.kind !== 'community') throw new HttpError(404, 'not_found')
      await ctx.storage.appLock.set({ community, required, idleMinutes, setBy: user.id, setAt: new Date(ctx.now()).toISOString() })
      return { policy: { required, idleMinutes } }
    })
  }
