/**
 * The quarantine as staff read it: records the server refused (a check failed, a
 * conflict), kept QUARANTINE_KEEP_DAYS days and at most QUARANTINE_PER_ACCOUNT rows per
 * account (src/server/quarantine.ts, storage.ts).
 *
 *   GET /api/v1/quarantine?limit=n   community staff and above → QuarantineResponse:
 *   the newest rows pushed by accounts whose scope lies within the caller's.
 */
import * as v from 'valibot'
import { ROLES } from './roles'
import type { Level } from './org'
import { LEVELS } from './org'

/** Community staff and above read the quarantine of the accounts in their scope. */
export function readsQuarantine(level: Level): boolean {
  return LEVELS.indexOf(level) <= LEVELS.indexOf('community')
}

/** Rows one answer holds at most. */
export const QUARANTINE_PAGE_MAX = 200

/** Characters of the received record shown to staff (the rest stays on the server for the admin command). */
export const QUARANTINE_EXCERPT_MAX = 300

export const QuarantineItem = v.object({
  qid: v.number(),
  /** ISO, server clock */
  receivedAt: v.string(),
  /** a message code (src/shared/messages.ts) */
  code: v.string(),
  /** the refusal in the caller's language */
  reason: v.string(),
  /** the field it was about, '' for the whole record */
  path: v.string(),
  recordId: v.nullable(v.string()),
  /** the record's type and place as received, when they could be read */
  type: v.nullable(v.string()),
  orgPath: v.nullable(v.string()),
  author: v.object({ id: v.string(), name: v.string(), role: v.nullable(v.picklist(ROLES)) }),
  /** the start of what was received (QUARANTINE_EXCERPT_MAX characters) */
  excerpt: v.string(),
})
export type QuarantineItem = v.InferOutput<typeof QuarantineItem>

export const QuarantineResponse = v.object({ items: v.array(QuarantineItem) })
export type QuarantineResponse = v.InferOutput<typeof QuarantineResponse>
