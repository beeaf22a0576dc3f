/**
 * GET /api/v1/people: the names behind the author ids a device will see, so a
 * timeline can say "刘敏(社区工作人员)" rather than "其他人员". Those are the
 * enabled users whose scopes meet the caller's in either direction: the leaders and
 * staff above (their records land in the caller's scope) and the volunteers below
 * (whose records the caller reads). Only id, name and role: a phone number would
 * let anyone holding a lost device call every volunteer in the community.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { AppContext } from '../app'
import { callerOf } from './auth'
import type { PeopleResponse } from '../../shared/protocol'

export const peopleRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  async (app) => {
    app.get('/api/v1/people', async (req): Promise<PeopleResponse> => ({
      // copied field by field, so a column added to the row later never leaks out
      people: (await ctx.storage.users.overlapping(callerOf(req).scopes)).map((p) => ({ id: p.id, name: p.name, role: p.role })),
    }))
  }
