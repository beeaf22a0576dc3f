/**
 * The push handler: checks each pushed record and stores the batch in one
 * transaction. Every step is idempotent: pushing the same batch again gives the
 * same answers (accepted becomes duplicate, with the same seq).
 */
import { createHash } from 'node:crypto'
import type { BatchItem, BatchOutcome, ExistingRecord, Storage, TargetRequirement } from '../storage'
import { canonicalJson } from '../../shared/canonical'
import { message, type Lang, type MessageCode } from '../../shared/messages'
import { isUnderAny, type Level, type NodeKind, type OrgNode } from '../../shared/org'
import { checkAmendment } from '../../shared/fold'
import { checkFeedback, checkFeedbackEvent, foldFeedback } from '../../shared/feedback'
import { checkReadingSession, checkSessionCorrection, foldReadingSessions, type NodeLookup } from '../../shared/reading'
import { checkHouseholdRecord } from '../../shared/rounds'
import type { PushResult } from '../../shared/protocol'
import { BODY_VERSION, checkRecordShape, isTooFarInFuture, type CorrectionBody, type LocalRecord, type RecordIssue, type RecordType } from '../../shared/records'
import { ROLE_LEVEL, type SessionUser } from '../../shared/roles'

// ---------------------------------------------------------------- per-type rules

export interface RuleContext {
  /** the org node the record is placed on (it exists and is in the caller's scope) */
  node: OrgNode
  /** server clock, epoch ms */
  now: number
  /** any org node by path */
  lookup: NodeLookup
  /** the level the author works at, from their role */
  actorLevel: Level
}

/**
 * What the server checks for one record type beyond its shape: where it may be
 * placed, context checks that need the org tree or the clock, and the earlier
 * record it refers to (checked inside the batch transaction). The checks are the
 * shared ones the device runs before saving, so both sides agree. Keyed by every
 * RecordType: a new type in src/shared/records.ts does not compile until it has
 * its entry here.
 */
export interface TypeRule<T extends RecordType = RecordType> {
  /** kinds of org node a record of this type may be placed on */
  nodeKinds: readonly NodeKind[]
  check?: (record: LocalRecord<T>, c: RuleContext) => RecordIssue | null
  target?: (record: LocalRecord<T>, c: RuleContext) => TargetRequirement
}

/** Times a person entered must not lie in the future (beyond the tolerated clock drift). */
function timesCheck(values: Readonly<Record<string, unknown>>, now: number, keys: readonly string[], base = 'body'): RecordIssue | null {
  for (const key of keys) {
    const t = values[key]
    if (typeof t === 'string' && isTooFarInFuture(t, now)) return { code: 'future_time', path: `${base}.${key}` }
  }
  return null
}

const FEEDBACK_PLACES: readonly NodeKind[] = ['building', 'group', 'community', 'reading_point']

/** Corrections and voids: the target exists, may be amended, sits at the same orgPath (checkAmendment). */
function amendmentTarget(record: LocalRecord<'correction'> | LocalRecord<'void'>, c: RuleContext): TargetRequirement {
  return {
    id: record.body.target,
    check: ({ record: target, related }) => {
      const issue = checkAmendment(record, target ?? undefined)
      if (issue || !target || record.type !== 'correction') return issue
      const body = record.body as CorrectionBody
      if (body.targetType === 'reading.session') {
        // against the session as it is now: the stored record folded with its amendments so far
        const view = foldReadingSessions([target, ...related()]).get(target.id)
        return view ? checkSessionCorrection(body.fields, view, c.lookup) : null
      }
      return null
    },
  }
}

export const TYPE_RULES: { [T in RecordType]: TypeRule<T> } = {
  visit: {
    nodeKinds: ['building'],
    check: (r, { node, now }) => checkHouseholdRecord(r, node) ?? timesCheck(r.body, now, ['visitedAt']),
  },
  correction: {
    nodeKinds: ['building', 'reading_point'],
    check: (r, { now }) => timesCheck(r.body.fields, now, ['visitedAt', 'endedAt'], 'body.fields'),
    target: amendmentTarget,
  },
  void: {
    nodeKinds: ['building', 'reading_point'],
    target: amendmentTarget,
  },
  feedback: {
    nodeKinds: FEEDBACK_PLACES,
    check: (r, { node, now }) => checkFeedback(r) ?? checkHouseholdRecord(r, node) ?? timesCheck(r.body, now, ['raisedAt']),
  },
  'feedback.event': {
    nodeKinds: FEEDBACK_PLACES,
    target: (r, { actorLevel }) => ({
      id: r.body.feedback,
      // checkFeedbackEvent needs only the feedback's place and origin level, which its own record gives
      check: ({ record: fb }) => checkFeedbackEvent(r, fb ? foldFeedback([fb]).get(fb.id) : undefined, actorLevel),
    }),
  },
  'reading.session': {
    nodeKinds: ['reading_point'],
    check: (r, { now, lookup }) => checkReadingSession(r, lookup) ?? timesCheck(r.body, now, ['startedAt', 'endedAt']),
  },
  'care.flag': { nodeKinds: ['building'], check: (r, { node }) => checkHouseholdRecord(r, node) },
  'household.profile': { nodeKinds: ['building'], check: (r, { node }) => checkHouseholdRecord(r, node) },
}

/** The rule of a record's type, typed for any record. */
function ruleOf(type: RecordType): TypeRule {
  return TYPE_RULES[type] as unknown as TypeRule
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

// ---------------------------------------------------------------- org nodes for the rules

/** Thrown by the rules' lookup for a node not loaded yet: load it, then check again. */
class NodesNeeded extends Error {
  constructor(readonly paths: string[]) {
    super(`org nodes needed: ${paths.join(', ')}`)
  }
}

/**
 * The org nodes one push has read. The rules are synchronous and storage is not, so
 * a rule asking for a node not read yet throws NodesNeeded; `settle` loads it and
 * runs the check again (checks are pure, so a rerun answers as if it had been there).
 */
class OrgNodes {
  private readonly known = new Map<string, OrgNode | undefined>()
  constructor(private readonly storage: Storage) {}

  readonly lookup: NodeLookup = (path) => {
    if (!this.known.has(path)) throw new NodesNeeded([path])
    return this.known.get(path)
  }

  async load(paths: readonly string[]): Promise<void> {
    for (const p of paths) if (!this.known.has(p)) this.known.set(p, (await this.storage.org.get(p)) ?? undefined)
  }

  /** Runs `fn` until it no longer needs a node that was not loaded. */
  async settle<T>(fn: () => T | Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await fn()
      } catch (err) {
        if (!(err instanceof NodesNeeded)) throw err
        await this.load(err.paths)
      }
    }
  }
}

/** Steps 1–5 for one record: everything that can be decided without writing. */
async function checkOne(raw: unknown, ctx: PushContext, stored: Map<string, ExistingRecord>, org: OrgNodes): Promise<Checked | { ok: 'replay'; hash: string; record: LocalRecord }> {
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
  if (stored.get(record.id)?.hash === hash) return { ok: 'replay', hash, record }

  // 4. Scope: under one of the caller's scopes, on an existing node of a kind that fits the type.
  const rule = ruleOf(record.type)
  const node = isUnderAny(record.orgPath, ctx.scopes) ? await org.settle(() => org.lookup(record.orgPath)) : null
  if (!node || !rule.nodeKinds.includes(node.kind)) return { ok: false, issue: { code: 'out_of_scope', path: 'orgPath' } }

  // 5. Context checks: the device clock, then the type's own rule and the target it needs.
  if (isTooFarInFuture(record.clientTime, ctx.now)) return { ok: false, issue: { code: 'future_time', path: 'clientTime' } }
  const rc: RuleContext = { node, now: ctx.now, lookup: org.lookup, actorLevel: ROLE_LEVEL[ctx.user.role] }
  const issue = await org.settle(() => rule.check?.(record, rc) ?? null)
  if (issue) return { ok: false, issue }
  const target = rule.target?.(record, rc)
  return { ok: true, record, hash, ...(target ? { target } : {}) }
}

/** One input record as a batch item: to append, or already rejected. */
async function itemOf(raw: unknown, ctx: PushContext, stored: Map<string, ExistingRecord>, org: OrgNodes): Promise<BatchItem> {
  const c = await checkOne(raw, ctx, stored, org)
  // an exact replay is resolved in step 6 with the stored seq (it is never a conflict)
  if (c.ok === 'replay') return { kind: 'append', record: c.record, hash: c.hash, raw: '' }
  if (c.ok) return { kind: 'append', record: c.record, hash: c.hash, raw: rawJson(raw), ...(c.target ? { target: c.target } : {}) }
  return { kind: 'reject', recordId: rawId(raw) || null, code: c.issue.code, path: c.issue.path, raw: rawJson(raw) }
}

/**
 * Answers one result per input record, in input order. The caller has already
 * checked that `input` is an array within PUSH_MAX_RECORDS.
 */
export async function pushRecords(input: readonly unknown[], ctx: PushContext): Promise<PushResult[]> {
  const reason = (code: MessageCode) => message(code, ctx.lang)
  const org = new OrgNodes(ctx.storage)
  // the ids already stored, read once for the batch (step 3)
  const stored = await ctx.storage.records.existing(input.map(rawId).filter((id) => id !== ''))

  // Steps 1–5 for every record: one batch item per input record, in input order.
  const items: BatchItem[] = []
  for (const raw of input) items.push(await itemOf(raw, ctx, stored, org))

  // 6. One transaction for the whole batch: for each record in order, an id already
  //    stored answers duplicate (same hash) or conflict (other hash, quarantined); a
  //    reference to an earlier record is checked against the log as it stands, this
  //    batch's earlier records included (unknown_target, not_amendable, wrong_level…,
  //    quarantined); otherwise the record is appended with the next seq. Rejections
  //    from steps 1–5 are quarantined in the same transaction. A crash before COMMIT
  //    leaves nothing of the batch.
  const serverTime = new Date(ctx.now).toISOString()
  //    A target check that needs an org node not read yet rolls the batch back (NodesNeeded)
  //    and runs again once it is loaded.
  const outcomes: BatchOutcome[] = items.length ? await org.settle(() => ctx.storage.records.appendBatch(items, { userId: ctx.user.id, serverTime, reason })) : []

  // 7. Answer in input order.
  return outcomes.map((o, i): PushResult => {
    const id = rawId(input[i])
    switch (o.status) {
      case 'accepted':
      case 'duplicate':
        return { id, status: o.status, seq: o.seq, serverTime: o.serverTime }
      case 'conflict':
        return { id, status: 'conflict', code: 'conflict', reason: reason('conflict') }
      case 'rejected':
        return { id, status: 'rejected', code: o.code, reason: reason(o.code), path: o.path }
    }
  })
}
