/**
 * State is a fold over the log. The same functions run on the device and on the
 * server. Order is the server's `seq`; records the server has not seen yet come
 * after all seen ones, in the order they were made on this device.
 */
import type { AnyRecord, CorrectionBody, Outcome, Purpose, VoidBody } from './records'

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

export interface VisitView {
  id: string
  orgPath: string
  household: string
  outcome: Outcome
  purposes: Purpose[]
  note: string
  visitedAt: string
  authorId: string
  seq?: number
  voided: boolean
  /** what corrections and voids did, oldest first */
  history: ChangeEntry[]
}

/**
 * Folds visits with their corrections and voids. A void hides a visit from lists
 * and counts but it stays here (voided: true) so its history can still be shown.
 * Corrections and voids whose target is unknown are ignored until it arrives.
 */
export function foldVisits(records: readonly AnyRecord[]): Map<string, VisitView> {
  const visits = new Map<string, VisitView>()
  for (const r of inLogOrder(records)) {
    if (r.type === 'visit') {
      const b = r.body as AnyRecord<'visit'>['body']
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
  for (const r of inLogOrder(records)) {
    if (r.type === 'correction') {
      const b = r.body as CorrectionBody
      const target = visits.get(b.target)
      if (!target || target.voided) continue
      const changes: Record<string, [unknown, unknown]> = {}
      for (const [k, after] of Object.entries(b.fields)) {
        if (after === undefined) continue
        const key = k as keyof typeof b.fields
        const before = target[key]
        changes[k] = [before, after]
        ;(target as unknown as Record<string, unknown>)[k] = Array.isArray(after) ? [...after] : after
      }
      target.history.push({ recordId: r.id, kind: 'correction', authorId: r.authorId, clientTime: r.clientTime, changes, ...(b.reason ? { reason: b.reason } : {}) })
    } else if (r.type === 'void') {
      const b = r.body as VoidBody
      const target = visits.get(b.target)
      if (!target || target.voided) continue
      target.voided = true
      target.history.push({ recordId: r.id, kind: 'void', authorId: r.authorId, clientTime: r.clientTime, reason: b.reason })
    }
  }
  return visits
}

/** Live (not voided) visits, newest visit first. */
export function liveVisits(visits: Map<string, VisitView>): VisitView[] {
  return [...visits.values()].filter((v) => !v.voided).sort((a, b) => (a.visitedAt < b.visitedAt ? 1 : a.visitedAt > b.visitedAt ? -1 : 0))
}
