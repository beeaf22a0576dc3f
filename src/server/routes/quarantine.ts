/**
 * GET /api/v1/quarantine (src/shared/quarantine.ts): community staff and above read the
 * records the server refused from the accounts within their scope, newest first.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { AppContext } from '../app'
import { HttpError, langOf } from '../errors'
import { callerOf } from './auth'
import { MESSAGES, message, type MessageCode } from '../../shared/messages'
import { QUARANTINE_EXCERPT_MAX, QUARANTINE_PAGE_MAX, readsQuarantine, type QuarantineItem, type QuarantineResponse } from '../../shared/quarantine'
import { ROLE_LEVEL } from '../../shared/roles'
import { normalizeScopes } from '../../shared/org'
import type { QuarantineRow, UserRow } from '../storage'

/** The type and place a kept copy names, when it is readable JSON with them. */
function named(raw: string): { type: string | null; orgPath: string | null } {
  try {
    const r = JSON.parse(raw) as { type?: unknown; orgPath?: unknown }
    return { type: typeof r.type === 'string' ? r.type.slice(0, 40) : null, orgPath: typeof r.orgPath === 'string' ? r.orgPath.slice(0, 200) : null }
  } catch {
    return { type: null, orgPath: null }
  }
}

const isCode = (code: string): code is MessageCode => Object.hasOwn(MESSAGES, code)

export const quarantineRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  async (app) => {
    app.get<{ Querystring: { limit?: string } }>('/api/v1/quarantine', async (req): Promise<QuarantineResponse> => {
      const user = callerOf(req)
      if (!readsQuarantine(ROLE_LEVEL[user.role])) throw new HttpError(403, 'forbidden')
      const asked = Number(req.query.limit ?? QUARANTINE_PAGE_MAX)
      const limit = Number.isInteger(asked) && asked > 0 ? Math.min(asked, QUARANTINE_PAGE_MAX) : QUARANTINE_PAGE_MAX
      // the accounts whose scope lies within mine: their refused records are about my area
      const people = new Map<string, UserRow | null>()
      for (const scope of normalizeScopes(user.scopes)) for (const u of await ctx.storage.users.within(scope)) people.set(u.id, u)
      const rows: QuarantineRow[] = people.size ? await ctx.storage.quarantine.byUsers([...people.keys()], limit) : []
      const lang = langOf(req)
      const items: QuarantineItem[] = []
      for (const r of rows) {
        if (!people.has(r.userId)) people.set(r.userId, await ctx.storage.users.byId(r.userId))
        const author = people.get(r.userId) ?? null
        items.push({
          qid: r.qid,
          receivedAt: r.receivedAt,
          code: r.code,
          reason: isCode(r.code) ? message(r.code, lang) : r.reason,
          path: r.path,
          recordId: r.recordId,
          ...named(r.raw),
          author: { id: r.userId, name: author?.name ?? '', role: author?.role ?? null },
          excerpt: [...r.raw].slice(0, QUARANTINE_EXCERPT_MAX).join(''),
        })
      }
      return { items }
    })
  }
