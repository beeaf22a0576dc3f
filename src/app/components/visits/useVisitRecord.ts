/**
 * The full visit form's state and its save, in three modes: a new visit, a
 * correction of a saved one (only what changed becomes a `correction`), and
 * mending one the server refused (sent again under the same id). What is typed
 * survives every refused save; a new visit's typing survives a closed app.
 */
import { computed, ref, watch, type Ref } from 'vue'
import type { AnyRecord, Outcome, Purpose, VisitBody } from '@shared/index'
import { useRecordsStore } from '@app/stores/records'
import { changedFields, useRoundsStore } from '@app/stores/rounds'
import { useUnsavedGuard } from '@app/composables/useUnsavedGuard'
import { describeSaveError, type SaveError } from '@app/components/rounds/saveError'
import { fromLocalInput, toLocalInput } from './visitTime'

export type RecordMode = { kind: 'new'; building: string; household: string } | { kind: 'correct'; id: string } | { kind: 'fix'; id: string }

const DRAFT_DELAY_MS = 500

interface VisitDraft {
  outcome: Outcome
  purposes: Purpose[]
  note: string
  visitedAt: string
  timeTouched: boolean
}

export function draftKey(building: string, household: string): string {
  return `visits.record:${building}:${household}`
}

export function useVisitRecord(mode: Ref<RecordMode>) {
  const rounds = useRoundsStore()
  const records = useRecordsStore()

  const outcome = ref<Outcome>('met')
  const purposes = ref<Purpose[]>([])
  const note = ref('')
  const visitedAt = ref(toLocalInput(Date.now()))
  const reason = ref('')
  /** an untouched time means "now" at the moment of saving */
  const timeTouched = ref(false)
  const saving = ref(false)
  const error = ref<SaveError | null>(null)
  /** the place of the visit, known at once for a new one, once loaded otherwise */
  const place = ref<{ building: string; household: string } | null>(null)
  const missing = ref(false)
  /** the refused visit being mended */
  const refused = ref<AnyRecord<'visit'> | null>(null)

  const dirty = computed(() => note.value !== '' || purposes.value.length > 0 || mode.value.kind !== 'new')
  useUnsavedGuard(dirty)

  let filling = false
  watch(visitedAt, () => {
    if (!filling) timeTouched.value = true
  })

  function fill(v: Pick<VisitBody, 'outcome' | 'purposes' | 'note' | 'visitedAt'>): void {
    filling = true
    outcome.value = v.outcome
    purposes.value = [...v.purposes]
    note.value = v.note
    visitedAt.value = toLocalInput(v.visitedAt)
    void Promise.resolve().then(() => (filling = false))
  }

  let draftTimer: ReturnType<typeof setTimeout> | undefined
  watch([outcome, purposes, note, visitedAt], () => {
    const m = mode.value
    if (m.kind !== 'new') return
    clearTimeout(draftTimer)
    const value: VisitDraft = { outcome: outcome.value, purposes: [...purposes.value], note: note.value, visitedAt: visitedAt.value, timeTouched: timeTouched.value }
    draftTimer = setTimeout(() => void records.keepDraft(draftKey(m.building, m.household), value).catch(() => undefined), DRAFT_DELAY_MS)
  })

  async function load(): Promise<void> {
    const m = mode.value
    missing.value = false
    if (m.kind === 'new') {
      place.value = { building: m.building, household: m.household }
      const saved = await records.draft<VisitDraft>(draftKey(m.building, m.household)).catch(() => undefined)
      if (!saved || note.value || purposes.value.length) return
      filling = true
      outcome.value = saved.outcome
      purposes.value = [...saved.purposes]
      note.value = saved.note
      visitedAt.value = saved.visitedAt
      timeTouched.value = saved.timeTouched
      void Promise.resolve().then(() => (filling = false))
      return
    }
    await rounds.whenLoaded()
    const record = await records.find(m.id)
    if (!record || record.type !== 'visit') {
      missing.value = true
      return
    }
    const visit = record as AnyRecord<'visit'>
    place.value = { building: visit.orgPath, household: visit.body.household }
    if (m.kind === 'fix') refused.value = visit
    // a correction starts from the visit as corrected so far
    fill(m.kind === 'correct' ? (rounds.visits.get(m.id) ?? visit.body) : visit.body)
  }

  function chosenTime(fallback: string): string {
    return timeTouched.value ? fromLocalInput(visitedAt.value) : fallback
  }

  /** Saves; resolves to the visit's id, or null when refused (the error says why, the typing stays). */
  async function submit(): Promise<string | null> {
    const m = mode.value
    if (saving.value || !place.value) return null
    saving.value = true
    error.value = null
    try {
      const fields = { outcome: outcome.value, purposes: [...purposes.value], note: note.value }
      if (m.kind === 'new') {
        const body: VisitBody = { household: place.value.household, ...fields, visitedAt: chosenTime(new Date().toISOString()) }
        const record = await rounds.logVisit(place.value.building, body)
        clearTimeout(draftTimer)
        await records.dropDraft(draftKey(m.building, m.household)).catch(() => undefined)
        return record.id
      }
      if (m.kind === 'correct') {
        const current = rounds.visits.get(m.id)
        if (!current) throw new Error('not found')
        await rounds.correctVisit(m.id, changedFields(current, { ...fields, visitedAt: chosenTime(current.visitedAt) }), reason.value)
        return m.id
      }
      const original = refused.value!
      const timeWasWrong = (records.outbox.get(m.id)?.path ?? '').startsWith('body.visitedAt')
      const body: VisitBody = { household: place.value.household, ...fields, visitedAt: chosenTime(timeWasWrong ? new Date().toISOString() : original.body.visitedAt) }
      await records.resend<'visit'>(m.id, body)
      return m.id
    } catch (e) {
      error.value = describeSaveError(e)
      return null
    } finally {
      saving.value = false
    }
  }

  return { outcome, purposes, note, visitedAt, reason, saving, error, place, missing, refused, load, submit }
}
