/**
 * The monthly ledger (月度工作台账): every figure the office hands upward, computed
 * from the log by the same code on the server (community scope and above) and on
 * a group leader's tablet (its own group, offline). Nobody types a figure twice.
 *
 * Definitions (the README's "Ledger" section says the same in words):
 * - A month is an Asia/Shanghai calendar month `YYYY-MM`, a half-open range of
 *   instants (`monthRange`). Every instant is a trusted one: the time the person
 *   gave, never before 2020 and never after the server received the record
 *   (`boundedTime`, `FeedbackView.at`).
 * - households: rooms in the layouts of the buildings under the path.
 * - householdsCovered: distinct households with a live visit that covers
 *   (`isCoveringVisit`: outcome 见到住户, not voided, corrections applied) dated in
 *   the month. Attempts (无人在家, 拒绝) are counted apart as visits.
 * - visits / visitsMet / visitsNobodyHome / visitsDeclined: live visits dated in
 *   the month, by outcome. publicityVisits (入户宣传): live visits in the month
 *   tagged `policy` (政策宣传).
 * - careHouseholds: households on the care list at the month's end (or now, if
 *   earlier). careOnTime: those of them never overdue during the month — from
 *   the last contact before the month (or when flagged), each next contact
 *   came no later than the day its interval ran out, and the last one leaves
 *   the month's last day (or today) within the interval. A contact is a 见到住户
 *   visit or a live volunteer service (志愿服务) to the household, as on the
 *   care list (`serviceContacts`); services are not visits and count nowhere else.
 * - feedbackCollected: items raised in the month. feedbackResolved /
 *   feedbackResolvedByLevel: items resolved in the month (whenever raised), by
 *   the level that resolved them. feedbackOpen / feedbackOpenByLevel: items
 *   raised before the month's end and not resolved by then, by the level that
 *   holds them now (or resolved them later). feedbackOverdue: of those, open
 *   longer than `OVERDUE_DAYS` for their urgency at the month's end
 *   (`openMonths` says which months an item counts in).
 *   feedbackReopened: items collected in the month that were ever reopened.
 *   medianResolutionDays: median of (resolved − raised) in days over the items
 *   resolved in the month, to one decimal.
 * - selfGovernanceRate (居民自治协调解决案件比例): items resolved in the month at
 *   building or group level ÷ items resolved in the month; the per-level shares
 *   are `feedbackResolvedByLevel` ÷ `feedbackResolved`.
 * - replyResolveRate (收集信息反馈与协调解决比例): items collected in the month that
 *   are resolved and reported back (回访) ÷ items collected in the month.
 *   reportedBack / satisfied: of the items resolved in the month, those with a
 *   回访, and those whose resident said 满意 or 基本满意.
 * - readingSessions / readingAttendance / readingHouseholds: live sessions that
 *   started in the month at reading points under the path, the people at them,
 *   and the distinct named households.
 * - leadersWithoutRecords: building and group leaders whose scope lies under
 *   the path and who made no record at all dated in the month.
 * Rates are numbers 0–1, or null when the denominator is 0.
 */
import { foldVisits, inLogOrder, type VisitView } from './fold'
import { foldFeedback, type FeedbackView } from './feedback'
import { foldReadingSessions, isReadingPointPath, type ReadingSessionView } from './reading'
import { foldCareFlags, householdRef, isCoveringVisit, type CareFlagView } from './rounds'
import { householdsOf, isUnder, levelOfPath, type Level, type OrgNode } from './org'
import { TIME_FLOOR, type AnyRecord, type Urgency } from './records'
import { boundedTime, DAY_MS, dayKey, daysBetween, monthKey, monthRange } from './time'
import { foldServices, type ServiceView } from './volunteers'
import type { Role } from './roles'

/** Open longer than this many days at the month's end (by urgency) is overdue. */
export const OVERDUE_DAYS: Record<Urgency, number> = { urgent: 3, normal: 15 }

/** The roles whose months without a record a community watches. */
export const LEADER_ROLES = ['building_leader', 'group_leader'] as const satisfies readonly Role[]

export interface LedgerFigures {
  households: number
  householdsCovered: number
  visits: number
  visitsMet: number
  visitsNobodyHome: number
  visitsDeclined: number
  publicityVisits: number
  careHouseholds: number
  careOnTime: number
  feedbackCollected: number
  feedbackResolved: number
  feedbackResolvedByLevel: Record<Level, number>
  feedbackOpen: number
  feedbackOpenByLevel: Record<Level, number>
  feedbackOverdue: number
  feedbackReopened: number
  reportedBack: number
  satisfied: number
  selfGovernanceRate: number | null
  replyResolveRate: number | null
  medianResolutionDays: number | null
  readingSessions: number
  readingAttendance: number
  readingHouseholds: number
  leadersWithoutRecords: number
}

export interface LedgerRow {
  path: string
  name: string
  kind: Level
  figures: LedgerFigures
}

/** A building or group leader with no record in the month. */
export interface QuietLeader {
  id: string
  name: string
  role: Role
  scopes: string[]
}

export interface Ledger {
  scope: string
  /** the scope's name, e.g. 明通巷社区 */
  name: string
  kind: Level
  month: string
  totals: LedgerFigures
  rows: LedgerRow[]
  quietLeaders: QuietLeader[]
}

/** A leader as the ledger needs them: who, role and where. */
export interface LedgerPerson {
  id: string
  name: string
  role: Role
  scopes: readonly string[]
}

export interface LedgerInput {
  /** every record under the scope (more is harmless: it is filtered by path) */
  records: readonly AnyRecord[]
  /** the org tree at and under the scope */
  nodes: readonly OrgNode[]
  /** the people whose scopes lie under the scope (only leaders are used) */
  people: readonly LedgerPerson[]
  scope: string
  /** `YYYY-MM` */
  month: string
  /** epoch ms: care cannot be late in days that have not come yet */
  now: number
}

const zeroByLevel = (): Record<Level, number> => ({ district: 0, street: 0, community: 0, group: 0, building: 0 })

function median(xs: number[]): number | null {
  if (!xs.length) return null
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

const rate = (n: number, d: number): number | null => (d ? n / d : null)

/** A visit with its trusted instant (epoch ms). */
export interface TimedVisit {
  view: VisitView
  at: number
}

/**
 * Everything the ledger counts, folded once from the log with the shared folds,
 * each item with its trusted instant. The detailed sheets of the export read
 * these views; the figures read the slimmer `LedgerItems` made from them.
 */
export interface LedgerFacts {
  visits: TimedVisit[]
  feedback: FeedbackView[]
  care: CareFlagView[]
  /** live sessions with their trusted start */
  sessions: { id: string; path: string; at: number; attendance: number; households: string[]; reader: string; materials: string[] }[]
  /** live services at buildings (care contacts) */
  services: LedgerService[]
  /** author id → trusted instants of their records */
  authored: Map<string, number[]>
}

/** A live visit as the figures count it. `at`: trusted epoch ms. */
export interface LedgerVisit {
  id: string
  path: string
  household: string
  at: number
  outcome: VisitView['outcome']
  /** tagged 政策宣传 */
  policy: boolean
  /** `isCoveringVisit` */
  covering: boolean
}

/** A feedback item as the figures count it; instants are trusted epoch ms. */
export interface LedgerFeedback {
  id: string
  path: string
  raised: number
  /** while resolved: when, and the level that resolved it */
  resolved?: number
  resolvedLevel?: Level
  /** the level that resolved it, else the level holding it now */
  heldLevel: Level
  urgency: Urgency
  reopened: boolean
  /** resolved and reported back (回访) on the current resolution */
  reportedBack: boolean
  /** reported back with 满意 or 基本满意 */
  satisfied: boolean
}

/** A household on (or once on) the care list. `flaggedAt`: epoch ms of the flagging record's device time. */
export interface LedgerCare {
  building: string
  household: string
  flaggedAt: number
  intervalDays: number
  active: boolean
}

/**
 * A live volunteer service to households of a building: on the care clock a
 * contact with each of them at `at` (trusted epoch ms), as `serviceContacts`
 * makes it for the care list.
 */
export interface LedgerService {
  id: string
  building: string
  households: string[]
  at: number
}

/**
 * What one place adds to a month's figures that only add up: its visits by
 * outcome, its distinct households covered (a household belongs to one
 * building, so per-building counts add), and its feedback still open at the
 * month's end by level and overdue. The server keeps these per building and
 * month at append time (src/server/ledger/summaries.ts); the fold makes them
 * from the items with `tallyItems`, so both count the same.
 */
export interface LedgerTally {
  path: string
  visits: number
  visitsMet: number
  visitsNobodyHome: number
  visitsDeclined: number
  publicityVisits: number
  householdsCovered: number
  feedbackOpenByLevel: Record<Level, number>
  feedbackOverdue: number
}

/** A live reading session: where, trusted start (epoch ms), people, named households (`householdRef`s). */
export interface LedgerSession {
  id: string
  path: string
  at: number
  attendance: number
  households: string[]
}

/**
 * The per-item facts the figures are computed from: what the tablet makes from
 * its records with `ledgerItems`, and what the server keeps current at append
 * time (src/server/ledger/summaries.ts) and reads back for a scope and month.
 * Both sides make each item with the converters below, so the figures are the
 * same. `authored`: author id → trusted instants of their records under the
 * scope (at least one per month they recorded in).
 */
export interface LedgerItems {
  visits: LedgerVisit[]
  feedback: LedgerFeedback[]
  care: LedgerCare[]
  sessions: LedgerSession[]
  /** live volunteer services at buildings: contacts on the care clock */
  services: LedgerService[]
  authored: ReadonlyMap<string, readonly number[]>
  /**
   * The month's tallies per place, when the server read them instead of every
   * item: then `visits` holds only the care households' met visits (the care
   * figure's input) and `feedback` only the items raised or resolved in the
   * month; the visit counts, households covered and open feedback come from
   * here. Absent: everything is counted from the items.
   */
  tallies?: LedgerTally[]
}

/** The trusted instant of a visit: its (corrected) visitedAt, not after the receipt of the record that set it. */
export function visitInstant(v: VisitView, serverTimeOf: (recordId: string) => string | undefined): number {
  let setBy = v.id
  for (const h of v.history) if (h.kind === 'correction' && h.changes && 'visitedAt' in h.changes) setBy = h.recordId
  return boundedTime(v.visitedAt, { notBefore: TIME_FLOOR, notAfter: serverTimeOf(setBy) })
}

/** A folded live visit as the figures count it. */
export function ledgerVisit(v: VisitView, at: number): LedgerVisit {
  return { id: v.id, path: v.orgPath, household: v.household, at, outcome: v.outcome, policy: v.purposes.includes('policy'), covering: isCoveringVisit(v) }
}

/** A folded feedback item as the figures count it. */
export function ledgerFeedback(f: FeedbackView): LedgerFeedback {
  const resolved = f.status === 'resolved' && f.at.resolved !== undefined && f.resolvedLevel ? { at: f.at.resolved, level: f.resolvedLevel } : null
  const view = resolved ? f.reportedBack?.residentView : undefined
  return {
    id: f.id,
    path: f.orgPath,
    raised: f.at.raised,
    ...(resolved ? { resolved: resolved.at, resolvedLevel: resolved.level } : {}),
    heldLevel: f.resolvedLevel ?? f.currentLevel,
    urgency: f.urgency,
    reopened: f.reopenCount > 0,
    reportedBack: f.status === 'resolved' && !!f.reportedBack,
    satisfied: view === 'satisfied' || view === 'fairly_satisfied',
  }
}

/** A folded care flag as the figures count it. */
export function ledgerCare(f: CareFlagView): LedgerCare {
  return { building: f.building, household: f.household, flaggedAt: Date.parse(f.flaggedAt), intervalDays: f.intervalDays, active: f.active }
}

/** A folded service as the care clock counts it, or null when it is no contact (voided, or not at a building). */
export function ledgerService(s: ServiceView): LedgerService | null {
  if (s.voided || levelOfPath(s.orgPath) !== 'building' || !s.households.length) return null
  return { id: s.id, building: s.orgPath, households: [...s.households], at: s.at }
}

/**
 * The months (`YYYY-MM`) at whose end a feedback item counts as open, and as
 * overdue: from the month it was raised (overdue: the month in which it has
 * been open `OVERDUE_DAYS` for its urgency) until, not including, the month it
 * was resolved in (`until` absent while unresolved). Null when it never counts
 * (resolved in the month it was raised, or before). Month keys sort as strings.
 */
export function openMonths(f: Pick<LedgerFeedback, 'raised' | 'resolved' | 'urgency'>): { from: string; overdueFrom: string; until?: string } | null {
  const from = monthKey(f.raised)
  const until = f.resolved === undefined ? undefined : monthKey(f.resolved)
  if (until !== undefined && until <= from) return null
  // open longer than N days at a month's end ⇔ raised + N days falls before that end
  const overdueFrom = monthKey(f.raised + OVERDUE_DAYS[f.urgency] * DAY_MS)
  return { from, overdueFrom, ...(until !== undefined ? { until } : {}) }
}

const zeroTally = (path: string): LedgerTally => ({
  path, visits: 0, visitsMet: 0, visitsNobodyHome: 0, visitsDeclined: 0, publicityVisits: 0, householdsCovered: 0, feedbackOpenByLevel: zeroByLevel(), feedbackOverdue: 0,
})

/** The month's tallies per place counted from the items themselves (the fold's side of `LedgerTally`). */
export function tallyItems(items: Pick<LedgerItems, 'visits' | 'feedback'>, month: string): LedgerTally[] {
  const out = new Map<string, LedgerTally>()
  const at = (path: string) => {
    let t = out.get(path)
    if (!t) out.set(path, (t = zeroTally(path)))
    return t
  }
  const covered = new Set<string>()
  for (const v of items.visits) {
    if (monthKey(v.at) !== month) continue
    const t = at(v.path)
    t.visits++
    if (v.outcome === 'met') t.visitsMet++
    else if (v.outcome === 'nobody_home') t.visitsNobodyHome++
    else t.visitsDeclined++
    if (v.policy) t.publicityVisits++
    const ref = householdRef(v.path, v.household)
    if (v.covering && !covered.has(ref)) {
      covered.add(ref)
      t.householdsCovered++
    }
  }
  for (const f of items.feedback) {
    const span = openMonths(f)
    if (!span || span.from > month || (span.until !== undefined && span.until <= month)) continue
    const t = at(f.path)
    t.feedbackOpenByLevel[f.heldLevel]++
    if (span.overdueFrom <= month) t.feedbackOverdue++
  }
  return [...out.values()]
}

/** A folded live session as the figures count it; `serverTime`: when the server received it, if it has. */
export function ledgerSession(s: ReadingSessionView, serverTime: string | undefined): LedgerSession {
  return {
    id: s.id,
    path: s.orgPath,
    at: boundedTime(s.startedAt, { notBefore: TIME_FLOOR, notAfter: serverTime }),
    attendance: s.attendance,
    households: s.households.map((h) => householdRef(h.building, h.household)),
  }
}

/** The trusted instant of a record for "who recorded in the month": its device time, not after its receipt. */
export function authoredInstant(r: Pick<AnyRecord, 'clientTime' | 'serverTime'>): number {
  return boundedTime(r.clientTime, { notBefore: TIME_FLOOR, notAfter: r.serverTime })
}

/**
 * Folds the log into the facts the ledger counts. A visit's trusted time is its
 * (corrected) visitedAt bounded by 2020 and the server's receipt of the latest
 * record that set it; an unsynced record has no ceiling yet.
 */
export function ledgerFacts(records: readonly AnyRecord[]): LedgerFacts {
  const serverTime = new Map<string, string>()
  for (const r of records) if (r.serverTime) serverTime.set(r.id, r.serverTime)
  const visits: TimedVisit[] = []
  for (const v of foldVisits(records).values()) {
    if (v.voided) continue
    visits.push({ view: v, at: visitInstant(v, (id) => serverTime.get(id)) })
  }
  const sessions: LedgerFacts['sessions'] = []
  for (const s of foldReadingSessions(records).values()) {
    if (s.voided) continue
    sessions.push({ ...ledgerSession(s, serverTime.get(s.id)), reader: s.reader, materials: s.materials })
  }
  const authored = new Map<string, number[]>()
  for (const r of records) {
    const t = authoredInstant(r)
    const list = authored.get(r.authorId)
    if (list) list.push(t)
    else authored.set(r.authorId, [t])
  }
  const services: LedgerService[] = []
  for (const s of foldServices(records).values()) {
    const item = ledgerService(s)
    if (item) services.push(item)
  }
  return {
    visits,
    services,
    feedback: [...foldFeedback(records).values()],
    care: [...foldCareFlags(records).values()],
    sessions,
    authored,
  }
}

/** The figures' items from folded facts. */
export function itemsOfFacts(facts: LedgerFacts): LedgerItems {
  return {
    visits: facts.visits.map((v) => ledgerVisit(v.view, v.at)),
    feedback: facts.feedback.map(ledgerFeedback),
    care: facts.care.map(ledgerCare),
    sessions: facts.sessions.map(({ id, path, at, attendance, households }) => ({ id, path, at, attendance, households })),
    services: facts.services,
    authored: facts.authored,
  }
}

/** The figures' items folded from the log (the tablet, and the proof that the server's summaries agree). */
export function ledgerItems(records: readonly AnyRecord[]): LedgerItems {
  return itemsOfFacts(ledgerFacts(records))
}

/** Was a care household ever overdue in [from, end)? Days are Shanghai days, as on the care list. */
function careKept(flag: LedgerCare, metTimes: number[], from: number, end: number): boolean {
  let last = flag.flaggedAt
  for (const t of metTimes) if (t < from && t > last) last = t
  for (const t of metTimes) {
    if (t < from || t >= end) continue
    if (daysBetween(dayKey(last + flag.intervalDays * DAY_MS), dayKey(t)) > 0) return false
    if (t > last) last = t
  }
  return daysBetween(dayKey(last + flag.intervalDays * DAY_MS), dayKey(end - 1)) <= 0
}

/**
 * The figures of one path for one month from the items (see the module
 * comment for each definition). `people`: leaders anywhere; those under `path`
 * are counted. Items outside the path or month are skipped, so a caller may
 * pass more than it needs.
 */
export function ledgerFigures(
  items: LedgerItems,
  ctx: { path: string; nodes: readonly OrgNode[]; people: readonly LedgerPerson[]; month: string; now: number },
): LedgerFigures {
  const { from, to } = monthRange(ctx.month)
  const inMonth = (t: number) => t >= from && t < to
  const under = (p: string) => isUnder(p, ctx.path)

  let households = 0
  for (const n of ctx.nodes) if (n.kind === 'building' && n.layout && under(n.path)) households += householdsOf(n.layout).length

  // what adds up per place: visit counts, households covered, open feedback
  let visits = 0, met = 0, nobody = 0, declined = 0, publicity = 0, covered = 0, open = 0, overdue = 0
  const openByLevel = zeroByLevel()
  for (const t of items.tallies ?? tallyItems(items, ctx.month)) {
    if (!under(t.path)) continue
    visits += t.visits
    met += t.visitsMet
    nobody += t.visitsNobodyHome
    declined += t.visitsDeclined
    publicity += t.publicityVisits
    covered += t.householdsCovered
    overdue += t.feedbackOverdue
    for (const [level, n] of Object.entries(t.feedbackOpenByLevel) as [Level, number][]) {
      openByLevel[level] += n
      open += n
    }
  }

  // contact times of the care households only (met visits and volunteers' services): nothing else needs them
  const metTimes = new Map<string, number[]>()
  for (const f of items.care) if (under(f.building)) metTimes.set(householdRef(f.building, f.household), [])
  for (const v of items.visits) if (v.covering && under(v.path)) metTimes.get(householdRef(v.path, v.household))?.push(v.at)
  for (const s of items.services) {
    if (!under(s.building)) continue
    for (const h of s.households) metTimes.get(householdRef(s.building, h))?.push(s.at)
  }

  // care: on the list at the month's end (or now), and kept through the part of the month that has come
  const end = Math.min(to, Math.max(from + 1, ctx.now))
  let careHouseholds = 0, careOnTime = 0
  for (const f of items.care) {
    if (!f.active || !under(f.building) || f.flaggedAt >= end) continue
    careHouseholds++
    const times = (metTimes.get(householdRef(f.building, f.household)) ?? []).slice().sort((a, b) => a - b)
    if (careKept(f, times, Math.max(from, f.flaggedAt), end)) careOnTime++
  }

  let collected = 0, resolved = 0, reopened = 0, replied = 0, reportedBack = 0, satisfied = 0
  const resolvedByLevel = zeroByLevel()
  const durations: number[] = []
  for (const f of items.feedback) {
    if (!under(f.path)) continue
    if (inMonth(f.raised)) {
      collected++
      if (f.reopened) reopened++
      if (f.reportedBack) replied++
    }
    if (f.resolved !== undefined && inMonth(f.resolved) && f.resolvedLevel) {
      resolved++
      resolvedByLevel[f.resolvedLevel]++
      durations.push(f.resolved - f.raised)
      if (f.reportedBack) {
        reportedBack++
        if (f.satisfied) satisfied++
      }
    }
  }
  const med = median(durations)

  let readingSessions = 0, readingAttendance = 0
  const named = new Set<string>()
  for (const s of items.sessions) {
    if (!under(s.path) || !inMonth(s.at)) continue
    readingSessions++
    readingAttendance += s.attendance
    for (const h of s.households) named.add(h)
  }

  const leadersWithoutRecords = quietLeaders(items, ctx.people, ctx.path, ctx.month).length

  return {
    households,
    householdsCovered: covered,
    visits,
    visitsMet: met,
    visitsNobodyHome: nobody,
    visitsDeclined: declined,
    publicityVisits: publicity,
    careHouseholds,
    careOnTime,
    feedbackCollected: collected,
    feedbackResolved: resolved,
    feedbackResolvedByLevel: resolvedByLevel,
    feedbackOpen: open,
    feedbackOpenByLevel: openByLevel,
    feedbackOverdue: overdue,
    feedbackReopened: reopened,
    reportedBack,
    satisfied,
    selfGovernanceRate: rate(resolvedByLevel.building + resolvedByLevel.group, resolved),
    replyResolveRate: rate(replied, collected),
    medianResolutionDays: med === null ? null : Math.round((med / DAY_MS) * 10) / 10,
    readingSessions,
    readingAttendance,
    readingHouseholds: named.size,
    leadersWithoutRecords,
  }
}

/** Building and group leaders working under `path` with no record dated in the month, by name. */
export function quietLeaders(items: Pick<LedgerItems, 'authored'>, people: readonly LedgerPerson[], path: string, month: string): QuietLeader[] {
  const { from, to } = monthRange(month)
  return people
    .filter((p) => (LEADER_ROLES as readonly Role[]).includes(p.role) && p.scopes.length > 0 && p.scopes.every((s) => isUnder(s, path)))
    .filter((p) => !(items.authored.get(p.id) ?? []).some((t) => t >= from && t < to))
    .map((p) => ({ id: p.id, name: p.name, role: p.role, scopes: [...p.scopes] }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1))
}

/**
 * Whether a person's scopes go to a caller's device with /people, so the
 * tablet can count its leaders with no record as the server does: only for
 * building and group leaders, and only when every one of their scopes lies
 * within the caller's (nothing about places the caller cannot see). A leader
 * who also works elsewhere is never wholly under a path the caller can ask
 * for, so the server leaves them out of the caller's figure too.
 */
export function sharesLedgerScopes(person: { role: Role; scopes: readonly string[] }, callerScopes: readonly string[]): boolean {
  return (LEADER_ROLES as readonly Role[]).includes(person.role) && person.scopes.length > 0 && person.scopes.every((s) => callerScopes.some((c) => isUnder(s, c)))
}

/** The children of `scope` a ledger has a row for: the next level down (not reading points), by path. */
export function ledgerChildren(nodes: readonly OrgNode[], scope: string): OrgNode[] {
  const depth = scope.split('/').length + 1
  return nodes
    .filter((n) => n.path.startsWith(scope + '/') && n.path.split('/').length === depth && !isReadingPointPath(n.path) && n.kind !== 'reading_point')
    .sort((a, b) => (a.path < b.path ? -1 : 1))
}

/**
 * The ledger of `scope` for `month` from the figures' items: totals and one
 * row per child (district → streets, street → communities, community →
 * groups, group → buildings), and the leaders with no record. Pure: the
 * server calls it with its summaries, the tablet through `computeLedger`.
 */
export function ledgerOfItems(items: LedgerItems, input: Omit<LedgerInput, 'records'>): Ledger {
  const node = input.nodes.find((n) => n.path === input.scope)
  const kind = levelOfPath(input.scope) ?? 'district'
  const ctx = { nodes: input.nodes, people: input.people, month: input.month, now: input.now }
  const children = ledgerChildren(input.nodes, input.scope)
  const byChild = partitionItems(items, children.map((c) => c.path))
  return {
    scope: input.scope,
    name: node?.name ?? input.scope,
    kind,
    month: input.month,
    totals: ledgerFigures(items, { ...ctx, path: input.scope }),
    rows: children.map((c) => ({
      path: c.path,
      name: c.name,
      kind: levelOfPath(c.path) ?? 'building',
      figures: ledgerFigures(byChild.get(c.path)!, { ...ctx, path: c.path }),
    })),
    quietLeaders: quietLeaders(items, input.people, input.scope, input.month),
  }
}

/**
 * The items under each of `paths` (siblings: one level below a scope), each
 * item once, so the rows of a wide scope are counted in one pass rather than
 * one pass per row. What is under none of them is left out.
 */
function partitionItems(items: LedgerItems, paths: readonly string[]): Map<string, LedgerItems> {
  type Part = Omit<LedgerItems, 'authored' | 'tallies'> & { tallies: LedgerTally[] }
  const out = new Map<string, Part>()
  for (const p of paths) out.set(p, { visits: [], feedback: [], care: [], sessions: [], services: [], tallies: [] })
  const depth = paths.length ? paths[0]!.split('/').length : 0
  const bucket = (path: string) => out.get(path.split('/', depth).join('/'))
  for (const v of items.visits) bucket(v.path)?.visits.push(v)
  for (const f of items.feedback) bucket(f.path)?.feedback.push(f)
  for (const c of items.care) bucket(c.building)?.care.push(c)
  for (const s of items.sessions) bucket(s.path)?.sessions.push(s)
  for (const s of items.services) bucket(s.building)?.services.push(s)
  for (const t of items.tallies ?? []) bucket(t.path)?.tallies.push(t)
  return new Map(
    [...out].map(([p, { tallies, ...b }]) => [p, { ...b, authored: items.authored, ...(items.tallies ? { tallies } : {}) }]),
  )
}

/** The ledger folded from the records themselves (`input.records`); see `ledgerOfItems`. */
export function computeLedger(input: LedgerInput): Ledger {
  return ledgerOfItems(ledgerItems(input.records), input)
}

/** Coverage share of a row: households covered ÷ households, null without households. */
export function coverageRate(f: LedgerFigures): number | null {
  return rate(f.householdsCovered, f.households)
}

/** Care on time as a share, null without care households. */
export function careOnTimeRate(f: LedgerFigures): number | null {
  return rate(f.careOnTime, f.careHouseholds)
}

// ---------------------------------------------------------------- a street ranks its communities

/**
 * The measures a street ranks its communities by, each a share 0–1 (a missing
 * share — nothing to measure — counts as 0 and is shown as such):
 * coverage (households covered ÷ households), care on time, self-governance
 * (居民自治协调解决案件比例), reply-and-resolve (收集信息反馈与协调解决比例), and
 * active leaders (1 − leaders without records ÷ leaders).
 */
export const RANKING_COMPONENTS = ['coverage', 'careOnTime', 'selfGovernance', 'replyResolve', 'activeLeaders'] as const
export type RankingComponent = (typeof RANKING_COMPONENTS)[number]
export type RankingWeights = Record<RankingComponent, number>

/** Used until street staff record their own (a `ledger.weights` record on the street). */
export const DEFAULT_WEIGHTS: RankingWeights = { coverage: 30, careOnTime: 20, selfGovernance: 20, replyResolve: 20, activeLeaders: 10 }

export interface RankedRow {
  path: string
  name: string
  rank: number
  /** Σ weight × share ÷ Σ weights × 100: 0–100, one decimal */
  score: number
  components: Record<RankingComponent, number | null>
}

/**
 * The weights in force for a street: the latest `ledger.weights` record placed
 * on it in log order (server order, unsynced last), else the defaults. Returns
 * who set them and when, so the ranking can say so.
 */
export function rankingWeights(records: readonly AnyRecord[], street: string): { weights: RankingWeights; setBy?: string; setAt?: string } {
  let found: { weights: RankingWeights; setBy?: string; setAt?: string } = { weights: { ...DEFAULT_WEIGHTS } }
  for (const r of inLogOrder(records)) {
    if (r.type !== 'ledger.weights' || r.orgPath !== street) continue
    found = { weights: { ...r.body.weights }, setBy: r.authorId, setAt: r.clientTime }
  }
  return found
}

/**
 * Communities (the rows of a street's ledger) ranked by the weighted score,
 * highest first, ties sharing a rank and ordered by path; every component is
 * returned beside the score.
 */
export function rankRows(rows: readonly LedgerRow[], weights: RankingWeights, leadersByRow: ReadonlyMap<string, number>): RankedRow[] {
  const total = RANKING_COMPONENTS.reduce((s, c) => s + weights[c], 0)
  const scored = rows.map((r) => {
    const f = r.figures
    const leaders = leadersByRow.get(r.path) ?? 0
    const components: Record<RankingComponent, number | null> = {
      coverage: coverageRate(f),
      careOnTime: careOnTimeRate(f),
      selfGovernance: f.selfGovernanceRate,
      replyResolve: f.replyResolveRate,
      activeLeaders: leaders ? 1 - f.leadersWithoutRecords / leaders : null,
    }
    const sum = RANKING_COMPONENTS.reduce((s, c) => s + weights[c] * (components[c] ?? 0), 0)
    return { path: r.path, name: r.name, rank: 0, score: total ? Math.round((sum / total) * 1000) / 10 : 0, components }
  })
  scored.sort((a, b) => b.score - a.score || (a.path < b.path ? -1 : 1))
  scored.forEach((r, i) => (r.rank = i > 0 && scored[i - 1]!.score === r.score ? scored[i - 1]!.rank : i + 1))
  return scored
}

/** How many building and group leaders work under `path`: the denominator of activeLeaders. */
export function leaderCount(people: readonly LedgerPerson[], path: string): number {
  return people.filter((p) => (LEADER_ROLES as readonly Role[]).includes(p.role) && p.scopes.length > 0 && p.scopes.every((s) => isUnder(s, path))).length
}
