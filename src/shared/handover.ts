/**
 * Handing over a record its author cannot mend (交给社区处理).
 *
 * A record the server refused for a reason outside its author's reach (their
 * building left their scope while they were offline, the room left the
 * building's layout) would otherwise sit in 需处理 for ever and block logout.
 * The server already keeps the refused copy in its quarantine. The author hands
 * it over: the server marks that copy as waiting for community staff, and only
 * then does the record leave the phone. Staff of the community the record was
 * made in (or above it) then either place it — the server appends the original
 * record unchanged except its orgPath, still authored by its author, and notes
 * who placed it where in `handovers` — or dismiss it with a reason. Both answers
 * stay in `handovers`, so every handed-over record can be accounted for.
 *
 * Routes (all need a login):
 *   POST /api/v1/sync/handover {id}             author → HandoverResponse
 *   GET  /api/v1/handovers                      staff  → HandoversResponse (waiting ones in their scope)
 *   POST /api/v1/handovers/:id/place {orgPath}  staff  → PlaceResponse
 *   POST /api/v1/handovers/:id/dismiss {reason} staff  → DismissResponse
 */
import * as v from 'valibot'
import type { MessageCode } from './messages'
import { LEVELS, type Level, type NodeKind } from './org'
import type { RecordType } from './records'
import { textLength } from './text'
import { UUID_RE } from './ids'

/** Refusals the author cannot mend from the phone; anything else is mended and resent. */
export const HANDOVER_CODES = ['out_of_scope', 'unknown_household'] as const satisfies readonly MessageCode[]

/** A record refused with `code` may be handed over. */
export function canHandOver(code: string | undefined): boolean {
  return (HANDOVER_CODES as readonly string[]).includes(code ?? '')
}

/** Community staff and everyone above them handle handed-over records (of their scope). */
export function handlesHandovers(level: Level): boolean {
  return LEVELS.indexOf(level) <= LEVELS.indexOf('community')
}

/** Characters (as a person counts them) a dismissal's reason may have. */
export const DISMISS_REASON_MAX = 200

export const HandoverRequest = v.strictObject({ id: v.pipe(v.string(), v.regex(UUID_RE)) })
export const PlaceRequest = v.strictObject({ orgPath: v.pipe(v.string(), v.regex(/^[a-z0-9_-]{1,40}(\/[a-z0-9_-]{1,40}){0,7}$/)) })
export const DismissRequest = v.strictObject({
  reason: v.pipe(
    v.string(),
    v.check((s) => s.trim().length > 0, 'required'),
    v.check((s) => textLength(s) <= DISMISS_REASON_MAX, 'text_too_long'),
  ),
})

export interface HandoverResponse {
  id: string
  /** server time it was handed over, ISO */
  handedAt: string
}

export type HandoverState = 'waiting' | 'placed' | 'dismissed'

/** One handed-over record as staff see it. */
export interface HandedOverItem {
  id: string
  /** the record as its author made it; null when the kept copy cannot be read (only dismissal is possible) */
  record: { type: RecordType; orgPath: string; authorId: string; clientTime: string; body: Record<string, unknown> } | null
  authorId: string
  authorName: string
  /** the community that handles it */
  community: string
  /** why the server refused it at first */
  code: string
  handedAt: string
  /** kinds of org node this record's type may be placed on */
  kinds: NodeKind[]
}

export interface HandoversResponse {
  items: HandedOverItem[]
}

export interface PlaceResponse {
  id: string
  seq: number
  orgPath: string
}

export interface DismissResponse {
  id: string
}
