/**
 * The rule table: what makes a record acceptable, run by the device before it
 * saves and by the server in push, so both give the same verdict for the same
 * record, person and log. Per record type it says where the record may be
 * placed, what it may refer to, who may write it and which times it carries.
 *
 * The steps, in order (the first failing one decides):
 * 1. shape: the strict envelope and the body schema of its type (records.ts);
 *    a body version newer than this build knows is refused;
 * 2. author: a record is written only as the person logged in;
 * 3. place: under one of the person's effective scopes, on an existing org node
 *    of a kind the type allows;
 * 4. clock: the device clock (clientTime) at most a day ahead of the checker's;
 *    every time a person enters no earlier than 2020 (schema) and not in the future;
 * 5. the type's own context check (room in the building's layout, a household
 *    only on building feedback, reading households in the point's catchment…);
 * 6. the record it refers to, read from the log as it stands (inside the server's
 *    batch transaction, or from the device's database): it exists (or, for a
 *    feedback's source, may still be coming: the id is then reserved for this
 *    author), the person may read it, and the person may act on it — an
 *    amendment comes from the record's author or from someone whose level is
 *    above the author's and whose scope covers it; a reopening from the person
 *    who raised the item or from the level that resolved it or above.
 */
import { checkAmendment } from './fold'
import { checkFeedback, checkFeedbackEvent, foldFeedback, levelIndex } from './feedback'
import { isUnderAny, normalizeScopes, parentPath, type Level, type NodeKind, type OrgNode } from './org'
import { checkReadingSession, checkSessionCorrection, foldReadingSessions, type NodeLookup } from './reading'
import { checkHouseholdRecord } from './rounds'
import type { Role } from './roles'
import { sameCommunity, trustedAt } from './volunteers'
import { checkWishEvent, foldWishes } from './wishes'
import {
  BODY_VERSION,
  SENSITIVE_CARE_KINDS,
  checkRecordShape,
  isTooFarInFuture,
  type AnyRecord,
  type CheckResult,
  type LocalRecord,
  type RecordIssue,
  type RecordType,
} from './records'

// ---------------------------------------------------------------- who is acting

/** The person a record is checked for. */
export interface Actor {
  id: string
  /** the level they work at, from their role (ROLE_LEVEL) */
  level: Level
  /** where they may read and write: their scopes plus joined reading points (effectiveScopes) */
  scopes: readonly string[]
  /** a volunteer account: writes only VOLUNTEER_WRITABLE types */
  volunteer?: boolean
  /** for a volunteer account, the registered volunteers it acts as (volunteerIdsOf) */
  volunteerIds?: readonly string[]
}

/** What a volunteer account may write: its services (and their mending) and steps on wishes. */
export const VOLUNTEER_WRITABLE: readonly RecordType[] = ['volunteer.service', 'wish.event', 'correction', 'void']

/** Volunteers, teams and pairings are registered by group leaders and those above them, never by volunteers. */
function leadersOnly(actor: Actor): RecordIssue | null {
  return !actor.volunteer && levelIndex(actor.level) <= levelIndex('group') ? null : { code: 'leaders_only', path: 'type' }
}

/** A later record of a chain (team, volunteer, pairing) names the first in `of`: same type, same place. */
function chainReference(record: LocalRecord, of: string): Reference {
  return {
    id: of,
    check: ({ record: target }) => (target && target.type === record.type && target.orgPath === record.orgPath ? null : { code: 'unknown_target', path: 'body.of' }),
  }
}

/**
 * The volunteer a pairing or service names: registered (the chain's first
 * record) in the record's community, where the author can read it (a group
 * leader pairs the volunteers registered in their group; community staff any of
 * the community's), so the device and the server judge it alike.
 */
function volunteerReference(record: LocalRecord, volunteer: string, c: RuleContext): Reference {
  return {
    id: volunteer,
    check: ({ record: target }) =>
      target && target.type === 'volunteer' && !(target.body as { of?: string }).of && sameCommunity(record.orgPath, target.orgPath) && isUnderAny(target.orgPath, c.actor.scopes)
        ? null
        : { code: 'unknown_volunteer', path: 'body.volunteer' },
  }
}

/** The wish a step or an address is about: a wish at the same building. */
function wishReference(record: LocalRecord<'wish.event'> | LocalRecord<'wish.address'>, c: RuleContext): Reference {
  return {
    id: record.body.wish,
    check: ({ record: target, related }) => {
      if (!target || target.type !== 'wish' || target.orgPath !== record.orgPath) return { code: 'unknown_target', path: 'body.wish' }
      if (record.type === 'wish.address') return null
      // the wish as it stood when the step was taken (a fulfil saved offline before the claim lapsed still counts)
      const at = trustedAt(record.body.at, { serverTime: new Date(c.now).toISOString() })
      const view = foldWishes([target, ...related()], at).get(target.id)
      const actor = { id: c.actor.id, volunteer: !!c.actor.volunteer, volunteerIds: c.actor.volunteerIds ?? [] }
      return checkWishEvent(record.body, view, actor, at)
    },
  }
}

/** A service's households live in its building; a service elsewhere names none. A volunteer records only as themselves. */
function checkService(r: LocalRecord<'volunteer.service'>, c: RuleContext): RecordIssue | null {
  if (c.actor.volunteer && !(c.actor.volunteerIds ?? []).includes(r.body.volunteer)) return { code: 'not_your_volunteer', path: 'body.volunteer' }
  if (r.body.households.length === 0) return null
  if (c.node.kind !== 'building') return { code: 'out_of_scope', path: 'orgPath' }
  for (const household of r.body.households) {
    const issue = checkHouseholdRecord({ orgPath: r.orgPath, body: { household } }, c.node)
    if (issue) return { ...issue, path: 'body.households' }
  }
  return null
}

/**
 * The reading points a person with `scopes` joins without holding them: those
 * placed directly at the group or community (or higher) each scope sits in. The
 * seed has building and group leaders read the paper at their group's or
 * community's point, which lies under no building. `pointsAt(parent)` lists the
 * reading points placed directly under `parent`.
 */
export function joinedReadingPoints(scopes: readonly string[], pointsAt: (parent: string) => readonly OrgNode[]): OrgNode[] {
  const found = new Map<string, OrgNode>()
  for (const scope of normalizeScopes(scopes)) {
    for (let p = parentPath(scope); p !== null; p = parentPath(p)) {
      for (const rp of pointsAt(p)) if (!isUnderAny(rp.path, scopes)) found.set(rp.path, rp)
    }
  }
  return [...found.values()]
}

/**
 * Where a person may read and write: their own scopes plus their joined reading
 * points, without repeats. Every check and every list of the device and the
 * server uses this one set.
 */
export function effectiveScopes(scopes: readonly string[], pointsAt: (parent: string) => readonly OrgNode[]): string[] {
  return normalizeScopes([...scopes, ...joinedReadingPoints(scopes, pointsAt).map((n) => n.path)])
}

// ---------------------------------------------------------------- references

/** The record another one refers to, as the checker's log holds it. */
export interface TargetView {
  record: AnyRecord | null
  /** the level its author works at (from their role), when known */
  authorLevel?: Level
  /** records referring to the same target, in log order (its corrections, voids or events) */
  related: () => AnyRecord[]
}

/** A reference to another record, checked against the log as it stands. */
export interface Reference {
  id: string
  /**
   * The record may refer to one not stored yet (feedback raised during a running
   * reading session names the session's id before the session is saved): the
   * server then reserves the id for this author, so nobody else can take it.
   */
  mayPrecede?: boolean
  check: (target: TargetView) => RecordIssue | null
}

// ---------------------------------------------------------------- the table

/** What a type's rule sees besides the record. */
export interface RuleContext {
  /** the org node the record is placed on (it exists and is in the actor's scope) */
  node: OrgNode
  /** the checker's clock, epoch ms */
  now: number
  lookup: NodeLookup
  actor: Actor
}

export interface TypeRule<T extends RecordType = RecordType> {
  /** kinds of org node a record of this type may be placed on */
  nodeKinds: readonly NodeKind[]
  /** body fields holding times a person entered: never in the future */
  times: readonly string[]
  check?: (record: LocalRecord<T>, c: RuleContext) => RecordIssue | null
  reference?: (record: LocalRecord<T>, c: RuleContext) => Reference | undefined
}

const FEEDBACK_PLACES: readonly NodeKind[] = ['building', 'group', 'community', 'reading_point']

/**
 * May `actor` correct or void a record written by `authorId` (working at
 * `authorLevel`) at `orgPath`? Its author may; so may someone whose level is
 * above the author's and whose scope covers the record (a group leader mends a
 * building leader's visit; a building leader never mends the group leader's). An
 * author whose level is unknown counts as working at the lowest level.
 */
export function mayAmend(actor: Actor, target: { authorId: string; orgPath: string }, authorLevel: Level | undefined): boolean {
  if (actor.id === target.authorId) return true
  return levelIndex(actor.level) < levelIndex(authorLevel ?? 'building') && isUnderAny(target.orgPath, actor.scopes)
}

/** Corrections and voids: the target exists, may be amended, sits at the same place, and the actor may amend it. */
function amendmentReference(record: LocalRecord<'correction'> | LocalRecord<'void'>, c: RuleContext): Reference {
  return {
    id: record.body.target,
    check: ({ record: target, authorLevel, related }) => {
      const issue = checkAmendment(record, target ?? undefined)
      if (issue || !target) return issue
      if (!mayAmend(c.actor, target, authorLevel)) return { code: 'not_your_record', path: 'body.target' }
      if (record.type === 'correction' && record.body.targetType === 'reading.session') {
        // against the session as it is now: the stored record folded with its amendments so far
        const view = foldReadingSessions([target, ...related()]).get(target.id)
        return view ? checkSessionCorrection(record.body.fields, view, c.lookup) : null
      }
      return null
    },
  }
}

/**
 * A feedback's source: a visit or reading session the author can read. It may
 * not be stored yet (a running reading session's id); once it is, its type must
 * be the one named.
 */
function sourceReference(record: LocalRecord<'feedback'>, c: RuleContext): Reference | undefined {
  const source = record.body.source
  if (!source) return undefined
  return {
    id: source.id,
    mayPrecede: true,
    check: ({ record: target }) => {
      if (!target) return null
      if (target.type !== source.type || !isUnderAny(target.orgPath, c.actor.scopes)) return { code: 'unknown_source', path: 'body.source.id' }
      return null
    },
  }
}

export const TYPE_RULES: { [T in RecordType]: TypeRule<T> } = {
  visit: {
    nodeKinds: ['building'],
    times: ['visitedAt'],
    check: (r, { node }) => checkHouseholdRecord(r, node),
  },
  correction: {
    nodeKinds: ['building', 'reading_point', 'group', 'community'],
    times: ['fields.visitedAt', 'fields.endedAt', 'fields.servedAt'],
    reference: amendmentReference,
  },
  void: {
    nodeKinds: ['building', 'reading_point', 'group', 'community'],
    times: [],
    reference: amendmentReference,
  },
  feedback: {
    nodeKinds: FEEDBACK_PLACES,
    times: ['raisedAt'],
    check: (r, { node }) => checkFeedback(r) ?? checkHouseholdRecord(r, node),
    reference: sourceReference,
  },
  'feedback.event': {
    nodeKinds: FEEDBACK_PLACES,
    // 回访's time; the other actions carry none
    times: ['reportedAt'],
    reference: (r, { actor }) => ({
      id: r.body.feedback,
      // the feedback as it stands now: its record folded with the events so far
      check: ({ record: fb, related }) => checkFeedbackEvent(r, fb ? foldFeedback([fb, ...related()]).get(fb.id) : undefined, actor),
    }),
  },
  'reading.session': {
    nodeKinds: ['reading_point'],
    times: ['startedAt', 'endedAt'],
    check: (r, { lookup }) => checkReadingSession(r, lookup),
  },
  'care.flag': { nodeKinds: ['building'], times: ['consent.at'], check: (r, { node }) => checkHouseholdRecord(r, node) ?? checkCareConsent(r.body) },
  'household.profile': { nodeKinds: ['building'], times: [], check: (r, { node }) => checkHouseholdRecord(r, node) },
  // ranking weights: set on a street by those who work at street level
  'ledger.weights': { nodeKinds: ['street'], times: [], check: (_r, { actor }) => (actor.level === 'street' ? null : { code: 'wrong_level', path: 'orgPath' }) },
  // erasing a household's personal data: community staff (or above) whose scope covers the building
  'household.erasure': {
    nodeKinds: ['building'],
    times: [],
    check: (r, { node, actor }) => checkHouseholdRecord(r, node) ?? (levelIndex(actor.level) <= levelIndex('community') ? null : { code: 'not_staff', path: 'type' }),
  },
  // volunteers (issue 18): registered by group leaders and above, in a community or group
  'volunteer.team': {
    nodeKinds: ['community', 'group'],
    times: [],
    check: (_r, { actor }) => leadersOnly(actor),
    reference: (r) => (r.body.of ? chainReference(r, r.body.of) : undefined),
  },
  volunteer: {
    nodeKinds: ['community', 'group'],
    times: [],
    check: (_r, { actor }) => leadersOnly(actor),
    reference: (r) => (r.body.of ? chainReference(r, r.body.of) : undefined),
  },
  'volunteer.pairing': {
    nodeKinds: ['building'],
    times: ['startsAt'],
    check: (r, { actor, node }) => leadersOnly(actor) ?? checkHouseholdRecord(r, node),
    reference: (r, c) => (r.body.of ? chainReference(r, r.body.of) : volunteerReference(r, r.body.volunteer, c)),
  },
  'volunteer.service': {
    nodeKinds: ['building', 'group', 'community'],
    times: ['servedAt'],
    check: checkService,
    reference: (r, c) => volunteerReference(r, r.body.volunteer, c),
  },
  // 微心愿: posted by any leader on a building; its address beside it; its steps checked against the wish as it stands
  wish: { nodeKinds: ['building'], times: ['postedAt'] },
  'wish.address': { nodeKinds: ['building'], times: [], check: (r, { node }) => checkHouseholdRecord(r, node), reference: wishReference },
  'wish.event': { nodeKinds: ['building'], times: ['at'], reference: wishReference },
}

// ---------------------------------------------------------------- personal information (PIPL)

/**
 * Consent to a sensitive care category (PIPL Art. 29): a flag that puts a household on
 * the care list as disabled or low income names how the resident agreed (口头/书面),
 * who agreed and when. A withdrawal (`consentWithdrawn`) removes the category, so its
 * kind is never a sensitive one.
 */
export function checkCareConsent(body: { kind: string; active: boolean; consent?: unknown; consentWithdrawn?: true }): RecordIssue | null {
  const sensitive = (SENSITIVE_CARE_KINDS as readonly string[]).includes(body.kind)
  if (body.consentWithdrawn) return sensitive ? { code: 'bad_value', path: 'body.kind' } : null
  if (sensitive && body.active && !body.consent) return { code: 'consent_required', path: 'body.consent' }
  return null
}

/** Record types that hold a household's personal details: the profile (name, phone), care flags, and a wish's address and contact. */
export const PERSONAL_TYPES: readonly RecordType[] = ['household.profile', 'care.flag', 'wish.address']

/**
 * May a person of `role` hold records of `type`? Household profiles and care details
 * are read only by those who work with the household: its building leader, group
 * leader and community staff. Street and district staff (and the admin account) see
 * counts (the ledger), never the records: the server leaves them out of their pull and
 * a device purges them when its role no longer reads them.
 */
export function mayReadType(role: Role, type: RecordType): boolean {
  if (!PERSONAL_TYPES.includes(type)) return true
  return role === 'building_leader' || role === 'group_leader' || role === 'community_staff'
}

/** The rule of a record's type, typed for any record. */
function ruleOf(type: RecordType): TypeRule {
  // the table is keyed by type, so the entry fits the record it is looked up for
  return TYPE_RULES[type] as unknown as TypeRule
}

function valueAt(body: unknown, dotted: string): unknown {
  let v: unknown = body
  for (const k of dotted.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined
  return v
}

// ---------------------------------------------------------------- the checks

/** Steps 1–2: shape, body version and author, which need nothing but the record and who sends it. */
export function checkEnvelope(input: unknown, actorId: string): CheckResult<LocalRecord> {
  const shape = checkRecordShape(input)
  if (!shape.ok) return shape
  const record = shape.record
  if (record.v > BODY_VERSION[record.type]) return { ok: false, issue: { code: 'bad_value', path: 'v' } }
  if (record.authorId !== actorId) return { ok: false, issue: { code: 'wrong_author', path: 'authorId' } }
  return shape
}

export type ContextVerdict = { ok: true; reference?: Reference } | { ok: false; issue: RecordIssue }

/**
 * Steps 3–5 for a record whose envelope passed, and the reference step 6 needs
 * (resolved by the caller against its log: the server inside its batch
 * transaction, the device from its database). `now` is the checker's clock in
 * epoch ms; `lookup` finds any org node by path.
 */
export function checkInContext(record: LocalRecord, env: { actor: Actor; now: number; lookup: NodeLookup }): ContextVerdict {
  const rule = ruleOf(record.type)
  if (env.actor.volunteer && !VOLUNTEER_WRITABLE.includes(record.type)) return { ok: false, issue: { code: 'not_for_volunteers', path: 'type' } }
  const node = isUnderAny(record.orgPath, env.actor.scopes) ? env.lookup(record.orgPath) : undefined
  if (!node || !rule.nodeKinds.includes(node.kind)) return { ok: false, issue: { code: 'out_of_scope', path: 'orgPath' } }
  if (isTooFarInFuture(record.clientTime, env.now)) return { ok: false, issue: { code: 'future_time', path: 'clientTime' } }
  for (const field of rule.times) {
    const t = valueAt(record.body, field)
    if (typeof t === 'string' && isTooFarInFuture(t, env.now)) return { ok: false, issue: { code: 'future_time', path: `body.${field}` } }
  }
  const rc: RuleContext = { node, now: env.now, lookup: env.lookup, actor: env.actor }
  const issue = rule.check?.(record, rc) ?? null
  if (issue) return { ok: false, issue }
  const reference = rule.reference?.(record, rc)
  return { ok: true, ...(reference ? { reference } : {}) }
}

/**
 * Step 6 against a resolved target: a missing target is refused unless the
 * reference may precede its record (then `claimedBy`, the author the id is
 * reserved for, must be nobody else).
 */
export function checkReference(reference: Reference, target: TargetView, actorId: string, claimedBy?: string | null): RecordIssue | null {
  if (!target.record && reference.mayPrecede) {
    return claimedBy && claimedBy !== actorId ? { code: 'unknown_source', path: 'body.source.id' } : null
  }
  if (!target.record) return reference.check(target) ?? { code: 'unknown_target', path: 'body.target' }
  return reference.check(target)
}

/**
 * May a person see a resident's phone number in full (it is masked everywhere
 * else)? The building's own leader and community staff whose scope covers it. The
 * server answers the reveal (and writes it to the audit trail); the device offers
 * the button only where this says yes.
 */
export function mayRevealPhone(person: { role: Role; scopes: readonly string[] }, building: string): boolean {
  if (person.role === 'building_leader') return person.scopes.includes(building)
  return person.role === 'community_staff' && isUnderAny(building, person.scopes)
}

/** Community staff answer a resident's request for what is held about them, and erase it (PIPL Art. 45, 47). */
export function isCommunityStaff(role: Role): boolean {
  return role === 'community_staff'
}

/** Who reads the audit trail of their scope: community staff and above. */
export function mayReadAudit(role: Role): boolean {
  return role === 'community_staff' || role === 'street_staff' || role === 'district_staff' || role === 'admin'
}
