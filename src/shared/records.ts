/**
 * The record envelope and one valibot schema per record type, used by the device
 * before saving and by the server before accepting. Every record is immutable:
 * a mistake is mended by a `correction`, a withdrawal by a `void`.
 */
import * as v from 'valibot'
import { UUID_RE } from './ids'
import type { MessageCode } from './messages'

const msg = (code: MessageCode) => code

export const OUTCOMES = ['met', 'nobody_home', 'declined'] as const
export type Outcome = (typeof OUTCOMES)[number]

export const PURPOSES = ['policy', 'care', 'safety', 'opinion', 'mediation', 'other'] as const
export type Purpose = (typeof PURPOSES)[number]

export const NOTE_MAX = 2000
const ORG_PATH_RE = /^[a-z0-9_-]{1,40}(\/[a-z0-9_-]{1,40}){0,7}$/
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/

const isoTime = v.pipe(v.string(msg('bad_value')), v.regex(ISO_RE, msg('bad_value')))
const note = v.pipe(v.string(msg('bad_value')), v.maxLength(NOTE_MAX, msg('note_too_long')))
const recordId = v.pipe(v.string(msg('bad_id')), v.regex(UUID_RE, msg('bad_id')))

export const VisitBody = v.strictObject(
  {
    household: v.pipe(v.string(msg('bad_value')), v.regex(/^\d{1,2}-\d{1,3}-\d{1,2}$/, msg('unknown_household'))),
    outcome: v.picklist(OUTCOMES, msg('bad_value')),
    purposes: v.pipe(v.array(v.picklist(PURPOSES, msg('bad_value')), msg('bad_value')), v.maxLength(PURPOSES.length, msg('bad_value'))),
    note,
    visitedAt: isoTime,
  },
  msg('invalid_record'),
)
export type VisitBody = v.InferOutput<typeof VisitBody>

/** Fields a correction may change, by target type. */
export const CORRECTABLE = {
  visit: v.strictObject(
    {
      outcome: v.optional(VisitBody.entries.outcome),
      purposes: v.optional(VisitBody.entries.purposes),
      note: v.optional(note),
      visitedAt: v.optional(isoTime),
    },
    msg('invalid_record'),
  ),
} as const

export const CorrectionBody = v.strictObject(
  {
    target: recordId,
    targetType: v.picklist(['visit'] as const, msg('bad_value')),
    fields: CORRECTABLE.visit,
    reason: v.optional(v.pipe(v.string(msg('bad_value')), v.maxLength(500, msg('text_too_long')))),
  },
  msg('invalid_record'),
)
export type CorrectionBody = v.InferOutput<typeof CorrectionBody>

export const VoidBody = v.strictObject(
  {
    target: recordId,
    reason: v.pipe(v.string(msg('bad_value')), v.minLength(1, msg('required')), v.maxLength(500, msg('text_too_long'))),
  },
  msg('invalid_record'),
)
export type VoidBody = v.InferOutput<typeof VoidBody>

export const BODY_SCHEMAS = {
  visit: VisitBody,
  correction: CorrectionBody,
  void: VoidBody,
} as const

export type RecordType = keyof typeof BODY_SCHEMAS
export const RECORD_TYPES = Object.keys(BODY_SCHEMAS) as RecordType[]
export type BodyOf<T extends RecordType> = v.InferOutput<(typeof BODY_SCHEMAS)[T]>

/** Current schema version of each body. */
export const BODY_VERSION: Record<RecordType, number> = { visit: 1, correction: 1, void: 1 }

export const Envelope = v.strictObject(
  {
    id: recordId,
    type: v.picklist(RECORD_TYPES, msg('unknown_type')),
    v: v.pipe(v.number(msg('bad_value')), v.integer(msg('bad_value')), v.minValue(1, msg('bad_value')), v.maxValue(1000, msg('bad_value'))),
    orgPath: v.pipe(v.string(msg('bad_value')), v.regex(ORG_PATH_RE, msg('out_of_scope'))),
    authorId: v.pipe(v.string(msg('bad_value')), v.minLength(1, msg('bad_value')), v.maxLength(64, msg('bad_value'))),
    deviceId: v.pipe(v.string(msg('bad_value')), v.minLength(1, msg('bad_value')), v.maxLength(64, msg('bad_value'))),
    clientTime: isoTime,
    body: v.unknown(),
  },
  msg('invalid_record'),
)

/** A record as made on the device, before the server has seen it. */
export interface LocalRecord<T extends RecordType = RecordType> {
  id: string
  type: T
  v: number
  orgPath: string
  authorId: string
  deviceId: string
  clientTime: string
  body: BodyOf<T>
}

/** A record once the server accepted it: `seq` orders everything. */
export interface StoredRecord<T extends RecordType = RecordType> extends LocalRecord<T> {
  seq: number
  serverTime: string
}

/** On the device a record may or may not have come back from the server yet. */
export type AnyRecord<T extends RecordType = RecordType> = LocalRecord<T> & { seq?: number; serverTime?: string }

export interface RecordIssue {
  code: MessageCode
  /** dot path of the offending field, e.g. `body.note` */
  path: string
}

export type CheckResult<T> = { ok: true; record: T } | { ok: false; issue: RecordIssue }

function firstIssue(issues: readonly v.BaseIssue<unknown>[], prefix: string): RecordIssue {
  const issue = issues[0]!
  const dot = v.getDotPath(issue)
  const code = issue.message as MessageCode
  return { code, path: dot ? `${prefix}${dot}` : prefix.replace(/\.$/, '') || '' }
}

/**
 * Checks a record's shape: envelope then body. Context checks (scope, household
 * in building, time not in the future, author) live with whoever has the context.
 */
export function checkRecordShape(input: unknown): CheckResult<LocalRecord> {
  const env = v.safeParse(Envelope, input)
  if (!env.success) return { ok: false, issue: firstIssue(env.issues, '') }
  const type = env.output.type
  const body = v.safeParse(BODY_SCHEMAS[type], env.output.body)
  if (!body.success) return { ok: false, issue: firstIssue(body.issues, 'body.') }
  return { ok: true, record: { ...env.output, body: body.output } as LocalRecord }
}

/** A day of clock drift is tolerated; beyond that a time is "in the future". */
export const FUTURE_TOLERANCE_MS = 24 * 60 * 60 * 1000

export function isTooFarInFuture(iso: string, now: number): boolean {
  const t = Date.parse(iso)
  return Number.isNaN(t) || t > now + FUTURE_TOLERANCE_MS
}
