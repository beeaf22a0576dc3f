/**
 * Accounts managed in the app: who may add, edit, disable and reset whom, and the
 * wire shapes of /api/v1/accounts. The server enforces these rules on every call
 * (src/server/routes/accounts.ts); the app uses the same functions to offer only
 * what the server will accept (the 账号管理 screen under 我的).
 *
 * The rule: community staff and above manage accounts whose every scope lies within
 * their own scopes and whose role is below their own, and may give only such roles
 * (a community's staff manage its building and group leaders; a street's staff also
 * its communities' staff; nobody raises anyone to their own level or above). A
 * role's scope is a node of the role's level (楼栋长: buildings; 居民小组长: a group).
 */
import * as v from 'valibot'
import { isUnderAny, normalizeScopes, parentPath, type NodeKind } from './org'
import { ROLE_LEVEL, ROLES, type Role } from './roles'

/** An account's phone (its login): a mainland mobile, 11 digits. */
export const ACCOUNT_PHONE_RE = /^1\d{10}$/
/** An account's name, in characters. */
export const ACCOUNT_NAME_MAX = 20

/** Higher manages lower. */
export const ROLE_RANK: Record<Role, number> = {
  building_leader: 0,
  group_leader: 1,
  community_staff: 2,
  street_staff: 3,
  district_staff: 4,
  admin: 5,
}

/** The roles `actor` may give, lowest first (empty: not a manager of accounts). */
export function assignableRoles(actor: Role): Role[] {
  if (ROLE_RANK[actor] < ROLE_RANK.community_staff) return []
  return ROLES.filter((r) => ROLE_RANK[r] < ROLE_RANK[actor] && r !== 'admin')
}

/** True when `actor` manages accounts at all (the 账号管理 entry). */
export function managesAccounts(actor: Role): boolean {
  return assignableRoles(actor).length > 0
}

export interface AccountShape {
  role: Role
  scopes: readonly string[]
}

/** True when `actor` may act on the existing account `target` (edit, disable, enable, reset). */
export function mayManage(actor: AccountShape, target: AccountShape): boolean {
  return (
    assignableRoles(actor.role).includes(target.role) &&
    target.scopes.length > 0 &&
    target.scopes.every((s) => isUnderAny(s, actor.scopes))
  )
}

/**
 * Why `actor` may not give an account the role and scopes of `next`, or null when
 * it may. `kindOf` says what kind of node a path is (null: no such node).
 */
export function accountProblem(
  actor: AccountShape,
  next: AccountShape,
  kindOf: (path: string) => NodeKind | null,
): 'role_not_allowed' | 'scope_not_allowed' | null {
  if (!assignableRoles(actor.role).includes(next.role)) return 'role_not_allowed'
  if (next.scopes.length === 0) return 'scope_not_allowed'
  for (const s of next.scopes) {
    if (!isUnderAny(s, actor.scopes) || kindOf(s) !== ROLE_LEVEL[next.role]) return 'scope_not_allowed'
  }
  return null
}

/**
 * The one org path an account action is filed under in the audit trail: the
 * nearest node holding all of `scopes` (a building leader of 1栋 and 2栋: their group).
 */
export function auditScopeOf(scopes: readonly string[]): string {
  const norm = normalizeScopes(scopes)
  if (norm.length === 0) return ''
  let common: string | null = norm[0]!
  for (const s of norm.slice(1)) {
    while (common !== null && !(s === common || s.startsWith(common + '/'))) common = parentPath(common)
  }
  return common ?? norm[0]!
}

// ---------------------------------------------------------------- the wire

/** An account as the 账号管理 screen sees it: never its password hash. */
export const AccountView = v.object({
  id: v.string(),
  phone: v.string(),
  name: v.string(),
  role: v.picklist(ROLES),
  scopes: v.array(v.string()),
  disabled: v.boolean(),
  /** a one-time code is waiting to be replaced */
  mustChangePassword: v.boolean(),
})
export type AccountView = v.InferOutput<typeof AccountView>

/** GET /api/v1/accounts */
export const AccountList = v.object({ accounts: v.array(AccountView) })
export type AccountList = v.InferOutput<typeof AccountList>

const nameSchema = v.pipe(v.string(), v.trim(), v.minLength(1), v.check((s) => [...s].length <= ACCOUNT_NAME_MAX))
const scopesSchema = v.pipe(v.array(v.pipe(v.string(), v.maxLength(200))), v.minLength(1), v.maxLength(50))

/** POST /api/v1/accounts: a new account; the server answers a one-time code. */
export const NewAccountRequest = v.object({
  phone: v.pipe(v.string(), v.regex(ACCOUNT_PHONE_RE)),
  name: nameSchema,
  role: v.picklist(ROLES),
  scopes: scopesSchema,
})
export type NewAccountRequest = v.InferOutput<typeof NewAccountRequest>

/** PATCH /api/v1/accounts/:id: what changes (the phone is the login: a new number is a new account). */
export const EditAccountRequest = v.object({
  name: v.optional(nameSchema),
  role: v.optional(v.picklist(ROLES)),
  scopes: v.optional(scopesSchema),
})
export type EditAccountRequest = v.InferOutput<typeof EditAccountRequest>

/** The answer to add, edit, disable, enable; `code` (add, reset) is shown once and never stored in clear. */
export const AccountAnswer = v.object({ account: AccountView, code: v.optional(v.string()) })
export type AccountAnswer = v.InferOutput<typeof AccountAnswer>
