/**
 * The audit trail's vocabulary, shared by the server that writes it and the screen
 * that reads it. An entry says who did what, when, where (an org path, so readers
 * see the entries of their own scope) and to what (an id or key, never a name or a
 * phone: the trail itself must hold no personal data).
 */

/** What was done. Add new kinds at the end; stored as the string. */
export const AUDIT_ACTIONS = [
  'ledger.export', // a ledger file (XLSX/CSV) was exported
  'household.export', // everything held about one household was exported for its resident
  'household.erase', // a household's personal data was erased
  'phone.reveal', // a masked phone number was shown in full
  'account.add',
  'account.edit',
  'account.disable',
  'account.enable',
  'account.reset_password', // a one-time code was issued
  'account.password_changed', // by the person themself
  'account.signed_out_all', // every session of the person was revoked
] as const

export type AuditAction = (typeof AUDIT_ACTIONS)[number]

/** Extra facts about an entry: flat, small, no personal data. */
export type AuditDetail = Record<string, string | number | boolean | null>

/** One entry as it is stored and read back. `at` is ISO 8601 UTC on the server's clock. */
export interface AuditEntry {
  id: number
  at: string
  /** user id of who did it; null for the command line (`npm run admin`) */
  actorId: string | null
  action: AuditAction
  /** org path the action concerns; readers see entries at or beneath their scopes */
  scope: string
  /** what it concerns: a user id, a household key, a file name; null when the scope says it all */
  target: string | null
  detail: AuditDetail | null
}

/** Entries are kept at least this long (PIPL record keeping); nothing purges them sooner. */
export const AUDIT_RETENTION_YEARS = 3
