/**
 * The audit trail's storage interface (both backends implement it: ./sqlite.ts and
 * ../postgres/audit.ts). Entries are only ever added; reading is by scope, newest first.
 */
import type { AuditAction, AuditDetail, AuditEntry } from '../../shared/audit'

/** An entry to add: everything but the id the store gives it. */
export type NewAuditEntry = Omit<AuditEntry, 'id'>

export interface AuditQuery {
  /** entries whose scope is one of these or beneath one of them */
  scopes: readonly string[]
  /** only entries with an id below this (the next page of a newest-first listing) */
  before?: number
  /** at most this many (the store caps it at AUDIT_PAGE_MAX) */
  limit: number
  action?: AuditAction
}

/** The largest page `read` returns. */
export const AUDIT_PAGE_MAX = 500

export interface AuditStore {
  append(entry: NewAuditEntry): Promise<AuditEntry>
  /** newest first */
  read(query: AuditQuery): Promise<AuditEntry[]>
}

/** A stored row, the same columns on both backends. */
export interface AuditDbRow {
  id: number | string
  at: string
  actor_id: string | null
  action: string
  scope: string
  target: string | null
  detail: string | null
}

/** The row as an entry (PostgreSQL hands BIGSERIAL ids over as strings). */
export function toAuditEntry(r: AuditDbRow): AuditEntry {
  return {
    id: Number(r.id),
    at: r.at,
    actorId: r.actor_id,
    action: r.action as AuditAction,
    scope: r.scope,
    target: r.target,
    detail: r.detail === null ? null : (JSON.parse(r.detail) as AuditDetail),
  }
}
