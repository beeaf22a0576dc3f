/**
 * POST /api/v1/sync/push and GET /api/v1/sync/pull (DESIGN.md §3).
 */
import type { FastifyPluginAsync } from 'fastify'
import * as v from 'valibot'
import type { AppContext } from '../app'
import { HttpError, langOf } from '../errors'
import { pushRecords } from '../sync/push'
import { callerOf } from './auth'
import { effectiveScopes, scopeHash } from '../scope'
import { volunteerReaderFor } from '../volunteers'
import { visibleToVolunteer } from '../../shared/volunteerScope'
import { PULL_MAX_LIMIT, PUSH_MAX_BYTES, PUSH_MAX_RECORDS, PullQuery, PushRequest, type PullResponse, type PushResponse } from '../../shared/protocol'

export const syncRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  async (app) => {
    app.post('/api/v1/sync/push', { bodyLimit: PUSH_MAX_BYTES }, async (req): Promise<PushResponse> => {
      const user = callerOf(req)
      const parsed = v.safeParse(PushRequest, req.body)
      if (!parsed.success) throw new HttpError(400, 'bad_request')
      const { records } = parsed.output
      if (records.length > PUSH_MAX_RECORDS) throw new HttpError(413, 'too_large')
      const scopes = await effectiveScopes(ctx.storage, user.scopes)
      const now = ctx.now()
      return { results: await pushRecords(records, { storage: ctx.storage, user, scopes, now, lang: langOf(req) }), now: new Date(now).toISOString() }
    })

    app.get('/api/v1/sync/pull', async (req): Promise<PullResponse> => {
      const user = callerOf(req)
      const query = v.safeParse(PullQuery, req.query)
      if (!query.success) throw new HttpError(400, 'bad_request')
      const after = query.output.after
      const limit = Math.min(query.output.limit, PULL_MAX_LIMIT)
      const scopes = await effectiveScopes(ctx.storage, user.scopes)
      const page = await ctx.storage.records.pull(scopes, after, limit)
      const last = page.records[page.records.length - 1]
      // a volunteer account reads only what concerns it (src/shared/volunteerScope.ts); the cursor still passes the page
      const reader = await volunteerReaderFor(ctx.storage, user)
      const records = reader ? page.records.filter((r) => visibleToVolunteer(r, reader)) : page.records
      return { records, cursor: last ? last.seq : after, more: page.more, scope: scopeHash(scopes), now: new Date(ctx.now()).toISOString() }
    })
  }
