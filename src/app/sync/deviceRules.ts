/**
 * The shared rule table (src/shared/rules.ts) run on the device before a save,
 * with what the device holds: the signed-in person, the org tree it was sent,
 * the names and roles of people around it, and its own copy of the log. The
 * server runs the same table in push, so a record this accepts is one the
 * server accepts too (the parity test holds them to it). DOM-free.
 */
import {
  ROLE_LEVEL,
  checkInContext,
  checkReference,
  effectiveScopes,
  foldVolunteers,
  volunteerIdsOf,
  parentPath,
  type Actor,
  type AnyRecord,
  type LocalRecord,
  type OrgNode,
  type RecordIssue,
  type Reference,
} from '@shared/index'
import type { LoudongDB } from '@app/db/database'
import type { Session } from '@app/db/schema'

/** The person the device speaks for, with the scopes every check uses; null when signed out. */
export async function deviceActor(db: LoudongDB, nodes: readonly OrgNode[]): Promise<Actor | null> {
  return actorOf(db, nodes, await db.getMeta('session'))
}

/** deviceActor with the saved login already read. */
async function actorOf(db: LoudongDB, nodes: readonly OrgNode[], session: Session | undefined): Promise<Actor | null> {
  if (!session) return null
  const pointsAt = (parent: string) => nodes.filter((n) => n.kind === 'reading_point' && parentPath(n.path) === parent)
  const actor: Actor = { id: session.user.id, level: ROLE_LEVEL[session.user.role], scopes: effectiveScopes(session.user.scopes, pointsAt) }
  if (session.user.role !== 'volunteer') return actor
  // a volunteer's pull brings its own registration: the one that names its phone
  const registrations = await db.records.where('type').equals('volunteer').toArray()
  return { ...actor, volunteer: true, volunteerIds: volunteerIdsOf(foldVolunteers(registrations), session.user.phone) }
}

/** Records that refer to `target` (its amendments or events), which live at its place: read by the orgPath index. */
async function relatedTo(db: LoudongDB, target: AnyRecord): Promise<AnyRecord[]> {
  const here = await db.records.where('orgPath').equals(target.orgPath).toArray()
  return here.filter((r) => {
    const b = r.body as { target?: unknown; feedback?: unknown; wish?: unknown }
    return r.id !== target.id && (b.target === target.id || b.feedback === target.id || b.wish === target.id)
  })
}

async function checkReferenceHere(db: LoudongDB, reference: Reference, actor: Actor): Promise<RecordIssue | null> {
  const target = (await db.records.get(reference.id)) ?? null
  let authorLevel = target && target.authorId === actor.id ? actor.level : undefined
  if (target && !authorLevel) {
    const person = (await db.getMeta('people'))?.find((p) => p.id === target.authorId)
    if (person) authorLevel = ROLE_LEVEL[person.role]
  }
  const related = target ? await relatedTo(db, target) : []
  // the device cannot know the server's id reservations; the server refuses what this lets by
  return checkReference(reference, { record: target, ...(authorLevel ? { authorLevel } : {}), related: () => related }, actor.id)
}

/**
 * Steps 3–6 of the rule table for a record about to be saved (its shape and
 * author were checked when it was built): place, clock, the type's own check and
 * the record it refers to. `now` is the device's trusted time (clock.ts), epoch
 * ms. Resolves to the first issue, or null when the record may be saved.
 */
export async function checkBeforeSave(db: LoudongDB, record: LocalRecord, now: number): Promise<RecordIssue | null> {
  // read side by side: a save waits for these before it writes
  const [nodes, session] = await Promise.all([db.org.toArray(), db.getMeta('session')])
  const byPath = new Map(nodes.map((n) => [n.path, n]))
  const actor = await actorOf(db, nodes, session)
  if (!actor) return { code: 'unauthorized', path: '' }
  const verdict = checkInContext(record, { actor, now, lookup: (p) => byPath.get(p) })
  if (!verdict.ok) return verdict.issue
  return verdict.reference ? checkReferenceHere(db, verdict.reference, actor) : null
}
