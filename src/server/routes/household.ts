/**
 * One household's personal information on request (PIPL):
 * POST /api/v1/households/reveal {building, household}: the phone number in full, for
 * the building's own leader and community staff (`mayRevealPhone`); everywhere else it
 * is masked. Online only, and every reveal is written to the audit trail first.
 * GET /api/v1/households/export?building=&household=&format=json|xlsx: everything the
 * server holds about the household, readable, for the resident who asked (community
 * staff, `isCommunityStaff`); audited. 403 `forbidden` outside those; 400 `bad_request`
 * for a malformed request; 404 `not_found` for a room not in the building.
 */
import type { FastifyPluginAsync } from 'fastify'
import * as v from 'valibot'
import type { AppContext } from '../app'
import { HttpError } from '../errors'
import { callerOf } from './auth'
import { recordAudit } from '../audit/record'
import { householdInLayout, isUnderAny, roomLabel, type OrgNode } from '../../shared/org'
import { foldHouseholdProfiles, householdRef } from '../../shared/rounds'
import { isCommunityStaff, mayRevealPhone } from '../../shared/rules'
import type { StoredRecord } from '../../shared/records'
import { HouseholdExportQuery, RevealRequest, type HouseholdExport, type RevealResponse } from '../../shared/piplProtocol'
import type { Storage } from '../storage'
import { xlsxBuffer } from '../xlsx'

/** Types whose body names the household directly. */
const OWN_TYPES = new Set(['visit', 'feedback', 'care.flag', 'household.profile', 'household.erasure'])

/** The household's records and those about them (amendments of its visits, events on its feedback), in log order. */
export function householdRecords(atBuilding: readonly StoredRecord[], household: string): StoredRecord[] {
  const own = new Set(atBuilding.filter((r) => OWN_TYPES.has(r.type) && (r.body as { household?: string }).household === household).map((r) => r.id))
  return atBuilding.filter((r) => {
    if (own.has(r.id)) return true
    if (r.type === 'correction' || r.type === 'void') return own.has(r.body.target)
    if (r.type === 'feedback.event') return own.has(r.body.feedback)
    return false
  })
}

async function buildingOf(storage: Storage, path: string, household: string): Promise<OrgNode> {
  const node = await storage.org.get(path)
  if (!node || node.kind !== 'building' || (node.layout && !householdInLayout(household, node.layout))) throw new HttpError(404, 'not_found')
  return node
}

const TYPE_ZH: Record<string, string> = {
  visit: '走访', correction: '更正', void: '撤回', feedback: '意见', 'feedback.event': '意见处理', 'care.flag': '关爱名单',
  'household.profile': '住户信息', 'household.erasure': '删除个人信息',
}

export const householdRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  async (app) => {
    app.post('/api/v1/households/reveal', async (req): Promise<RevealResponse> => {
      const user = callerOf(req)
      const q = v.safeParse(RevealRequest, req.body)
      if (!q.success) throw new HttpError(400, 'bad_request')
      const { building, household } = q.output
      if (!mayRevealPhone(user, building)) throw new HttpError(403, 'forbidden')
      await buildingOf(ctx.storage, building, household)
      const profile = foldHouseholdProfiles(await ctx.storage.records.atPath(building)).get(householdRef(building, household))
      // recorded before the number leaves: a reveal the trail cannot hold is not made
      await recordAudit(ctx.storage, { actorId: user.id, action: 'phone.reveal', scope: building, target: household, now: ctx.now() })
      return { phone: profile?.phone ?? null }
    })

    app.get('/api/v1/households/export', async (req, reply) => {
      const user = callerOf(req)
      const q = v.safeParse(HouseholdExportQuery, req.query)
      if (!q.success) throw new HttpError(400, 'bad_request')
      const { building, household, format } = q.output
      if (!isCommunityStaff(user.role) || !isUnderAny(building, user.scopes)) throw new HttpError(403, 'forbidden')
      const node = await buildingOf(ctx.storage, building, household)
      const records = householdRecords(await ctx.storage.records.atPath(building), household)
      const names = new Map<string, string>()
      for (const id of new Set(records.map((r) => r.authorId))) names.set(id, (await ctx.storage.users.byId(id))?.name ?? id)
      const exportedAt = new Date(ctx.now()).toISOString()
      const body: HouseholdExport = {
        building: { path: building, name: node.name },
        household,
        room: roomLabel(household),
        exportedAt,
        records: records.map((r) => ({ ...r, authorName: names.get(r.authorId) ?? r.authorId })),
      }
      const file = `${node.name}-${roomLabel(household)}-${exportedAt.slice(0, 10)}`
      await recordAudit(ctx.storage, { actorId: user.id, action: 'household.export', scope: building, target: household, detail: { format, records: records.length }, now: ctx.now() })
      const disposition = (name: string) => `attachment; filename="${name.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`
      if (format === 'json') return reply.header('content-disposition', disposition(`${file}.json`)).send(body)
      const buf = await xlsxBuffer([{
        name: '住户信息',
        columns: [
          { header: '时间(服务器)', width: 22 }, { header: '类型', width: 14 }, { header: '记录人', width: 12 }, { header: '内容', width: 80 }, { header: '记录编号', width: 38 },
        ],
        rows: body.records.map((r) => [r.serverTime ?? null, TYPE_ZH[r.type] ?? r.type, r.authorName, JSON.stringify(r.body), r.id]),
      }])
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', disposition(`${file}.xlsx`))
        .send(buf)
    })
  }
