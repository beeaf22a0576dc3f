/**
 * The push handler: checks each pushed record and stores the batch in one
 * transaction. Every step is idempotent: pushing the same batch again gives the
 * same answers (accepted becomes duplicate, with the same seq).
 */
import { createHash } from 'node:crypto'
import type { BatchItem, BatchOutcome, Storage, TargetRequirement } from '../storage'
import { canonicalJson } from '../../shared/canonical'
import { message, type Lang, type MessageCode } from '../../shared/messages'
import { householdInLayout, isUnderAny, type NodeKind, type OrgNode } from '../../shared/org'
import type { PushResult } from '../../shared/protocol'
import { BODY_VERSION, checkRecordShape, isTooFarInFuture, type LocalRecord, type RecordIssue } from '../../shared/records'
import type { SessionUser } from '../../shared/roles'

// ---------------------------------------------------------------- per-type rules

export interface RuleContext {
  /** the org node the record is placed on (it exists and is in the caller's scope) */
  node: OrgNode
  /** server clock, epoch ms */
  now: number
  /** looks up another org node (e.g. a building named in a reading session) */
  org: (path: string) => OrgNode | null
}

/**
 * What the server checks for one record type beyond its shape: where it may be
 * placed, context checks that need the org tree or the clock, and an earlier
 * record it refers to (checked inside the batch transaction). Each new record type
 * adds its entry here; a type without one gets DEFAULT_RULE.
 */
export interface TypeRule {
  /** kinds of org node a record of this type may be placed on */
  nodeKinds: readonly NodeKind[]
  check?: (body: Body, c: RuleContext) => RecordIssue | null
  target?: (body: Body) => Omit<TargetRequirement, 'orgPath'> | null
}

/** A record body after its schema passed: read generically, the schema has fixed the types. */
type Body = Readonly<Record<string, unknown>>

const str = (b: Body, key: string): string | undefined => (typeof b[key] === 'string' ? (b[key] as string) : undefined)

/** A household named in the body must be a room of the building the record is placed on. */
function householdCheck(b: Body, node: OrgNode, path = 'body.household'): RecordIssue | null {
  const household = str(b, 'household')
  if (household === undefined) return null
  if (node.kind !== 'building' || !node.layout || !householdInLayout(household, node.layout)) return { code: 'unknown_household', path }
  return null
}

/** Times a person entered must not lie in the future (beyond the tolerated clock drift). */
function timesCheck(b: Body, now: number, keys: readonly string[]): RecordIssue | null {
  for (const key of keys) {
    const t = str(b, key)
    if (t !== undefined && isTooFarInFuture(t, now)) return { code: 'future_time', path: `body.${key}` }
  }
  return null
}

/** Record types a correction or void may target (mirrors AMENDABLE_TYPES in shared). */
const AMENDABLE = ['visit', 'reading.session'] as const
const FEEDBACK_PLACES: readonly NodeKind[] = ['building', 'group', 'community', 'reading_point']

export const DEFAULT_RULE: TypeRule = {
  nodeKinds: ['building', 'group', 'community', 'reading_point'],
  check: (b, { node }) => householdCheck(b, node),
}

export const TYPE_RULES: Readonly<Record<string, TypeRule>> = {
  visit: {
    nodeKinds: ['building'],
    check: (b, { node, now }) => householdCheck(b, node) ?? timesCheck(b, now, ['visitedAt']),
  },
  correction: {
    nodeKinds: ['building', 'reading_point'],
    target: (b) => ({ id: str(b, 'target') ?? '', types: [str(b, 'targetType') ?? ''], path: 'body.target' }),
  },
  void: {
    nodeKinds: ['building', 'reading_point'],
    target: (b) => ({ id: str(b, 'target') ?? '', types: AMENDABLE, path: 'body.target' }),
  },
  feedback: {
    nodeKinds: FEEDBACK_PLACES,
    check: (b, { node, now }) => householdCheck(b, node) ?? timesCheck(b, now, ['raisedAt']),
  },
  'feedback.event': {
    nodeKinds: FEEDBACK_PLACES,
    // an event belongs to a feedback and sits where the feedback sits
    target: (b) => ({ id: str(b, 'feedback') ?? '', types: ['feedback'], path: 'body.feedback' }),
  },
  'reading.session': {
    nodeKinds: ['reading_point'],
    check: (b, { now, org }) => {
      const t = timesCheck(b, now, ['startedAt', 'endedAt'])
      if (t) return t
      const households = Array.isArray(b.households) ? (b.households as Body[]) : []
      for (const [i, h] of households.entries()) {
        const building = org(str(h, 'building') ?? '')
        if (!building || householdCheck(h, building)) return { code: 'unknown_household', path: `body.households.${i}` }
      }
      return null
    },
  },
  'care.flag': { nodeKinds: ['building'], check: (b, { node }) => householdCheck(b, node) },
  'household.profile': { nodeKinds: ['building'], check: (b, { node }) => householdCheck(b, node) },
}

// ---------------------------------------------------------------- hashing

/** The idempotency fingerprint: sha256 of the canonical envelope as the device made it. */
export function contentHash(r: LocalRecord): string {
  const envelope = { id: r.id, type: r.type, v: r.v, orgPath: r.orgPath, authorId: r.authorId, deviceId: r.deviceId, clientTime: r.clientTime, body: r.body }
  return createHash('sha256').update(canonicalJson(envelope), 'utf8').digest('hex')
}

function rawId(raw: unknown): string {
  if (typeof raw === 'object' && raw !== null && 'id' in raw && typeof raw.id === 'string') return raw.id.slice(0, 64)
  return ''
}

function rawJson(raw: unknown): string {
  try {
    return JSON.stringify(raw) ?? 'null'
  } catch {
    return String(raw)
  }
}

// ---------------------------------------------------------------- the handler

export interface PushContext {
  storage: Storage
  user: SessionUser
  /** where the user may write: their scopes plus joined reading points (scope.ts) */
  scopes: readonly string[]
  /** server clock, epoch ms */
  now: number
  lang: Lang
}

type Checked = { ok: true; record: LocalRecord; hash: string; target?: TargetRequirement } | { ok: false; issue: RecordIssue }

/** Steps 1–5 for one record: everything that can be decided without writing. */
function checkOne(raw: unknown, ctx: PushContext): Checked | { ok: 'replay'; hash: string; record: LocalRecord } {
  // 1. Shape: the strict envelope and the body schema of its type. Unknown envelope
  //    fields — including client-sent `seq` and `serverTime` — are rejected here,
  //    so server-assigned fields can never come from the device.
  const shape = checkRecordShape(raw)
  if (!shape.ok) return { ok: false, issue: shape.issue }
  const record = shape.record
  if (record.v > BODY_VERSION[record.type]) return { ok: false, issue: { code: 'bad_value', path: 'v' } }

  // 2. Author: a device writes only as the account it is logged in with.
  if (record.authorId !== ctx.user.id) return { ok: false, issue: { code: 'wrong_author', path: 'authorId' } }

  // 3. An exact replay of a stored record is a duplicate whatever changed since
  //    (scope, layout, clock): records are immutable and never deleted, so this
  //    read needs no lock. Anything else is decided inside the transaction.
  const hash = contentHash(record)
  if (ctx.storage.records.existing([record.id]).get(record.id)?.hash === hash) return { ok: 'replay', hash, record }

  // 4. Scope: under one of the caller's scopes, on an existing node of a kind that fits the type.
  const rule = TYPE_RULES[record.type] ?? DEFAULT_RULE
  const node = isUnderAny(record.orgPath, ctx.scopes) ? ctx.storage.org.get(record.orgPath) : null
  if (!node || !rule.nodeKinds.includes(node.kind)) return { ok: false, issue: { code: 'out_of_scope', path: 'orgPath' } }

  // 5. Context checks: the device clock, then the type's own rule and the target it needs.
  if (isTooFarInFuture(record.clientTime, ctx.now)) return { ok: false, issue: { code: 'future_time', path: 'clientTime' } }
  const body = record.body as Body
  const issue = rule.check?.(body, { node, now: ctx.now, org: (p) => ctx.storage.org.get(p) }) ?? null
  if (issue) return { ok: false, issue }
  const target = rule.target?.(body)
  return { ok: true, record, hash, ...(target ? { target: { ...target, orgPath: record.orgPath } } : {}) }
}

/**
 * Answers one result per input record, in input order. The caller has already
 * checked that `input` is an array within PUSH_MAX_RECORDS.
 */
export function pushRecords(input: readonly unknown[], ctx: PushContext): PushResult[] {
  const reason = (code: MessageCode) => message(code, ctx.lang)
  const results: (PushResult | null)[] = new Array<PushResult | null>(input.length).fill(null)
  const items: BatchItem[] = []
  const itemIndex: number[] = []

  // Steps 1–5 for every record.
  input.forEach((raw, i) => {
    const c = checkOne(raw, ctx)
    if (c.ok === 'replay') {
      // Resolved in step 6 with the stored seq (an exact replay is never a conflict).
      items.push({ kind: 'append', record: c.record, hash: c.hash, raw: '' })
    } else if (c.ok) {
      items.push({ kind: 'append', record: c.record, hash: c.hash, raw: rawJson(raw), ...(c.target ? { target: c.target } : {}) })
    } else {
      items.push({ kind: 'reject', recordId: rawId(raw) || null, code: c.issue.code, path: c.issue.path, raw: rawJson(raw) })
    }
    itemIndex.push(i)
  })

  // 6. One transaction for the whole batch: for each record in order, an id already
  //    stored answers duplicate (same hash) or conflict (other hash, quarantined); a
  //    missing target answers unknown_target (quarantined); otherwise it is appended
  //    with the next seq. Rejections from steps 1–5 are quarantined in the same
  //    transaction. A crash before COMMIT leaves nothing of the batch.
  const serverTime = new Date(ctx.now).toISOString()
  const outcomes: BatchOutcome[] = items.length ? ctx.storage.records.appendBatch(items, { userId: ctx.user.id, serverTime, reason }) : []

  // 7. Answer in input order.
  outcomes.forEach((o, k) => {
    const i = itemIndex[k]!
    const id = rawId(input[i])
    switch (o.status) {
      case 'accepted':
      case 'duplicate':
        results[i] = { id, status: o.status, seq: o.seq, serverTime: o.serverTime }
        break
      case 'conflict':
        results[i] = { id, status: 'conflict', code: 'conflict', reason: reason('conflict') }
        break
      case 'rejected':
        results[i] = { id, status: 'rejected', code: o.code, reason: reason(o.code), path: o.path }
        break
    }
  })
  return results.map((r) => r!)
}
