/**
 * State is a fold over the log. The same functions run on the device and on the
 * server. Order is the server's `seq`; records the server has not seen yet come
 * after all seen ones, in the order they were made on this device.
 */
import { AMENDABLE_TYPES, type AmendableType, type AnyRecord, type CorrectionBody, type Outcome, type Purpose, type RecordIssue, type VoidBody } from './records'

/** Server order first; unsynced records after, in local creation order (UUIDv7 ids sort by creation). */
export function compareRecords(a: AnyRecord, b: AnyRecord): number {
  if (a.seq !== undefined && b.seq !== undefined) return a.seq - b.seq
  if (a.seq !== undefined) return -1
  if (b.seq !== undefined) return 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

export function inLogOrder<T extends AnyRecord>(records: readonly T[]): T[] {
  return [...records].sort(compareRecords)
}

export interface ChangeEntry {
  recordId: string
  kind: 'correction' | 'void'
  authorId: string
  clientTime: string
  /** for corrections: field → [before, after] */
  changes?: Record<string, [unknown, unknown]>
  reason?: string
}

/** What a view that corrections and voids can change carries. */
export interface Amendable {
  id: string
  voided: boolean
  /** what corrections and voids did, oldest first */
  history: ChangeEntry[]
}

/**
 * Says whether a corrected field may take a value, given the rest of the view.
 * For invariants across fields that a correction alone cannot be checked for
 * (a reading session's end before its immutable start, say): the device and
 * server refuse such corrections, and the fold skips them should one slip by.
 */
export type FieldGuard<V> = (view: V, field: string, value: unknown) => boolean

// Values are shared with the record they came from; copy so a view can never alter a record.
function copyValue(value: unknown): unknown {
  if (!Array.isArray(value)) return value
  return value.map((item: unknown) => (item !== null && typeof item === 'object' ? { ...item } : item))
}

/**
 * Applies corrections and voids of one target type to its views, in log order.
 * A void hides a view from lists and counts but it stays (voided: true) so its
 * history can still be shown. Corrections and voids whose target is unknown are
 * ignored until it arrives; nothing changes a voided view any more. A correction
 * only touches views of the type it names, so it can never reach feedback.
 */
export function applyAmendments<V extends Amendable>(
  views: Map<string, V>,
  records: readonly AnyRecord[],
  targetType: AmendableType,
  guard?: FieldGuard<V>,
): Map<string, V> {
  for (const r of inLogOrder(records)) {
    if (r.type === 'correction') {
      const b = r.body
      if (b.targetType !== targetType) continue
      const target = views.get(b.target)
      if (!target || target.voided) continue
      const changes: Record<string, [unknown, unknown]> = {}
      const fields = target as unknown as Record<string, unknown>
      for (const [k, after] of Object.entries(b.fields)) {
        if (after === undefined) continue
        if (guard && !guard(target, k, after)) continue
        changes[k] = [fields[k], after]
        fields[k] = copyValue(after)
      }
      target.history.push({ recordId: r.id, kind: 'correction', authorId: r.authorId, clientTime: r.clientTime, changes, ...(b.reason ? { reason: b.reason } : {}) })
    } else if (r.type === 'void') {
      const b = r.body
      const target = views.get(b.target)
      if (!target || target.voided) continue
      target.voided = true
      target.history.push({ recordId: r.id, kind: 'void', authorId: r.authorId, clientTime: r.clientTime, reason: b.reason })
    }
  }
  return views
}

export interface VisitView extends Amendable {
  orgPath: string
  household: string
  outcome: Outcome
  purposes: Purpose[]
  note: string
  visitedAt: string
  authorId: string
  seq?: number
}

/** Folds visits with their corrections and voids (see applyAmendments). */
export function foldVisits(records: readonly AnyRecord[]): Map<string, VisitView> {
  const visits = new Map<string, VisitView>()
  for (const r of inLogOrder(records)) {
    if (r.type === 'visit') {
      const b = r.body
      visits.set(r.id, {
        id: r.id,
        orgPath: r.orgPath,
        household: b.household,
        outcome: b.outcome,
        purposes: [...b.purposes],
        note: b.note,
        visitedAt: b.visitedAt,
        authorId: r.authorId,
        ...(r.seq !== undefined ? { seq: r.seq } : {}),
        voided: false,
        history: [],
      })
    }
  }
  return applyAmendments(visits, records, 'visit')
}

/** Live (not voided) visits, newest visit first. */
export function liveVisits(visits: Map<string, VisitView>): VisitView[] {
  return [...visits.values()].filter((v) => !v.voided).sort((a, b) => (a.visitedAt < b.visitedAt ? 1 : a.visitedAt > b.visitedAt ? -1 : 0))
}

/**
 * Context check of a `correction` or `void` against the record it targets, for
 * the device before saving and the server before accepting: the target exists
 * (`unknown_target`), is of a kind that can be amended and, for a correction,
 * of the kind it names (`not_amendable`: feedback is mended by its events), and
 * lies at the same orgPath so the same people see both (`out_of_scope`).
 */
export function checkAmendment(
  amendment: { type: 'correction'; orgPath: string; body: CorrectionBody } | { type: 'void'; orgPath: string; body: VoidBody },
  target: Pick<AnyRecord, 'type' | 'orgPath'> | undefined,
): RecordIssue | null {
  if (!target) return { code: 'unknown_target', path: 'body.target' }
  if (!(AMENDABLE_TYPES as readonly string[]).includes(target.type)) return { code: 'not_amendable', path: 'body.target' }
  if (amendment.type === 'correction' && amendment.body.targetType !== target.type) {
    return { code: 'not_amendable', path: 'body.targetType' }
  }
  if (amendment.orgPath !== target.orgPath) return { code: 'out_of_scope', path: 'orgPath' }
  return null
}
