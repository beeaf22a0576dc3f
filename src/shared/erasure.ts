/**
 * Erasing a household's personal data (PIPL Art. 47) by redacting payloads: the
 * records stay in the log as facts (a visit happened on that day with that outcome,
 * an item was raised and resolved at that level), but what names or describes the
 * person is rewritten out of them. The server rewrites its stored bodies when it
 * appends a `household.erasure` record; every device in scope rewrites its copies
 * when that record reaches it (pull) or is made there (save). Both run this one
 * function, so the server and every device hold the same redacted bodies.
 *
 * What goes: the profile's name and phone; a care flag's note and its category
 * (kept as `other`, so "on the care list since…" stays a fact while the sensitive
 * category goes) and consent details; a visit's note (and the notes of its
 * corrections); a feedback's description and every event's text on it; how to reach
 * the household about a 微心愿 (its `wish.address` contact).
 */
import type { AnyRecord } from './records'

/** What a redacted text field says instead (a feedback's description must not be empty). */
export const ERASED_TEXT = '〔已删除〕'

/** One body to rewrite: the record id and its redacted body. */
export interface Redaction {
  id: string
  body: Record<string, unknown>
}

/** Record types whose body names a household directly. */
const HOUSEHOLD_TYPES = new Set(['visit', 'feedback', 'care.flag', 'household.profile', 'wish.address'])

/**
 * The rewrites an erasure of `household` makes among `atBuilding` (every record
 * placed on the erasure's building: the household's own records, and the
 * corrections and feedback events that refer to them, which sit at the same place).
 * Only bodies that change are returned, so applying it twice changes nothing.
 */
export function erasureRedactions(household: string, atBuilding: readonly AnyRecord[]): Redaction[] {
  const own = atBuilding.filter((r) => HOUSEHOLD_TYPES.has(r.type) && (r.body as { household?: string }).household === household)
  const visits = new Set(own.filter((r) => r.type === 'visit').map((r) => r.id))
  const feedback = new Set(own.filter((r) => r.type === 'feedback').map((r) => r.id))
  const out: Redaction[] = []
  const changed = (r: AnyRecord, body: Record<string, unknown>) => {
    if (JSON.stringify(body) !== JSON.stringify(r.body)) out.push({ id: r.id, body })
  }
  for (const r of atBuilding) {
    switch (r.type) {
      case 'household.profile':
        if (own.includes(r)) changed(r, { household: r.body.household, displayName: '' })
        break
      case 'care.flag':
        if (own.includes(r)) {
          const { note: _note, consent: _consent, ...rest } = r.body
          changed(r, { ...rest, kind: 'other' })
        }
        break
      case 'visit':
        if (own.includes(r)) changed(r, { ...r.body, note: '' })
        break
      case 'feedback':
        if (own.includes(r)) changed(r, { ...r.body, description: ERASED_TEXT })
        break
      case 'correction':
        if (r.body.targetType === 'visit' && visits.has(r.body.target) && r.body.fields.note !== undefined) {
          changed(r, { ...r.body, fields: { ...r.body.fields, note: '' } })
        }
        break
      case 'feedback.event':
        if (feedback.has(r.body.feedback)) changed(r, { ...r.body, text: ERASED_TEXT })
        break
      case 'wish.address':
        if (own.includes(r)) changed(r, { ...r.body, contact: '' })
        break
      default:
        break
    }
  }
  return out
}

/**
 * Does `erasure` cover `record`? It does when the record was appended before it (lower
 * seq, or not yet synced), or made before it (its device time before the erasure's
 * server time): a visit written offline before the erasure and sent after it is erased too.
 */
export function erasureCovers(record: Pick<AnyRecord, 'seq' | 'clientTime'>, erasure: Pick<AnyRecord, 'seq' | 'serverTime'>): boolean {
  if (record.seq === undefined || erasure.seq === undefined || record.seq < erasure.seq) return true
  return erasure.serverTime !== undefined && Date.parse(record.clientTime) < Date.parse(erasure.serverTime)
}

/**
 * The body a record arriving after erasures at its building is stored with: redacted by
 * every erasure that covers it (`erasureCovers`), or null when none changes it.
 * `atBuilding` is what is stored at the building (to tell which visit a correction
 * amends, which feedback an event belongs to).
 */
export function redactArriving(record: AnyRecord, erasures: readonly AnyRecord[], atBuilding: readonly AnyRecord[]): Record<string, unknown> | null {
  let current: AnyRecord = record
  for (const e of erasures) {
    if (e.type !== 'household.erasure' || e.serverTime === undefined) continue
    if (Date.parse(record.clientTime) >= Date.parse(e.serverTime)) continue
    const found = erasureRedactions(e.body.household, [...atBuilding, current]).find((x) => x.id === record.id)
    if (found) current = { ...current, body: found.body } as AnyRecord
  }
  return current === record ? null : (current.body as Record<string, unknown>)
}

/**
 * A quarantined (refused) push of the erased household, as its raw JSON text: the same
 * text with the record's body redacted, or null when it is not one (another place or
 * household, or text that does not parse: a truncated copy is left as it is).
 */
export function redactQuarantined(raw: string, building: string, household: string): string | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    return null
  }
  if (typeof parsed !== 'object' || parsed === null) return null
  const r = parsed as { id?: unknown; type?: unknown; orgPath?: unknown; body?: unknown; clientTime?: unknown }
  if (r.orgPath !== building || typeof r.body !== 'object' || r.body === null || typeof r.id !== 'string') return null
  const found = erasureRedactions(household, [{ ...r, clientTime: String(r.clientTime ?? '') } as unknown as AnyRecord]).find((x) => x.id === r.id)
  return found ? JSON.stringify({ ...r, body: found.body }) : null
}
