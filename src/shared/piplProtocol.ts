/**
 * The wire of the personal-information routes (PIPL): a phone reveal, the export of
 * everything held about one household, and the audit trail. The server validates
 * requests with these schemas and the device reads answers through them.
 */
import * as v from 'valibot'
import { AUDIT_ACTIONS } from './audit'
import type { AnyRecord } from './records'

const building = v.pipe(v.string(), v.regex(/^[a-z0-9_-]{1,40}(\/[a-z0-9_-]{1,40}){4}$/))
const household = v.pipe(v.string(), v.regex(/^\d{1,2}-\d{1,3}-\d{1,2}$/))

/** POST /api/v1/households/reveal: one household's phone number in full (audited; online only). */
export const RevealRequest = v.object({ building, household })
export type RevealRequest = v.InferOutput<typeof RevealRequest>
export const RevealResponse = v.object({ phone: v.nullable(v.string()) })
export type RevealResponse = v.InferOutput<typeof RevealResponse>

/** GET /api/v1/households/export?building=&household=&format=json|xlsx (community staff; audited). */
export const HouseholdExportQuery = v.object({
  building,
  household,
  format: v.optional(v.picklist(['json', 'xlsx']), 'json'),
})
export type HouseholdExportQuery = v.InferOutput<typeof HouseholdExportQuery>

/** Everything the server holds about one household, for the resident who asked (PIPL Art. 45). */
export interface HouseholdExport {
  building: { path: string; name: string }
  household: string
  /** room as residents say it, e.g. 302 */
  room: string
  exportedAt: string
  /** the household's records and those about them (corrections, feedback events, erasures), in log order */
  records: (AnyRecord & { authorName: string })[]
}

/** GET /api/v1/audit?scope=&before=&limit=&action= (community staff and above, their scope). */
export const AuditQuery = v.object({
  scope: v.optional(v.pipe(v.string(), v.regex(/^[a-z0-9_-]{1,40}(\/[a-z0-9_-]{1,40}){0,7}$/))),
  before: v.optional(v.pipe(v.string(), v.regex(/^\d{1,15}$/), v.transform(Number))),
  limit: v.optional(v.pipe(v.string(), v.regex(/^\d{1,4}$/), v.transform(Number), v.minValue(1)), '100'),
  action: v.optional(v.picklist(AUDIT_ACTIONS)),
})

export const AuditEntrySchema = v.object({
  id: v.number(),
  at: v.string(),
  actorId: v.nullable(v.string()),
  /** who, as a name (the command line: null) */
  actorName: v.nullable(v.string()),
  action: v.picklist(AUDIT_ACTIONS),
  scope: v.string(),
  target: v.nullable(v.string()),
  detail: v.nullable(v.record(v.string(), v.union([v.string(), v.number(), v.boolean(), v.null()]))),
})
export const AuditResponse = v.object({ entries: v.array(AuditEntrySchema), more: v.boolean() })
export type AuditResponse = v.InferOutput<typeof AuditResponse>
