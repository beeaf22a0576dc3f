/**
 * The push handler: checks each pushed record and stores the batch in one
 * transaction. Every step is idempotent: pushing the same batch again gives the
 * same answers (accepted becomes duplicate, with the same seq).
 */
import { hash } from 'node:crypto'
import type { BatchItem, BatchOutcome, ExistingRecord, Storage } from '../storage'
import { NotLoaded, Preloaded } from '../lookup'
import { volunteerReaderFor } from '../volunteers'
import { canonicalJson } from '../../shared/canonical'
import { message, type Lang, type MessageCode } from '../../shared/messages'
import type { PushResult } from '../../shared/protocol'
import type { OrgNode } from '../../shared/org'
import type { LocalRecord, RecordIssue } from '../../shared/records'
import { ROLE_LEVEL, type SessionUser } from '../../shared/roles'
import { checkEnvelope, checkInContext, type Actor, type ContextVerdict, type Reference } from '../../shared/rules'

// ---------------------------------------------------------------- hashing

/** The idempotency fingerprint: sha256 of the canonical envelope as the device made it. */
export function contentHash(r: LocalRecord): string {
  const envelope = { id: r.id, type: r.type, v: r.v, orgPath: r.orgPath, authorId: r.authorId, deviceId: r.deviceId, clientTime: r.clientTime, body: r.body }
  // the one-shot hash: a createHash object a record cost twice as much
  return hash('sha256', canonicalJson(envelope), 'hex')
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

type Checked = { ok: true; record: LocalRecord; hash: string; reference?: Reference } | { ok: false; issue: RecordIssue }
type OneChecked = Checked | { ok: 'replay'; hash: string; record: LocalRecord }

/** The org nodes one push has read (the rules look them up synchronously; see ../lookup.ts). */
type OrgNodes = Preloaded<OrgNode | undefined>

/**
 * Everything about one record that can be decided without writing: the shared
 * rule table's steps 1–5 (src/shared/rules.ts), with an exact replay answered
 * early. Step 6, the reference, is checked inside the batch transaction.
 */
function checkOne(raw: unknown, ctx: PushContext, actor: Actor, stored: Map<string, ExistingRecord>, org: OrgNodes): OneChecked | Promise<OneChecked> {
  // Steps 1–2: the strict envelope (client-sent `seq` and `serverTime` are refused
  // here, so server-assigned fields never come from the device), body, version, author.
  const envelope = checkEnvelope(raw, ctx.user.id)
  if (!envelope.ok) return { ok: false, issue: envelope.issue }
  const record = envelope.record

  // An exact replay of a stored record is a duplicate whatever changed since
  // (scope, layout, clock): records are immutable and never deleted, so this
  // read needs no lock. Anything else is decided inside the transaction.
  const hash = contentHash(record)
  if (stored.get(record.id)?.hash === hash) return { ok: 'replay', hash, record }

  // Steps 3–5: place, clock, the type's own check; and the reference step 6 needs. Answered
  // without a Promise when the org nodes it asks for were read already (every record of a
  // batch but the first at each place): a turn of the microtask queue per record was a
  // measurable share of a push.
  const check = () => checkInContext(record, { actor, now: ctx.now, lookup: org.get })
  const settled = (verdict: ContextVerdict): Checked => (verdict.ok ? { ok: true, record, hash, ...(verdict.reference ? { reference: verdict.reference } : {}) } : verdict)
  try {
    return settled(check())
  } catch (err) {
    if (!(err instanceof NotLoaded)) throw err
    return org.settle(check).then(settled)
  }
}

/**
 * Records checked in one turn of the event loop. The checks are CPU work with no I/O,
 * so a batch of 500 would hold the loop for its whole length; between slices the loop
 * reads what the database answered, and a group of batches holding the append lock
 * (PostgreSQL: ../groupCommit.ts) moves on instead of waiting behind every request's
 * checks, which would keep every other process's batches waiting for the lock too.
 */
const CHECK_SLICE = 20

/** Resolves after the event loop has handled the I/O that is ready. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/**
 * Answers one result per input record, in input order. The caller has already
 * checked that `input` is an array within PUSH_MAX_RECORDS.
 */
export async function pushRecords(input: readonly unknown[], ctx: PushContext): Promise<PushResult[]> {
  const reason = (code: MessageCode, max?: number) => message(code, ctx.lang, { max })
  const reader = await volunteerReaderFor(ctx.storage, ctx.user)
  const actor: Actor = {
    id: ctx.user.id,
    level: ROLE_LEVEL[ctx.user.role],
    scopes: ctx.scopes,
    ...(reader ? { volunteer: true, volunteerIds: [...reader.volunteerIds] } : {}),
  }
  const org: OrgNodes = new Preloaded(async (path) => (await ctx.storage.org.get(path)) ?? undefined)
  // the ids already stored, read once for the batch (for exact replays)
  const stored = await ctx.storage.records.existing(input.map(rawId).filter((id) => id !== ''))

  // Steps 1–5 for every record: one batch item per input record, in input order.
  const items: BatchItem[] = []
  for (const [i, raw] of input.entries()) {
    if (i > 0 && i % CHECK_SLICE === 0) await nextTurn()
    const one = checkOne(raw, ctx, actor, stored, org)
    const c = one instanceof Promise ? await one : one
    // an exact replay is resolved in step 6 with the stored seq (it is never a conflict)
    if (c.ok === 'replay') items.push({ kind: 'append', record: c.record, hash: c.hash, raw: '' })
    // the raw text is kept only if the record ends up quarantined (a conflict, a refused reference): made when read
    else if (c.ok) items.push({ kind: 'append', record: c.record, hash: c.hash, get raw() { return rawJson(raw) }, ...(c.reference ? { reference: c.reference } : {}) })
    else items.push({ kind: 'reject', recordId: rawId(raw) || null, code: c.issue.code, path: c.issue.path, raw: rawJson(raw), ...(c.issue.max ? { max: c.issue.max } : {}) })
  }

  // 6. One transaction for the whole batch: for each record in order, an id already
  //    stored answers duplicate (same hash) or conflict (other hash, quarantined); an
  //    id reserved by another author's reference is refused (id_claimed); the record
  //    it refers to is checked against the log as it stands, this batch's earlier
  //    records included (unknown_target, not_your_record, cannot_reopen…,
  //    quarantined); otherwise the record is appended with the next seq. Rejections
  //    from steps 1–5 are quarantined in the same transaction. A crash before COMMIT
  //    leaves nothing of the batch.
  const serverTime = new Date(ctx.now).toISOString()
  //    A reference check that asks for an org node not read yet rolls the batch back
  //    (NotLoaded) and runs again once it is read.
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
        return { id, status: 'rejected', code: o.code, reason: reason(o.code, o.max), path: o.path }
    }
  })
}
