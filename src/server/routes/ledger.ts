/**
 * GET /api/v1/ledger?scope=PATH&month=YYYY-MM[&format=xlsx|csv[&sheet=…]] and
 * GET /api/v1/ledger/ranking?scope=STREET&month=YYYY-MM: the monthly ledger from
 * the shared definitions (src/shared/ledger.ts). A scope outside the caller's
 * is 403 `forbidden`; a malformed query 400 `bad_request`.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import * as v from 'valibot'
import type { AppContext } from '../app'
import { HttpError } from '../errors'
import { callerOf } from './auth'
import { effectiveScopes } from '../scope'
import { isUnderAny, levelOfPath } from '../../shared/org'
import { monthKey } from '../../shared/time'
import { ledgerOfItems, leaderCount, rankingWeights, rankRows, type Ledger } from '../../shared/ledger'
import { LedgerQuery, type LedgerResponse, type RankingResponse } from '../../shared/ledgerProtocol'
import { volunteerLedger } from '../../shared/volunteerLedger'
import { loadSheetSource, peopleUnder, recordsUnder } from '../ledger/load'
import { ledgerCsv, ledgerXlsx, exportFileName } from '../ledger/export'
import { recordAudit } from '../audit/record'
import { mayReadType } from '../../shared/rules'

function parseQuery(query: unknown): LedgerQuery {
  const q = v.safeParse(LedgerQuery, query)
  if (!q.success) throw new HttpError(400, 'bad_request')
  return q.output
}

/** RFC 5987 file name, so 明通巷社区-2026-05.xlsx arrives with its Chinese name. */
function attachment(reply: FastifyReply, name: string, type: string): FastifyReply {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_')
  return reply.type(type).header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`)
}

export const ledgerRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  async (app) => {
    async function prepare(user: ReturnType<typeof callerOf>, scope: string): Promise<void> {
      // a volunteer account's community scope is for the wall, not the community's figures
      if (user.role === 'volunteer') throw new HttpError(403, 'forbidden')
      if (!isUnderAny(scope, await effectiveScopes(ctx.storage, user.scopes))) throw new HttpError(403, 'forbidden')
      if (!(await ctx.storage.org.get(scope)) || levelOfPath(scope) === null) throw new HttpError(404, 'not_found')
    }

    /** The ledger from the summaries kept at append time (the same shared definitions as a fold). */
    async function summarised(scope: string, month: string): Promise<{ ledger: Ledger; people: Awaited<ReturnType<typeof peopleUnder>> }> {
      const [items, nodes, people] = await Promise.all([ctx.storage.ledger.items(scope, month), ctx.storage.org.subtree(scope), peopleUnder(ctx.storage, scope)])
      return { ledger: ledgerOfItems(items, { nodes, people, scope, month, now: ctx.now() }), people }
    }

    app.get('/api/v1/ledger', async (req, reply) => {
      const user = callerOf(req)
      const q = parseQuery(req.query)
      await prepare(user, q.scope)
      const month = q.month ?? monthKey(ctx.now())
      if (q.format === 'json') return (await summarised(q.scope, month)).ledger satisfies LedgerResponse
      // the summary sheet holds the JSON ledger's figures; the detailed sheets list every visit and item
      // of the month, so they read those records (found through the summaries, not the whole log)
      const [{ ledger }, src] = await Promise.all([summarised(q.scope, month), loadSheetSource(ctx.storage, q.scope, month)])
      const name = exportFileName(ledger, q.format === 'csv' ? q.sheet : undefined)
      // every export is in the audit trail (PIPL Art. 55); the figures above count every record,
      // the file's rows name residents only for those who may read their profiles (mayReadType)
      await recordAudit(ctx.storage, {
        actorId: user.id, action: 'ledger.export', scope: q.scope, target: `${name}.${q.format}`,
        detail: { format: q.format, month, ...(q.format === 'csv' ? { sheet: q.sheet } : {}) }, now: ctx.now(),
      })
      const rows = mayReadType(user.role, 'household.profile') ? src : { ...src, records: src.records.filter((r) => r.type !== 'household.profile') }
      if (q.format === 'csv') return attachment(reply, `${name}.csv`, 'text/csv; charset=utf-8').send(ledgerCsv(ledger, rows, q.sheet))
      return attachment(reply, `${name}.xlsx`, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await ledgerXlsx(ledger, rows))
    })

    // the month's volunteer hours and wish counts (src/shared/volunteerLedger.ts), apart from the summarised ledger
    app.get('/api/v1/ledger/volunteers', async (req) => {
      const user = callerOf(req)
      const q = parseQuery(req.query)
      await prepare(user, q.scope)
      const month = q.month ?? monthKey(ctx.now())
      return volunteerLedger(await recordsUnder(ctx.storage, q.scope), q.scope, month, ctx.now())
    })

    app.get('/api/v1/ledger/ranking', async (req): Promise<RankingResponse> => {
      const user = callerOf(req)
      const q = parseQuery(req.query)
      await prepare(user, q.scope)
      if (levelOfPath(q.scope) !== 'street') throw new HttpError(400, 'bad_request')
      const month = q.month ?? monthKey(ctx.now())
      const [{ ledger, people }, weightRecords] = await Promise.all([summarised(q.scope, month), ctx.storage.ledger.weights(q.scope)])
      const set = rankingWeights(weightRecords, q.scope)
      const leaders = new Map(ledger.rows.map((r) => [r.path, leaderCount(people, r.path)]))
      const setBy = set.setBy ? (people.find((p) => p.id === set.setBy)?.name ?? (await ctx.storage.users.byId(set.setBy))?.name ?? set.setBy) : undefined
      return {
        scope: q.scope,
        name: ledger.name,
        month,
        weights: set.weights,
        ...(setBy ? { weightsSetBy: setBy } : {}),
        ...(set.setAt ? { weightsSetAt: set.setAt } : {}),
        rows: rankRows(ledger.rows, set.weights, leaders),
      }
    })
  }
