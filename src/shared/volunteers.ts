/**
 * Volunteers (志愿者), their teams, pairings (结对) with care households and their
 * services (志愿服务), folded from the log. The same code runs on the device and
 * the server. Teams, volunteers and pairings are kept as a chain: the first
 * record's id names the thing, later records naming it in `of` replace its
 * fields (the latest in log order wins). Services are immutable records mended
 * by corrections and voids, like visits.
 */
import { applyAmendments, inLogOrder, type Amendable, type VisitView } from './fold'
import { ancestorAt, isUnder, levelOfPath } from './org'
import { samePhone } from './phone'
import { TIME_FLOOR, type AnyRecord, type ServiceKind, type TeamKind } from './records'
import { householdRef } from './rounds'
import { boundedTime } from './time'

/** The trusted instant of a time a person entered (epoch ms): never before 2020, never after the server received it. */
export function trustedAt(iso: string, record: { serverTime?: string }): number {
  return boundedTime(iso, { notBefore: TIME_FLOOR, notAfter: record.serverTime })
}

/** The community a path lies in (itself when it is one), or null above communities. */
export function communityOf(path: string): string | null {
  return ancestorAt(path, 'community')
}

interface Chained {
  /** the first record's id: what others refer to */
  id: string
  orgPath: string
  /** the latest record of the chain */
  recordId: string
  createdBy: string
  updatedAt: string
}

export interface TeamView extends Chained {
  name: string
  kind: TeamKind
  leader?: string
  active: boolean
}

export interface VolunteerView extends Chained {
  name: string
  phone?: string
  team?: string
  skills: string
  availability: string
  active: boolean
}

export interface PairingView extends Chained {
  volunteer: string
  volunteerName: string
  building: string
  household: string
  startsAt: string
  intervalDays: number
  active: boolean
}

/**
 * Folds one chained type: a record without `of` starts a thing; one with `of`
 * naming a known thing at the same place replaces its fields. Unknown `of`s are
 * skipped (the rules refuse them; a pull page may bring them before their root).
 */
function foldChain<T extends Chained>(records: readonly AnyRecord[], type: AnyRecord['type'], make: (r: AnyRecord, base: Chained) => T | null): Map<string, T> {
  const out = new Map<string, T>()
  for (const r of inLogOrder(records)) {
    if (r.type !== type) continue
    const of = (r.body as { of?: string }).of
    const prev = of ? out.get(of) : undefined
    if (of && (!prev || prev.orgPath !== r.orgPath)) continue
    const base: Chained = { id: prev?.id ?? r.id, orgPath: r.orgPath, recordId: r.id, createdBy: prev?.createdBy ?? r.authorId, updatedAt: r.clientTime }
    const view = make(r, base)
    if (view) out.set(base.id, view)
  }
  return out
}

export function foldTeams(records: readonly AnyRecord[]): Map<string, TeamView> {
  return foldChain(records, 'volunteer.team', (r, base) => {
    if (r.type !== 'volunteer.team') return null
    const b = r.body
    return { ...base, name: b.name, kind: b.kind, ...(b.leader ? { leader: b.leader } : {}), active: b.active }
  })
}

export function foldVolunteers(records: readonly AnyRecord[]): Map<string, VolunteerView> {
  return foldChain(records, 'volunteer', (r, base) => {
    if (r.type !== 'volunteer') return null
    const b = r.body
    return { ...base, name: b.name, ...(b.phone ? { phone: b.phone } : {}), ...(b.team ? { team: b.team } : {}), skills: b.skills, availability: b.availability, active: b.active }
  })
}

export function foldPairings(records: readonly AnyRecord[]): Map<string, PairingView> {
  return foldChain(records, 'volunteer.pairing', (r, base) => {
    if (r.type !== 'volunteer.pairing') return null
    const b = r.body
    return { ...base, volunteer: b.volunteer, volunteerName: b.volunteerName, building: r.orgPath, household: b.household, startsAt: b.startsAt, intervalDays: b.intervalDays, active: b.active }
  })
}

/**
 * The registered volunteers an account acts as: active registrations whose
 * phone is the account's. Ids of the chains' first records.
 */
export function volunteerIdsOf(volunteers: Map<string, VolunteerView> | Iterable<VolunteerView>, phone: string): string[] {
  const all = volunteers instanceof Map ? volunteers.values() : volunteers
  return [...all].filter((v) => v.active && v.phone !== undefined && samePhone(v.phone, phone)).map((v) => v.id)
}

// ---------------------------------------------------------------- services

export interface ServiceView extends Amendable {
  orgPath: string
  volunteer: string
  kind: ServiceKind
  note: string
  servedAt: string
  hours: number
  households: string[]
  authorId: string
  /** trusted servedAt, epoch ms (see trustedAt): what months and care clocks use */
  at: number
  serverTime?: string
}

/** Services with their corrections and voids (a wrong entry is corrected, not edited). */
export function foldServices(records: readonly AnyRecord[]): Map<string, ServiceView> {
  const services = new Map<string, ServiceView>()
  for (const r of inLogOrder(records)) {
    if (r.type !== 'volunteer.service') continue
    const b = r.body
    services.set(r.id, {
      id: r.id,
      orgPath: r.orgPath,
      volunteer: b.volunteer,
      kind: b.kind,
      note: b.note,
      servedAt: b.servedAt,
      hours: b.hours,
      households: [...b.households],
      authorId: r.authorId,
      at: trustedAt(b.servedAt, r),
      ...(r.serverTime ? { serverTime: r.serverTime } : {}),
      voided: false,
      history: [],
    })
  }
  applyAmendments(services, records, 'volunteer.service')
  // a correction may move servedAt: the trusted instant follows it, still within the receipt
  for (const s of services.values()) s.at = trustedAt(s.servedAt, s)
  return services
}

/**
 * A live service to households in a building, as the met visits the care list
 * and the grid count: a volunteer who came and helped has seen the resident, so
 * the household's care clock starts again (see careList in rounds.ts). One per
 * household, id `serviceId:household`, dated at the trusted time.
 */
export function serviceContacts(services: Map<string, ServiceView> | Iterable<ServiceView>): VisitView[] {
  const all = services instanceof Map ? services.values() : services
  const out: VisitView[] = []
  for (const s of all) {
    if (s.voided || levelOfPath(s.orgPath) !== 'building') continue
    for (const household of s.households) {
      out.push({
        id: `${s.id}:${household}`,
        orgPath: s.orgPath,
        household,
        outcome: 'met',
        purposes: ['care'],
        note: s.note,
        visitedAt: new Date(s.at).toISOString(),
        authorId: s.authorId,
        voided: false,
        history: [],
      })
    }
  }
  return out
}

/** Who is paired with each household (active pairings), `building:household` → volunteer names. */
export function pairedWith(pairings: Map<string, PairingView> | Iterable<PairingView>): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const p of pairings instanceof Map ? pairings.values() : pairings) {
    if (!p.active) continue
    const name = p.volunteerName
    const ref = householdRef(p.building, p.household)
    out.set(ref, [...(out.get(ref) ?? []), name])
  }
  return out
}

/** A volunteer registered at `registration` may serve at `path`: both in one community. */
export function sameCommunity(path: string, registration: string): boolean {
  const c = communityOf(registration)
  return c !== null && isUnder(path, c)
}

// ---------------------------------------------------------------- a volunteer's month

export interface VolunteerMonth {
  hours: number
  services: ServiceView[]
}

/** Live services of `volunteer` whose trusted time lies in [from, to), newest first, and their hours. */
export function volunteerMonth(services: Iterable<ServiceView>, volunteer: string, range: { from: number; to: number }): VolunteerMonth {
  const list = [...services].filter((s) => !s.voided && s.volunteer === volunteer && s.at >= range.from && s.at < range.to).sort((a, b) => b.at - a.at)
  return { hours: list.reduce((n, s) => n + s.hours, 0), services: list }
}
