/**
 * The quick visit's state and its save: what is picked and typed survives any
 * failed save, and fix mode reopens a refused visit with its content filled in.
 */
import { computed, ref, watch } from 'vue'
import { message, roomLabel, type AnyRecord, type Outcome, type Purpose, type VisitBody } from '@shared/index'
import { locale, t } from '@app/i18n'
import { useRecordsStore } from '@app/stores/records'
import { RecordShapeError } from '@app/sync/errors'
import { fieldText } from '@app/components/sync/words'
import { useUnsavedGuard } from '@app/composables/useUnsavedGuard'
import type { FormError } from './VisitForm.vue'

const DRAFT_KEY = 'visits.quick'
const DRAFT_DELAY_MS = 500

interface QuickDraft {
  building: string | null
  unit: number | null
  household: string | null
  outcome: Outcome
  purposes: Purpose[]
  note: string
}

function describe(error: unknown): FormError {
  if (error instanceof RecordShapeError) {
    return { text: t('visits.errors.field', { field: fieldText(error.path), message: message(error.code, locale.value) }), path: error.path }
  }
  if (error instanceof Error && error.message === 'not signed in') return { text: t('visits.errors.notSignedIn'), path: '' }
  return { text: t('visits.errors.notSaved'), path: '' }
}

export function useVisitEntry() {
  const records = useRecordsStore()

  const building = ref<string | null>(null)
  const unit = ref<number | null>(null)
  const household = ref<string | null>(null)
  const outcome = ref<Outcome>('met')
  const purposes = ref<Purpose[]>([])
  const note = ref('')

  const saving = ref(false)
  const error = ref<FormError | null>(null)
  /** what the last save did, said at once */
  const saved = ref('')
  /** the refused visit being mended, if any */
  const fixing = ref<AnyRecord<'visit'> | null>(null)
  /** the field the server refused, to take a fresh time when the time was wrong */
  const fixPath = ref('')

  const ready = computed(() => building.value !== null && household.value !== null)
  /** typing that would be lost: a note, chosen purposes, or a visit being mended */
  const dirty = computed(() => note.value !== '' || purposes.value.length > 0 || fixing.value !== null)
  useUnsavedGuard(dirty)

  // Only the new-visit form is drafted; a visit being mended is already saved as a record.
  let draftTimer: ReturnType<typeof setTimeout> | undefined
  watch([building, unit, household, outcome, purposes, note], () => {
    if (fixing.value) return
    clearTimeout(draftTimer)
    const value: QuickDraft = { building: building.value, unit: unit.value, household: household.value, outcome: outcome.value, purposes: [...purposes.value], note: note.value }
    draftTimer = setTimeout(() => void records.keepDraft(DRAFT_KEY, value).catch(() => undefined), DRAFT_DELAY_MS)
  })

  /** Brings back what was typed before the app closed, unless something is already picked. */
  async function restoreDraft(): Promise<void> {
    const saved = await records.draft<QuickDraft>(DRAFT_KEY).catch(() => undefined)
    if (!saved || fixing.value || household.value || note.value) return
    building.value = saved.building
    unit.value = saved.unit
    household.value = saved.household
    outcome.value = saved.outcome
    purposes.value = [...saved.purposes]
    note.value = saved.note
  }

  function resetForNextDoor(): void {
    household.value = null
    outcome.value = 'met'
    purposes.value = []
    note.value = ''
  }

  async function openFix(id: string): Promise<boolean> {
    const record = await records.find(id)
    if (!record || record.type !== 'visit') {
      error.value = { text: t('visits.errors.notFound'), path: '' }
      return false
    }
    const visit = record as AnyRecord<'visit'>
    fixing.value = visit
    fixPath.value = records.outbox.get(id)?.path ?? ''
    building.value = visit.orgPath
    unit.value = Number(visit.body.household.split('-')[0]) || null
    household.value = visit.body.household
    outcome.value = visit.body.outcome
    purposes.value = [...visit.body.purposes]
    note.value = visit.body.note
    error.value = null
    saved.value = ''
    return true
  }

  function closeFix(): void {
    fixing.value = null
    fixPath.value = ''
    error.value = null
    resetForNextDoor()
  }

  async function submit(): Promise<boolean> {
    if (!building.value || !household.value || saving.value) return false
    const original = fixing.value
    const body: VisitBody = {
      household: household.value,
      outcome: outcome.value,
      purposes: [...purposes.value],
      note: note.value,
      visitedAt: original && !fixPath.value.startsWith('body.visitedAt') ? original.body.visitedAt : new Date().toISOString(),
    }
    saving.value = true
    error.value = null
    saved.value = ''
    try {
      if (original) {
        await records.resend<'visit'>(original.id, body)
        saved.value = t('visits.fixDone')
        closeFix()
      } else {
        await records.save('visit', building.value, body)
        clearTimeout(draftTimer)
        await records.dropDraft(DRAFT_KEY).catch(() => undefined)
        saved.value = t('visits.saved', { room: roomLabel(body.household), outcome: t(`visits.outcomes.${body.outcome}`) })
        resetForNextDoor()
      }
      return true
    } catch (e) {
      error.value = describe(e)
      return false
    } finally {
      saving.value = false
    }
  }

  return { building, unit, household, outcome, purposes, note, saving, error, saved, fixing, ready, restoreDraft, openFix, closeFix, submit }
}
