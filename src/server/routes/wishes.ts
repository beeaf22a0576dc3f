/**
 * GET /api/v1/wishes/:id/address: where the resident of a 微心愿 lives, as its
 * `wish.address` record. Leaders whose scope covers the wish have it in their
 * pull already; a volunteer account gets it here, and only while it holds the
 * claim in force (a lapsed or released claim answers 403 `forbidden`). Unknown
 * or out-of-scope wishes answer 404 `not_found`, so ids cannot be probed.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { AppContext } from '../app'
import { HttpError } from '../errors'
import { callerOf } from './auth'
import { effectiveScopes } from '../scope'
import { recordsUnder } from '../ledger/load'
import { volunteerReaderFor } from '../volunteers'
import { recordAudit } from '../audit/record'
import { isUnderAny } from '../../shared/org'
import { UUID_RE } from '../../shared/ids'
import { foldWishes, maySeeAddress } from '../../shared/wishes'
import type { WishAddressResponse } from '../../shared/protocol'

export const wishRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  async (app) => {
    app.get<{ Params: { id: string } }>('/api/v1/wishes/:id/address', async (req): Promise<WishAddressResponse> => {
      const user = callerOf(req)
      const id = req.params.id
      if (!UUID_RE.test(id)) throw new HttpError(404, 'not_found')
      const wish = await ctx.storage.records.getById(id)
      if (!wish || wish.type !== 'wish' || !isUnderAny(wish.orgPath, await effectiveScopes(ctx.storage, user.scopes))) throw new HttpError(404, 'not_found')
      const here = await recordsUnder(ctx.storage, wish.orgPath)
      const view = foldWishes(here, ctx.now()).get(id)
      const reader = await volunteerReaderFor(ctx.storage, user)
      if (!view || !maySeeAddress(view, { id: user.id, volunteer: !!reader, volunteerIds: reader ? [...reader.volunteerIds] : [] })) throw new HttpError(403, 'forbidden')
      const address = here.filter((r) => r.type === 'wish.address' && r.body.wish === id).pop()
      if (!address) throw new HttpError(404, 'not_found')
      // leaders hold it already (their pull); handing it to a volunteer is a disclosure worth a line in the trail
      if (reader) await recordAudit(ctx.storage, { actorId: user.id, action: 'wish.address_given', scope: wish.orgPath, target: id, now: ctx.now() })
      return { record: address }
    })
  }
