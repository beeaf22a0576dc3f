/**
 * Resident feedback (居民意见) and its five-level handling: what the building
 * leader can solve they solve, otherwise it goes up one level at a time —
 * resident group, community, street, district.
 *
 * A feedback is one `feedback` record plus `feedback.event` records (comment,
 * escalate, resolve, reopen) sharing its orgPath, so whoever may see the
 * feedback sees every step. Its state is a fold over those events in server
 * order. Events from two offline devices never conflict: both stay in the
 * timeline and the server's order decides which one took effect. Corrections
 * and voids do not apply: the events are the history.
 */
import { inLogOrder } from './fold'
import { TIME_FLOOR } from './records'
import { boundedTime } from './time'
import type { Channel, FeedbackAction, FeedbackBody, FeedbackCategory, FeedbackEventBody, AnyRecord, RecordIssue, ReportBackHow, ResidentView, Urgency } from './records'
import { LEVELS, isUnderAny, levelOfPath, parentPath, type Level } from './org'
import { isReadingPointPath } from './reading'
import type { MessageCode } from './messages'

/** Index of a level: district 0 … building 4. Lower is higher up. */
export function levelIndex(level: Level): number {
  return LEVELS.indexOf(level)
}

/** The level above `level`, or null at district: nothing is above the district. */
export function nextLevel(level: Level): Level | null {
  const i = levelIndex(level)
  return i > 0 ? LEVELS[i - 1]! : null
}

/**
 * The level that first handles feedback belonging to `orgPath`: the path's own
 * level, except that a reading point is handled at the level of the node it
 * belongs to (a point under a group is the group leader's).
 */
export function handlingLevelOf(orgPath: string): Level | null {
  if (isReadingPointPath(orgPath)) {
    const parent = parentPath(orgPath)
    return parent ? levelOfPath(parent) : null
  }
  return levelOfPath(orgPath)
}

export type FeedbackStatus = 'open' | 'resolved'

/** Why an event in the timeline did not change the feedback. */
export type IneffectiveReason = Extract<MessageCode, 'superseded' | 'already_resolved' | 'not_resolved' | 'held_elsewhere' | 'not_yet_here'>

export interface FeedbackTimelineEntry {
  /** the feedback record itself for 'raise', else the event record */
  recordId: string
  action: FeedbackAction | 'raise'
  authorId: string
  /** device time: when the person acted, for display and durations, never for order */
  clientTime: string
  seq?: number
  /** the description for 'raise'; the event's words otherwise */
  text: string
  toLevel?: Level
  atLevel?: Level
  /** 回访 only */
  how?: ReportBackHow
  residentView?: ResidentView
  reportedAt?: string
  effective: boolean
  reason?: IneffectiveReason
  /** with held_elsewhere / not_yet_here: the level that held the item at that point */
  heldBy?: Level
  /** state right after this entry */
  level: Level
  status: FeedbackStatus
}

export interface FeedbackView {
  id: string
  orgPath: string
  category: FeedbackCategory
  description: string
  household?: string
  urgency: Urgency
  channel: Channel
  source?: FeedbackBody['source']
  raisedAt: string
  raisedBy: string
  seq?: number
  /**
   * Trusted instants (epoch ms) for figures: each time as the person's device
   * gave it, but never before 2020, never before the step it follows, and never
   * after the server received it — a phone clock that is wrong cannot move an
   * item into another month. `raised`, and `resolved` while resolved.
   */
  at: { raised: number; resolved?: number; levelSince: number }
  /** the level that first handles it, from its orgPath */
  originLevel: Level
  status: FeedbackStatus
  /** whose inbox it is in; stays where it was when resolved */
  currentLevel: Level
  /** when it reached currentLevel (raisedAt, or the effective escalation's clientTime) */
  levelSince: string
  resolvedAt?: string
  /** the level that held it when it was resolved: the measure of self-governance */
  resolvedLevel?: Level
  resolvedBy?: string
  resolution?: string
  reopenCount: number
  /**
   * 回访: the latest effective report back to the resident on the current
   * resolution (a reopening clears it). `at` is trusted epoch ms, never before
   * the resolution nor after the server received it.
   */
  reportedBack?: { at: number; reportedAt: string; how: ReportBackHow; residentView: ResidentView; by: string }
  /** every entry, the raise first, then events in server order (unsynced last) */
  timeline: FeedbackTimelineEntry[]
}

/**
 * Folds feedback and its events. Rules, applied to events in server order:
 * - comment: always effective.
 * - escalate: effective only while open and when `toLevel` is exactly one above
 *   the current level at that point; otherwise kept, not effective — 'superseded'
 *   (another escalation got there first) or 'already_resolved'.
 * - resolve: effective while open and only from the level holding it then
 *   (`atLevel`, which the server checks is the author's own level, equals the
 *   current level). From a level it has gone past: kept, not effective,
 *   'held_elsewhere' (未生效:已上报到社区); from one it has not reached yet:
 *   'not_yet_here'. Not effective when already resolved ('already_resolved').
 * - reopen: effective only when resolved; it reopens at the same level.
 *   Otherwise 'not_resolved'. It clears the 回访 of the resolution it undoes.
 * - report_back (回访): effective only while resolved ('not_resolved'
 *   otherwise); the latest effective one is the item's `reportedBack`.
 * Events whose orgPath differs from the feedback's are ignored (the server
 * refuses them); events for a feedback not yet here wait for it.
 */
export function foldFeedback(records: readonly AnyRecord[]): Map<string, FeedbackView> {
  const ordered = inLogOrder(records)
  const views = new Map<string, FeedbackView>()
  for (const r of ordered) {
    if (r.type !== 'feedback') continue
    const b = r.body
    const level = handlingLevelOf(r.orgPath)
    if (!level) continue
    const raisedAtMs = boundedTime(b.raisedAt, { notBefore: TIME_FLOOR, notAfter: r.serverTime })
    views.set(r.id, {
      id: r.id,
      orgPath: r.orgPath,
      category: b.category,
      description: b.description,
      ...(b.household !== undefined ? { household: b.household } : {}),
      urgency: b.urgency,
      channel: b.channel,
      ...(b.source ? { source: { ...b.source } } : {}),
      raisedAt: b.raisedAt,
      raisedBy: r.authorId,
      ...(r.seq !== undefined ? { seq: r.seq } : {}),
      at: { raised: raisedAtMs, levelSince: raisedAtMs },
      originLevel: level,
      status: 'open',
      currentLevel: level,
      levelSince: b.raisedAt,
      reopenCount: 0,
      timeline: [
        {
          recordId: r.id,
          action: 'raise',
          authorId: r.authorId,
          clientTime: r.clientTime,
          ...(r.seq !== undefined ? { seq: r.seq } : {}),
          text: b.description,
          effective: true,
          level,
          status: 'open',
        },
      ],
    })
  }
  for (const r of ordered) {
    if (r.type !== 'feedback.event') continue
    const b = r.body
    const view = views.get(b.feedback)
    if (!view || view.orgPath !== r.orgPath) continue
    applyEvent(view, r, b)
  }
  return views
}

function applyEvent(view: FeedbackView, r: AnyRecord<'feedback.event'>, b: FeedbackEventBody): void {
  let effective = true
  let reason: IneffectiveReason | undefined
  let heldBy: Level | undefined
  // when it happened, as far as can be trusted: not before the step it follows, not after the server got it
  const at = boundedTime(r.clientTime, { notBefore: view.at.levelSince, notAfter: r.serverTime })
  switch (b.action) {
    case 'comment':
      break
    case 'escalate':
      if (view.status === 'resolved') [effective, reason] = [false, 'already_resolved']
      else if (nextLevel(view.currentLevel) !== b.toLevel) [effective, reason] = [false, 'superseded']
      else {
        view.currentLevel = b.toLevel
        view.levelSince = r.clientTime
        view.at.levelSince = at
      }
      break
    case 'resolve':
      if (view.status === 'resolved') [effective, reason] = [false, 'already_resolved']
      else if (b.atLevel !== view.currentLevel) {
        // only the level holding the item resolves it: an offline resolve that arrives after
        // the item went up (or a crafted one) stays in the timeline with no effect
        effective = false
        reason = levelIndex(view.currentLevel) < levelIndex(b.atLevel) ? 'held_elsewhere' : 'not_yet_here'
        heldBy = view.currentLevel
      } else {
        view.status = 'resolved'
        view.at.resolved = at
        view.resolvedAt = r.clientTime
        view.resolvedLevel = view.currentLevel
        view.resolvedBy = r.authorId
        view.resolution = b.text
      }
      break
    case 'reopen':
      if (view.status !== 'resolved') [effective, reason] = [false, 'not_resolved']
      else {
        view.status = 'open'
        view.reopenCount++
        delete view.resolvedAt
        delete view.at.resolved
        view.at.levelSince = at
        delete view.resolvedLevel
        delete view.resolvedBy
        delete view.resolution
        delete view.reportedBack
      }
      break
    case 'report_back':
      if (view.status !== 'resolved' || view.at.resolved === undefined) [effective, reason] = [false, 'not_resolved']
      else {
        view.reportedBack = {
          at: boundedTime(b.reportedAt, { notBefore: view.at.resolved, notAfter: r.serverTime }),
          reportedAt: b.reportedAt,
          how: b.how,
          residentView: b.residentView,
          by: r.authorId,
        }
      }
      break
  }
  view.timeline.push({
    recordId: r.id,
    action: b.action,
    authorId: r.authorId,
    clientTime: r.clientTime,
    ...(r.seq !== undefined ? { seq: r.seq } : {}),
    text: b.text,
    ...(b.action === 'escalate' ? { toLevel: b.toLevel } : {}),
    ...(b.action === 'resolve' ? { atLevel: b.atLevel } : {}),
    ...(b.action === 'report_back' ? { how: b.how, residentView: b.residentView, reportedAt: b.reportedAt } : {}),
    effective,
    ...(reason ? { reason } : {}),
    ...(heldBy ? { heldBy } : {}),
    level: view.currentLevel,
    status: view.status,
  })
}

// ---------------------------------------------------------------- checks before saving and accepting

/**
 * Context checks of a new `feedback` record, beyond its shape: a household is
 * named only on feedback that belongs to a building (not to a reading point,
 * group or community).
 */
export function checkFeedback(record: { orgPath: string; body: FeedbackBody }): RecordIssue | null {
  if (!handlingLevelOf(record.orgPath)) return { code: 'out_of_scope', path: 'orgPath' }
  if (record.body.household !== undefined && handlingLevelOf(record.orgPath) !== 'building') {
    return { code: 'unknown_household', path: 'body.household' }
  }
  return null
}

/** Who acts on a feedback: their user id and the level they work at. */
export interface FeedbackActor {
  id: string
  level: Level
}

/**
 * Who may reopen a resolved item: the person who raised it (they hear first when
 * the resident is not satisfied) and anyone working at the level that resolved
 * it or above (scope is checked with the record's place). A building leader
 * cannot undo what the community decided unless they raised it.
 */
export function mayReopen(view: FeedbackView, actor: FeedbackActor): boolean {
  return actor.id === view.raisedBy || levelIndex(actor.level) <= levelIndex(view.resolvedLevel ?? view.currentLevel)
}

/**
 * Who may record 回访 (reporting back to the resident) on a resolved item: the
 * person who raised it and anyone working at the level that resolved it.
 */
export function mayReportBack(view: FeedbackView, actor: FeedbackActor): boolean {
  return view.status === 'resolved' && (actor.id === view.raisedBy || actor.level === view.resolvedLevel)
}

/**
 * Context check of a `feedback.event`, made by the device before saving and by
 * the server before accepting. It only refuses what is wrong however stale the
 * view is, because two offline devices acting on one feedback must both be
 * accepted (the fold then decides by server order):
 * - `unknown_target`: no such feedback;
 * - `out_of_scope`: the event's orgPath is not the feedback's;
 * - `cannot_escalate`: nothing is above the level it goes to or starts at —
 *   an escalation from district, or to a level not above where it started;
 * - with the author's level (`actorLevel`, from their role): an escalation goes
 *   to the author's own level (taking it up) or the one above (passing it up),
 *   never skipping a level, and nobody at district escalates (`cannot_escalate`);
 *   a resolution claims the author's own level (`wrong_level`);
 * - a reopening of an item resolved now comes from someone who may reopen it
 *   (`cannot_reopen`, see mayReopen);
 * - a 回访 on an item resolved now comes from someone who may record it
 *   (`cannot_report_back`, see mayReportBack).
 * Other state (resolve only while open, …) is left to the fold, which keeps a
 * stale event without effect: see `availableActions` and `feedbackEventBody`.
 */
export function checkFeedbackEvent(
  event: { orgPath: string; body: FeedbackEventBody },
  view: FeedbackView | undefined,
  actor?: FeedbackActor,
): RecordIssue | null {
  const actorLevel = actor?.level
  if (!view) return { code: 'unknown_target', path: 'body.feedback' }
  if (event.orgPath !== view.orgPath) return { code: 'out_of_scope', path: 'orgPath' }
  const b = event.body
  if (b.action === 'escalate') {
    if (levelIndex(b.toLevel) >= levelIndex(view.originLevel)) return { code: 'cannot_escalate', path: 'body.toLevel' }
    if (actorLevel !== undefined) {
      if (nextLevel(actorLevel) === null) return { code: 'cannot_escalate', path: 'body.toLevel' }
      if (b.toLevel !== actorLevel && b.toLevel !== nextLevel(actorLevel)) return { code: 'wrong_level', path: 'body.toLevel' }
    }
  }
  if (b.action === 'resolve' && actorLevel !== undefined && b.atLevel !== actorLevel) {
    return { code: 'wrong_level', path: 'body.atLevel' }
  }
  if (b.action === 'reopen' && actor && view.status === 'resolved' && !mayReopen(view, actor)) {
    return { code: 'cannot_reopen', path: 'body.action' }
  }
  if (b.action === 'report_back' && actor && view.status === 'resolved' && !mayReportBack(view, actor)) {
    return { code: 'cannot_report_back', path: 'body.action' }
  }
  return null
}

/**
 * What a user working at `actorLevel` can do now, for the device's buttons.
 * Comment: always. Escalate: while open, when a level exists above the current
 * one and it is at most one above the user's own (a group leader may take up a
 * building's item or pass a group item to the community). Resolve: while open
 * and at the user's level, so the level credited is the one that did the work.
 * Reopen: when resolved, for those who may (mayReopen). Report back (回访):
 * when resolved, for the raiser and the level that resolved it (mayReportBack).
 */
export function availableActions(view: FeedbackView, actor: FeedbackActor): FeedbackAction[] {
  const actorLevel = actor.level
  const actions: FeedbackAction[] = ['comment']
  if (view.status === 'open') {
    const next = nextLevel(view.currentLevel)
    const actorNext = nextLevel(actorLevel)
    if (next && actorNext !== null && (next === actorLevel || next === actorNext)) actions.push('escalate')
    if (view.currentLevel === actorLevel) actions.push('resolve')
  } else {
    if (mayReopen(view, actor)) actions.push('reopen')
    if (mayReportBack(view, actor)) actions.push('report_back')
  }
  return actions
}

export type EventBodyResult = { ok: true; body: FeedbackEventBody } | { ok: false; issue: RecordIssue }

/**
 * Builds the body of an event from what the device shows now, refusing what
 * the current state does not allow: escalation from district
 * (`cannot_escalate`), resolving a resolved item (`already_resolved`),
 * reopening an open one (`not_resolved`) or one the actor may not reopen
 * (`cannot_reopen`), or acting for another level (`wrong_level`); an empty
 * text is `required`. The text is trimmed.
 */
export function feedbackEventBody(
  view: FeedbackView,
  action: FeedbackAction,
  text: string,
  actor: FeedbackActor,
  reportBack?: { how: ReportBackHow; residentView: ResidentView; reportedAt: string },
): EventBodyResult {
  const actorLevel = actor.level
  const fail = (code: MessageCode, path = 'body.action'): EventBodyResult => ({ ok: false, issue: { code, path } })
  const t = text.trim()
  let body: FeedbackEventBody
  switch (action) {
    case 'comment':
      body = { feedback: view.id, action, text: t }
      break
    case 'escalate': {
      if (view.status === 'resolved') return fail('already_resolved')
      const to = nextLevel(view.currentLevel)
      if (to === null || nextLevel(actorLevel) === null) return fail('cannot_escalate')
      if (!availableActions(view, actor).includes('escalate')) return fail('wrong_level')
      // nextLevel never yields 'building', which is the only level one cannot escalate to
      body = { feedback: view.id, action, text: t, toLevel: to as Exclude<Level, 'building'> }
      break
    }
    case 'resolve':
      if (view.status === 'resolved') return fail('already_resolved')
      if (view.currentLevel !== actorLevel) return fail('wrong_level')
      body = { feedback: view.id, action, text: t, atLevel: actorLevel }
      break
    case 'reopen':
      if (view.status !== 'resolved') return fail('not_resolved')
      if (!mayReopen(view, actor)) return fail('cannot_reopen')
      body = { feedback: view.id, action, text: t }
      break
    case 'report_back':
      if (view.status !== 'resolved') return fail('not_resolved')
      if (!mayReportBack(view, actor)) return fail('cannot_report_back')
      if (!reportBack) return fail('required', 'body.how')
      body = { feedback: view.id, action, text: t, ...reportBack }
      break
  }
  if (!t) return fail('required', 'body.text')
  return { ok: true, body }
}

// ---------------------------------------------------------------- inbox and lists

const byUrgencyThenAge = (a: FeedbackView, b: FeedbackView) =>
  (a.urgency === 'urgent' ? 0 : 1) - (b.urgency === 'urgent' ? 0 : 1) ||
  Date.parse(a.raisedAt) - Date.parse(b.raisedAt) ||
  (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

function valuesOf<T>(items: Map<string, T> | Iterable<T>): T[] {
  return items instanceof Map ? [...items.values()] : [...items]
}

/**
 * What waits for a user: open items at the user's level within their scopes,
 * urgent first, then oldest raised first.
 */
export function inboxFor(views: Map<string, FeedbackView> | Iterable<FeedbackView>, user: { level: Level; scopes: readonly string[] }): FeedbackView[] {
  return valuesOf(views)
    .filter((f) => f.status === 'open' && f.currentLevel === user.level && isUnderAny(f.orgPath, user.scopes))
    .sort(byUrgencyThenAge)
}

/** Feedback a user raised, newest first: the raiser follows every step. */
export function raisedBy(views: Map<string, FeedbackView> | Iterable<FeedbackView>, userId: string): FeedbackView[] {
  return valuesOf(views)
    .filter((f) => f.raisedBy === userId)
    .sort((a, b) => Date.parse(b.raisedAt) - Date.parse(a.raisedAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
}

// ---------------------------------------------------------------- metrics

export interface FeedbackMetrics {
  /** raised within the period */
  collected: number
  /** of those, resolved now */
  resolved: number
  /** of those, still open */
  open: number
  /** resolved ÷ collected (收集信息反馈与协调解决比例); null when nothing was collected */
  resolutionRate: number | null
  resolvedByLevel: Record<Level, number>
  /** resolved at building or group level ÷ resolved (居民自治协调解决案件比例); null when none resolved */
  selfGovernanceShare: number | null
  /** median of resolvedAt − raisedAt over the resolved ones; null when none resolved */
  medianResolutionMs: number | null
  openByLevel: Record<Level, number>
  /** resolutions that happened within the period, whenever the feedback was raised */
  resolvedInPeriod: number
}

const zeroByLevel = (): Record<Level, number> => ({ district: 0, street: 0, community: 0, group: 0, building: 0 })

function median(xs: number[]): number | null {
  if (!xs.length) return null
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/**
 * The seed's assessment numbers for feedback raised within [from, to) — use
 * `monthRange('2026-12')` for an Asia/Shanghai month. Every time is the view's
 * trusted one (`at`: bounded by 2020, the step before, and the server's receipt),
 * so durations never go below zero and a wrong phone clock moves nothing.
 */
export function feedbackMetrics(
  views: Map<string, FeedbackView> | Iterable<FeedbackView>,
  period: { from: number | string; to: number | string },
): FeedbackMetrics {
  const from = typeof period.from === 'number' ? period.from : Date.parse(period.from)
  const to = typeof period.to === 'number' ? period.to : Date.parse(period.to)
  const inPeriod = (t: number) => t >= from && t < to
  const all = valuesOf(views)
  const collected = all.filter((f) => inPeriod(f.at.raised))
  const resolvedByLevel = zeroByLevel()
  const openByLevel = zeroByLevel()
  const durations: number[] = []
  let resolved = 0
  for (const f of collected) {
    if (f.status === 'resolved' && f.resolvedLevel && f.at.resolved !== undefined) {
      resolved++
      resolvedByLevel[f.resolvedLevel]++
      durations.push(f.at.resolved - f.at.raised)
    } else {
      openByLevel[f.currentLevel]++
    }
  }
  return {
    collected: collected.length,
    resolved,
    open: collected.length - resolved,
    resolutionRate: collected.length ? resolved / collected.length : null,
    resolvedByLevel,
    selfGovernanceShare: resolved ? (resolvedByLevel.building + resolvedByLevel.group) / resolved : null,
    medianResolutionMs: median(durations),
    openByLevel,
    resolvedInPeriod: all.filter((f) => f.status === 'resolved' && f.at.resolved !== undefined && inPeriod(f.at.resolved)).length,
  }
}
