/**
 * GET /api/v1/org: the subtree under each of the caller's scopes, the ancestors of
 * each scope (for breadcrumbs such as 盘龙区 › 拓东街道 › 明通巷社区), and the
 * reading points the caller takes part in (see scope.ts). Nothing else.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { AppContext } from '../app'
import type { Storage } from '../storage'
import { normalizeScopes } from '../../shared/org'
import { callerOf } from './auth'
import { joinedReadingPoints } from '../scope'
import { parentPath, type OrgNode } from '../../shared/org'
import type { OrgResponse } from '../../shared/protocol'

export async function visibleNodes(storage: Storage, scopes: readonly string[]): Promise<OrgNode[]> {
  const byPath = new Map<string, OrgNode>()
  for (const rp of await joinedReadingPoints(storage, scopes)) byPath.set(rp.path, rp)
  for (const scope of normalizeScopes(scopes)) {
    for (const n of await storage.org.subtree(scope)) byPath.set(n.path, n)
    for (let p = parentPath(scope); p !== null; p = parentPath(p)) {
      if (byPath.has(p)) continue
      const n = await storage.org.get(p)
      if (n) byPath.set(p, n)
    }
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

export const orgRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  async (app) => {
    app.get('/api/v1/org', async (req): Promise<OrgResponse> => ({ nodes: await visibleNodes(ctx.storage, callerOf(req).scopes) }))
  }
