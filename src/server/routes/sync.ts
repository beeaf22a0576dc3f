/**
 * POST /api/v1/sync/push and GET /api/v1/sync/pull (DESIGN.md §3).
 */
import type { FastifyPluginAsync } from 'fastify'
import type { AppContext } from '../app'
import { HttpError, langOf } from '../errors'
import { pushRecords } from '../sync/push'
import { callerOf } from './auth'
import { effectiveScopes, scopeHash } from '../scope'
import { PULL_DEFAULT_LIMIT, PULL_MAX_LIMIT, PUSH_MAX_BYTES, PUSH_MAX_RECORDS, type PullResponse, type PushResponse } from '../../shared/protocol'

/** A non-negative integer query value, or the default when absent; anything else is a 400. */
function intParam(value: unknown, fallback: number): number {
  if (value === undefined || value === '') return fallback
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) throw new HttpError(400, 'bad_request')
  return Number(value)
}

export const syncRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  async (app) => {
    app.post('/api/v1/sync/push', { bodyLimit: PUSH_MAX_BYTES }, async (req): Promise<PushResponse> => {
      const user = callerOf(req)
      const body = req.body
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'bad_request')
      const records = (body as { records?: unknown }).records
      if (!Array.isArray(records)) throw new HttpError(400, 'bad_request')
      if (records.length > PUSH_MAX_RECORDS) throw new HttpError(413, 'too_large')
      const scopes = await effectiveScopes(ctx.storage, user.scopes)
      return { results: await pushRecords(records, { storage: ctx.storage, user, scopes, now: ctx.now(), lang: langOf(req) }) }
    })

    app.get('/api/v1/sync/pull', async (req): Promise<PullResponse> => {
      const user = callerOf(req)
      const query = req.query as Record<string, unknown>
      const after = intParam(query.after, 0)
      const limit = Math.min(intParam(query.limit, PULL_DEFAULT_LIMIT), PULL_MAX_LIMIT)
      if (limit < 1) throw new HttpError(400, 'bad_request')
      const scopes = await effectiveScopes(ctx.storage, user.scopes)
      const page = await ctx.storage.records.pull(scopes, after, limit)
      const last = page.records[page.records.length - 1]
      return { records: page.records, cursor: last ? last.seq : after, more: page.more, scope: scopeHash(scopes) }
    })
  }
