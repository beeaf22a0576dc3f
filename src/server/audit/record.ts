/**
 * Writing to the audit trail from routes and the admin CLI. Every export, reveal,
 * erasure and account action calls `recordAudit` in the same transaction as the
 * work it records where there is one, so neither is kept without the other.
 */
import type { AuditAction, AuditDetail, AuditEntry } from '../../shared/audit'
import type { Storage } from '../storage'

export interface AuditFacts {
  /** user id of who did it; null for the command line */
  actorId: string | null
  action: AuditAction
  /** org path the action concerns (readers see entries at or beneath their scopes) */
  scope: string
  /** a user id, household key or file name; never a name or a phone */
  target?: string | null
  detail?: AuditDetail | null
  /** when, epoch ms on the server's clock (routes pass their injectable clock); default now */
  now?: number
}

/**
 * Adds one entry to the trail of `storage` (a transaction's storage when called inside one).
 * Returns the stored entry with its id. Throws what the store throws: the caller's work
 * should fail with it rather than happen unrecorded.
 */
export function recordAudit(storage: Storage, facts: AuditFacts): Promise<AuditEntry> {
  return storage.audit.append({
    at: new Date(facts.now ?? Date.now()).toISOString(),
    actorId: facts.actorId,
    action: facts.action,
    scope: facts.scope,
    target: facts.target ?? null,
    detail: facts.detail ?? null,
  })
}
