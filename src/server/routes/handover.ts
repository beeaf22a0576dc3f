/**
 * Handing over records their author cannot mend (src/shared/handover.ts):
 * the author's POST /api/v1/sync/handover, and community staff's list, place
 * and dismiss. Placing appends the quarantined record unchanged except its
 * orgPath, authored by its author, after the shared rule table's checks run as
 * if its author wrote it inside the placing staff's scope (src/shared/rules.ts:
 * place, clock, the type's own check, the reference inside the transaction);
 * who placed it where is kept in `handovers`.
 */
import type { FastifyPluginAsync } from 'fastify'
import * as v from 'valibot'
import type { AppContext } from '../app'
import { Preloaded } from '../lookup'
import { HttpError, langOf } from '../errors'
import { callerOf } from './auth'
import { effectiveScopes } from '../scope'
import { contentHash } from '../sync/push'
import { volunteerActorFields } from '../volunteers'
import type { HandoverRow, Storage } from '../storage'
import {
  DismissRequest,
  HandoverRequest,
  PlaceRequest,
  canHandOver,
  handlesHandovers,
  type DismissResponse,
  type HandedOverItem,
  type HandoverResponse,
  type HandoversResponse,
  type PlaceResponse,
} from '../../shared/handover'
import { message, type MessageCode } from '../../shared/messages'
import { ancestorAt, isUnderAny } from '../../shared/org'
import { checkRecordShape, type LocalRecord } from '../../shared/records'
import { TYPE_RULES, checkInContext, type Actor } from '../../shared/rules'
import { ROLE_LEVEL, type SessionUser } from '../../shared/roles'

function parse<T>(schema: v.GenericSchema<unknown, T>, body: unknown): T {
  const r = v.safeParse(schema, body)
  if (!r.success) throw new HttpError(400, r.issues[0]?.message === 'text_too_long' ? 'text_too_long' : r.issues[0]?.message === 'required' ? 'required' : 'bad_request')
  return r.output
}

/** The kept copy as a record, or null when it cannot be read back (truncated, malformed). */
function keptRecord(raw: string): LocalRecord | null {
  try {
    const shape = checkRecordShape(JSON.parse(raw))
    return shape.ok ? shape.record : null
  } catch {
    return null
  }
}

function staffOnly(user: SessionUser): void {
  if (!handlesHandovers(ROLE_LEVEL[user.role])) throw new HttpError(403, 'forbidden')
}

/** A waiting handover within the caller's scope, with its kept record; 404 otherwise. */
async function waitingFor(storage: Storage, user: SessionUser, id: string): Promise<{ row: HandoverRow; record: LocalRecord | null }> {
  const row = await storage.quarantine.handover(id)
  if (!row || !isUnderAny(row.community, user.scopes)) throw new HttpError(404, 'not_found')
  if (row.state !== 'waiting') throw new HttpError(409, 'already_decided')
  const kept = await storage.quarantine.get(row.qid)
  return { row, record: kept ? keptRecord(kept.raw) : null }
}

export const handoverRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  async (app) => {
    app.post('/api/v1/sync/handover', async (req): Promise<HandoverResponse> => {
      const user = callerOf(req)
      const { id } = parse(HandoverRequest, req.body)
      const kept = await ctx.storage.quarantine.latestFor(id, user.id)
      if (!kept) throw new HttpError(404, 'not_found')
      const record = keptRecord(kept.raw)
      // only the author's own record, refused for a reason they cannot mend, and never one the log holds
      if (record && record.authorId !== user.id) throw new HttpError(403, 'forbidden')
      if (!canHandOver(kept.code) || (await ctx.storage.records.getById(id))) throw new HttpError(409, 'cannot_hand_over')
      const community = (record && ancestorAt(record.orgPath, 'community')) ?? user.scopes.map((s) => ancestorAt(s, 'community')).find((c) => c !== null)
      if (!community) throw new HttpError(409, 'cannot_hand_over')
      const row = await ctx.storage.quarantine.handOver({ recordId: id, qid: kept.qid, authorId: user.id, community, handedAt: new Date(ctx.now()).toISOString() })
      return { id, handedAt: row.handedAt }
    })

    app.get('/api/v1/handovers', async (req): Promise<HandoversResponse> => {
      const user = callerOf(req)
      staffOnly(user)
      const rows = (await ctx.storage.quarantine.waiting()).filter((r) => isUnderAny(r.community, user.scopes))
      const items: HandedOverItem[] = []
      for (const r of rows) {
          const kept = await ctx.storage.quarantine.get(r.qid)
          const record = kept ? keptRecord(kept.raw) : null
          items.push({
            id: r.recordId,
            record: record ? { type: record.type, orgPath: record.orgPath, authorId: record.authorId, clientTime: record.clientTime, body: record.body as Record<string, unknown> } : null,
            authorId: r.authorId,
            authorName: (await ctx.storage.users.byId(r.authorId))?.name ?? '',
            community: r.community,
            code: kept?.code ?? '',
            handedAt: r.handedAt,
            kinds: record ? [...TYPE_RULES[record.type].nodeKinds] : [],
          })
      }
      return { items }
    })

    app.post<{ Params: { id: string } }>('/api/v1/handovers/:id/place', async (req): Promise<PlaceResponse> => {
      const user = callerOf(req)
      staffOnly(user)
      const { orgPath } = parse(PlaceRequest, req.body)
      const { record } = await waitingFor(ctx.storage, user, req.params.id)
      if (!record) throw new HttpError(409, 'invalid_record')
      const placed: LocalRecord = { ...record, orgPath }
      const author = await ctx.storage.users.byId(record.authorId)
      // the author's record, vouched for by staff in their scope: the table's checks run for that actor,
      // a volunteer author as a volunteer (only what volunteers may write, only as the volunteers they are)
      const actor: Actor = {
        id: record.authorId,
        level: ROLE_LEVEL[author?.role ?? 'building_leader'],
        scopes: await effectiveScopes(ctx.storage, user.scopes),
        ...(author ? await volunteerActorFields(ctx.storage, author) : {}),
      }
      const now = ctx.now()
      const org = new Preloaded(async (p: string) => (await ctx.storage.org.get(p)) ?? undefined)
      const verdict = await org.settle(() => checkInContext(placed, { actor, now, lookup: org.get }))
      if (!verdict.ok) throw new HttpError(422, verdict.issue.code)
      const reference = verdict.reference
      const at = new Date(now).toISOString()
      const reason = (code: MessageCode) => message(code, langOf(req))
      // the append and the note of who placed it: one transaction, all or nothing
      const seq = await org.settle(() =>
        ctx.storage.transaction(async (tx) => {
        const [outcome] = await tx.records.appendBatch(
          [{ kind: 'append', record: placed, hash: contentHash(placed), raw: JSON.stringify(placed), ...(reference ? { reference } : {}) }],
          { userId: user.id, serverTime: at, reason },
        )
        if (outcome?.status !== 'accepted') throw new HttpError(409, outcome?.status === 'rejected' ? outcome.code : 'conflict')
        await tx.quarantine.decide(record.id, { state: 'placed', by: user.id, at, placedPath: orgPath })
        return outcome.seq
      }))
      return { id: record.id, seq, orgPath }
    })

    app.post<{ Params: { id: string } }>('/api/v1/handovers/:id/dismiss', async (req): Promise<DismissResponse> => {
      const user = callerOf(req)
      staffOnly(user)
      const { reason } = parse(DismissRequest, req.body)
      const { row } = await waitingFor(ctx.storage, user, req.params.id)
      if (!(await ctx.storage.quarantine.decide(row.recordId, { state: 'dismissed', by: user.id, at: new Date(ctx.now()).toISOString(), reason: reason.trim() }))) {
        throw new HttpError(409, 'already_decided')
      }
      return { id: row.recordId }
    })
  }
