/**
 * GET /api/v1/people: the names behind the author ids a device will see, so a
 * timeline can say "刘敏(社区工作人员)" rather than "其他人员". Those are the
 * enabled users whose scopes meet the caller's in either direction: the leaders and
 * staff above (their records land in the caller's scope) and the volunteers below
 * (whose records the caller reads). Only id, name and role: a phone number would
 * let anyone holding a lost device call every volunteer in the community. A building
 * or group leader working wholly within the caller's scope comes with their scopes,
 * so a group leader's tablet counts leaders with no record (`sharesLedgerScopes`).
 */
import type { FastifyPluginAsync } from 'fastify'
import type { AppContext } from '../app'
import { callerOf } from './auth'
import type { PeopleResponse } from '../../shared/protocol'
import { sharesLedgerScopes } from '../../shared/ledger'

export const peopleRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  async (app) => {
    app.get('/api/v1/people', async (req): Promise<PeopleResponse> => {
      const caller = callerOf(req)
      const people: PeopleResponse['people'] = []
      for (const p of await ctx.storage.users.overlapping(caller.scopes)) {
        // copied field by field, so a column added to the row later never leaks out
        const person: PeopleResponse['people'][number] = { id: p.id, name: p.name, role: p.role }
        if (p.role === 'building_leader' || p.role === 'group_leader') {
          const scopes = (await ctx.storage.users.byId(p.id))?.scopes ?? []
          if (sharesLedgerScopes({ role: p.role, scopes }, caller.scopes)) person.scopes = [...scopes]
        }
        people.push(person)
      }
      return { people }
    })
  }
