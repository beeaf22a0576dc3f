/**
 * GET /api/v1/audit?scope=&before=&limit=&action=: the audit trail (src/shared/audit.ts)
 * for community staff and above (`mayReadAudit`), newest first, entries at or beneath
 * their scopes (or beneath `scope`, which must lie in them: 403 `forbidden` otherwise),
 * with who as a name. `before` pages on: the last entry's id.
 */
import type { FastifyPluginAsync } from 'fastify'
import * as v from 'valibot'
import type { AppContext } from '../app'
import { HttpError } from '../errors'
import { callerOf } from './auth'
import { AUDIT_PAGE_MAX } from '../audit/store'
import { isUnderAny } from '../../shared/org'
import { mayReadAudit } from '../../shared/rules'
import { AuditQuery, type AuditResponse } from '../../shared/piplProtocol'

export const auditRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  async (app) => {
    app.get('/api/v1/audit', async (req): Promise<AuditResponse> => {
      const user = callerOf(req)
      if (!mayReadAudit(user.role)) throw new HttpError(403, 'forbidden')
      const q = v.safeParse(AuditQuery, req.query)
      if (!q.success) throw new HttpError(400, 'bad_request')
      const { scope, before, limit, action } = q.output
      if (scope !== undefined && !isUnderAny(scope, user.scopes)) throw new HttpError(403, 'forbidden')
      const take = Math.min(limit, AUDIT_PAGE_MAX)
      const found = await ctx.storage.audit.read({
        scopes: scope !== undefined ? [scope] : user.scopes,
        limit: take + 1,
        ...(before !== undefined ? { before } : {}),
        ...(action ? { action } : {}),
      })
      const page = found.slice(0, take)
      const names = new Map<string, string | null>()
      for (const id of new Set(page.flatMap((e) => (e.actorId ? [e.actorId] : [])))) names.set(id, (await ctx.storage.users.byId(id))?.name ?? null)
      return {
        entries: page.map((e) => ({ ...e, actorName: e.actorId ? (names.get(e.actorId) ?? null) : null })),
        more: found.length > take,
      }
    })
  }
