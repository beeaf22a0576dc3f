/**
 * Accounts managed in the app (src/shared/accounts.ts has the rule):
 *   GET   /api/v1/accounts                 the accounts the caller may manage
 *   POST  /api/v1/accounts                 a new account with a one-time code
 *   PATCH /api/v1/accounts/:id             name, role, scopes
 *   POST  /api/v1/accounts/:id/disable     and every session of it ends
 *   POST  /api/v1/accounts/:id/enable
 *   POST  /api/v1/accounts/:id/reset       a one-time code; every session ends
 * Every change is checked here against the caller's scope and role, and written to
 * the audit trail in the same transaction.
 */
import { randomInt } from 'node:crypto'
import type { FastifyPluginAsync } from 'fastify'
import * as v from 'valibot'
import type { AppContext } from '../app'
import { hashPassword } from '../auth'
import { recordAudit } from '../audit/record'
import { HttpError } from '../errors'
import type { Storage, UserRow } from '../storage'
import { callerOf } from './auth'
import {
  accountProblem,
  assignableRoles,
  auditScopeOf,
  EditAccountRequest,
  mayManage,
  NewAccountRequest,
  type AccountAnswer,
  type AccountList,
  type AccountView,
} from '../../shared/accounts'
import type { NodeKind } from '../../shared/org'
import { normalizeScopes } from '../../shared/org'
import { passwordProblem } from '../../shared/password'
import type { SessionUser } from '../../shared/roles'

export function accountView(u: UserRow): AccountView {
  return { id: u.id, phone: u.phone, name: u.name, role: u.role, scopes: [...u.scopes], disabled: u.disabledAt !== null, mustChangePassword: u.mustChangePassword }
}

/**
 * A one-time code: 8 digits (easy on a phone keypad, read out over the phone),
 * never one the shared rule refuses for this account (88888888, the phone…).
 */
export function oneTimeCode(phone: string): string {
  for (;;) {
    const code = String(randomInt(0, 100_000_000)).padStart(8, '0')
    if (!passwordProblem(code, phone)) return code
  }
}

/** The kinds of the nodes at `paths`, read ahead so the shared rule can ask synchronously. */
async function kindsOf(storage: Storage, paths: readonly string[]): Promise<(p: string) => NodeKind | null> {
  const kinds = new Map<string, NodeKind>()
  for (const p of new Set(paths)) {
    const node = await storage.org.get(p)
    if (node) kinds.set(p, node.kind)
  }
  return (p) => kinds.get(p) ?? null
}

export const accountRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  async (app) => {
    /** The caller, who must manage accounts at all. */
    const manager = (me: SessionUser): SessionUser => {
      if (assignableRoles(me.role).length === 0) throw new HttpError(403, 'forbidden')
      return me
    }

    /** The account `id`, which the caller must be allowed to manage (404 for what they may not see). */
    const target = async (me: SessionUser, id: string): Promise<UserRow> => {
      const user = await ctx.storage.users.byId(id)
      if (user && user.id === me.id) throw new HttpError(403, 'cannot_manage_self')
      if (!user || !mayManage(me, user)) throw new HttpError(404, 'not_found')
      return user
    }

    app.get('/api/v1/accounts', async (req): Promise<AccountList> => {
      const me = manager(callerOf(req))
      const byId = new Map<string, UserRow>()
      for (const scope of normalizeScopes(me.scopes)) for (const u of await ctx.storage.users.within(scope)) byId.set(u.id, u)
      const accounts = [...byId.values()].filter((u) => u.id !== me.id && mayManage(me, u)).map(accountView)
      accounts.sort((a, b) => a.scopes[0]!.localeCompare(b.scopes[0]!) || a.name.localeCompare(b.name, 'zh-CN'))
      return { accounts }
    })

    app.post('/api/v1/accounts', async (req): Promise<AccountAnswer> => {
      const me = manager(callerOf(req))
      const parsed = v.safeParse(NewAccountRequest, req.body)
      if (!parsed.success) throw new HttpError(400, 'bad_request')
      const input = { ...parsed.output, scopes: [...new Set(parsed.output.scopes)] }
      const problem = accountProblem(me, input, await kindsOf(ctx.storage, input.scopes))
      if (problem) throw new HttpError(403, problem)
      if (await ctx.storage.users.byPhone(input.phone)) throw new HttpError(409, 'phone_taken')
      const code = oneTimeCode(input.phone)
      const hash = await hashPassword(code)
      const now = ctx.now()
      const user = await ctx.storage.transaction(async (tx) => {
        if (await tx.users.byPhone(input.phone)) throw new HttpError(409, 'phone_taken')
        const u = await tx.users.upsert({ phone: input.phone, name: input.name, role: input.role, scopes: input.scopes, passwordHash: hash })
        await tx.users.setPassword(u.id, hash, true)
        await recordAudit(tx, { actorId: me.id, action: 'account.add', scope: auditScopeOf(u.scopes), target: u.id, detail: { role: u.role }, now })
        return { ...u, mustChangePassword: true }
      })
      return { account: accountView(user), code }
    })

    app.patch<{ Params: { id: string } }>('/api/v1/accounts/:id', async (req): Promise<AccountAnswer> => {
      const me = manager(callerOf(req))
      const before = await target(me, req.params.id)
      const parsed = v.safeParse(EditAccountRequest, req.body)
      if (!parsed.success) throw new HttpError(400, 'bad_request')
      const next = {
        name: parsed.output.name ?? before.name,
        role: parsed.output.role ?? before.role,
        scopes: parsed.output.scopes ? [...new Set(parsed.output.scopes)] : before.scopes,
      }
      const problem = accountProblem(me, next, await kindsOf(ctx.storage, next.scopes))
      if (problem) throw new HttpError(403, problem)
      const now = ctx.now()
      const user = await ctx.storage.transaction(async (tx) => {
        const u = await tx.users.upsert({ phone: before.phone, name: next.name, role: next.role, scopes: next.scopes, passwordHash: before.passwordHash })
        const changed = (['name', 'role', 'scopes'] as const).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(u[k])).join(',')
        // filed where it was and where it is now, so both scopes' staff see it
        for (const scope of new Set([auditScopeOf(before.scopes), auditScopeOf(u.scopes)])) {
          await recordAudit(tx, { actorId: me.id, action: 'account.edit', scope, target: u.id, detail: { changed, role: u.role }, now })
        }
        return u
      })
      return { account: accountView(user) }
    })

    app.post<{ Params: { id: string } }>('/api/v1/accounts/:id/disable', async (req): Promise<AccountAnswer> => {
      const me = manager(callerOf(req))
      const user = await target(me, req.params.id)
      const now = ctx.now()
      await ctx.storage.transaction(async (tx) => {
        await tx.users.setDisabled(user.phone, new Date(now).toISOString())
        const sessions = await tx.sessions.revokeAllFor(user.id, now)
        await recordAudit(tx, { actorId: me.id, action: 'account.disable', scope: auditScopeOf(user.scopes), target: user.id, detail: { sessions }, now })
      })
      return { account: { ...accountView(user), disabled: true } }
    })

    app.post<{ Params: { id: string } }>('/api/v1/accounts/:id/enable', async (req): Promise<AccountAnswer> => {
      const me = manager(callerOf(req))
      const user = await target(me, req.params.id)
      const now = ctx.now()
      await ctx.storage.transaction(async (tx) => {
        await tx.users.setDisabled(user.phone, null)
        await recordAudit(tx, { actorId: me.id, action: 'account.enable', scope: auditScopeOf(user.scopes), target: user.id, now })
      })
      return { account: { ...accountView(user), disabled: false } }
    })

    app.post<{ Params: { id: string } }>('/api/v1/accounts/:id/reset', async (req): Promise<AccountAnswer> => {
      const me = manager(callerOf(req))
      const user = await target(me, req.params.id)
      const code = oneTimeCode(user.phone)
      const hash = await hashPassword(code)
      const now = ctx.now()
      await ctx.storage.transaction(async (tx) => {
        await tx.users.setPassword(user.id, hash, true)
        const sessions = await tx.sessions.revokeAllFor(user.id, now)
        await recordAudit(tx, { actorId: me.id, action: 'account.reset_password', scope: auditScopeOf(user.scopes), target: user.id, detail: { sessions }, now })
      })
      return { account: { ...accountView(user), mustChangePassword: true }, code }
    })
  }
