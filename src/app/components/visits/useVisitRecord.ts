/**
 * The full visit form's state and its save, in three modes: a new visit, a
 * correction of a saved one (only what changed becomes a `correction`), and
 * mending one the server refused (sent again under the same id). What is typed
 * survives every refused save; a new visit's typing survives a closed app
 * (useFormDraft: written on every change, an old draft only offered, its time
 * "now" unless the person set it). A new visit is saved under the id made when
 * the form opened, and once saved the form answers every further tap with that
 * same visit: a double tap is one visit.
 */
import { computed, ref, watch, type Ref } from 'vue'
import type { AnyRecord, Outcome, Purpose, VisitBody } from '@shared/index'
import { useRecordsStore } from '@app/stores/records'
import { changedFields, useRoundsStore } from '@app/stores/rounds'
import { useUnsavedGuard } from '@app/composables/useUnsavedGuard'
import { useFormDraft } from '@app/composables/useFormDraft'
import { describeSaveError, type SaveError } from '@app/components/rounds/saveError'
import { fromLocalInput, toLocalInput } from './visitTime'

export type RecordMode = { kind: 'new'; building: string; household: string } | { kind: 'correct'; id: string } | { kind: 'fix'; id: string }

export interface VisitDraft {
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

  /** the visit this form saved (a new one): further taps answer with it, never save again */
  const savedId = ref<string | null>(null)

  let filling = false
  watch(visitedAt, () => {
    if (!filling) timeTouched.value = true
  }, { flush: 'sync' })

  function fillTime(value: string, touched: boolean): void {
    filling = true
    visitedAt.value = value
    timeTouched.value = touched
    filling = false
  }

  function fill(v: Pick<VisitBody, 'outcome' | 'purposes' | 'note' | 'visitedAt'>): void {
    outcome.value = v.outcome
    purposes.value = [...v.purposes]
    note.value = v.note
    fillTime(toLocalInput(v.visitedAt), false)
  }

  const draft = useFormDraft<VisitDraft>({
    key: () => (mode.value.kind === 'new' ? draftKey(mode.value.building, mode.value.household) : null),
    snapshot: () => ({ outcome: outcome.value, purposes: [...purposes.value], note: note.value, visitedAt: visitedAt.value, timeTouched: timeTouched.value }),
    apply: (d) => {
      outcome.value = d.outcome
      purposes.value = [...d.purposes]
      note.value = d.note
      // the time comes back only if the person set it; otherwise it is now, not when the draft was typed
      fillTime(d.timeTouched ? d.visitedAt : toLocalInput(Date.now()), d.timeTouched)
    },
    reset: () => {
      outcome.value = 'met'
      purposes.value = []
      note.value = ''
      fillTime(toLocalInput(Date.now()), false)
    },
    worthKeeping: (d) => d.note.trim() !== '' || d.purposes.length > 0 || d.outcome !== 'met' || d.timeTouched,
  })

  async function load(): Promise<void> {
    const m = mode.value
    missing.value = false
    savedId.value = null
    if (m.kind === 'new') {
      place.value = { building: m.building, household: m.household }
      await draft.load()
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
    fill(m.kind === 'correct' ? ((await rounds.visitView(m.id)) ?? visit.body) : visit.body)
  }

  function chosenTime(fallback: string): string {
    return timeTouched.value ? fromLocalInput(visitedAt.value) : fallback
  }

  /** Saves; resolves to the visit's id, or null when refused (the error says why, the typing stays). */
  async function submit(): Promise<string | null> {
    const m = mode.value
    if (savedId.value) return savedId.value
    if (saving.value || !place.value) return null
    saving.value = true
    error.value = null
    try {
      const fields = { outcome: outcome.value, purposes: [...purposes.value], note: note.value }
      if (m.kind === 'new') {
        const body: VisitBody = { household: place.value.household, ...fields, visitedAt: chosenTime(new Date().toISOString()) }
        const record = await rounds.logVisit(place.value.building, body, { id: draft.formId.value })
        savedId.value = record.id
        await draft.done()
        return record.id
      }
      if (m.kind === 'correct') {
        const current = await rounds.visitView(m.id)
        if (!current) throw new Error('not found')
        await rounds.correctVisit(m.id, changedFields(current, { ...fields, visitedAt: chosenTime(current.visitedAt) }), reason.value)
        savedId.value = m.id // a second tap must not save a second correction
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

  return { outcome, purposes, note, visitedAt, reason, saving, saved: computed(() => savedId.value !== null), error, place, missing, refused, draft, load, submit }
}
