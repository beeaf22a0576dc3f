/**
 * What every volunteer form (team, volunteer, pairing, service, its correction,
 * wish) shares: its fields as one reactive object, kept as a draft on the device
 * on every change (useFormDraft: a reload or a killed tab loses nothing; the
 * update bar asks first), the record saved under the id the draft keeps (a
 * double tap or a retry saves the same record), a refusal in words next to its
 * field with nothing typed lost, and the way back once saved.
 *
 *   const form = useVolunteerForm({ draftKey: 'volunteers.team:new', initial: () => ({ name: '', … }), worthKeeping: (f) => f.name.trim() !== '' })
 *   await form.submit((id) => store.save('volunteer.team', …, { id }))
 *
 * An edit form's `initial` is the thing as it stands and null until the
 * device's log has been read: the fields (and any draft) come once it is there.
 */
import { reactive, ref, watch, type UnwrapRef } from 'vue'
import { useRouter } from 'vue-router'
import { describeSaveError, type SaveError } from '@app/components/rounds/saveError'
import { useFormDraft } from '@app/composables/useFormDraft'
import { useUnsavedGuard } from '@app/composables/useUnsavedGuard'

export interface VolunteerFormOptions<T extends object> {
  /** the `db.drafts` key, e.g. `volunteers.team:new` or `volunteers.team:<id>` */
  draftKey: string
  /** the fields as the form opens; null while what it edits is not read yet */
  initial: () => T | null
  /** false when nothing worth keeping was typed (compared with `initial` for an edit) */
  worthKeeping: (fields: T, initial: T) => boolean
  /** where to go once saved (replaces the form in the history); none: stay */
  doneTo?: string | (() => string)
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T

export function useVolunteerForm<T extends object>(opts: VolunteerFormOptions<T>) {
  const router = useRouter()
  const fields = reactive({}) as UnwrapRef<T> & T
  /** true once the fields were filled (edit forms wait for the log) */
  const ready = ref(false)
  const saving = ref(false)
  const saved = ref(false)
  const error = ref<SaveError | null>(null)
  let start: T | null = null

  const put = (value: T) => Object.assign(fields, clone(value))
  const draft = useFormDraft<T>({
    key: () => (ready.value ? opts.draftKey : null),
    snapshot: () => clone(fields as T),
    apply: put,
    reset: () => start && put(start),
    worthKeeping: (value) => start !== null && opts.worthKeeping(value, start),
  })
  useUnsavedGuard(() => ready.value && !saved.value && start !== null && opts.worthKeeping(fields as T, start))
  // a message about a field goes once the person changes the form
  watch(() => clone(fields as T), () => (error.value = null), { deep: true })

  watch(
    opts.initial,
    (value) => {
      if (ready.value || !value) return
      start = clone(value)
      put(value)
      ready.value = true
      void draft.load()
    },
    { immediate: true },
  )

  /** Runs `save` with the form's record id; true once it is on the device (then the draft goes and the form leaves). */
  async function submit(save: (id: string) => Promise<unknown>): Promise<boolean> {
    if (saving.value || saved.value || !ready.value) return false
    saving.value = true
    error.value = null
    try {
      await save(draft.formId.value)
      saved.value = true
      await draft.done()
      if (opts.doneTo) await router.replace(typeof opts.doneTo === 'string' ? opts.doneTo : opts.doneTo())
      return true
    } catch (e) {
      error.value = describeSaveError(e)
      return false
    } finally {
      saving.value = false
    }
  }

  /** The refusal's words when it is about the field at one of `paths`, else ''. */
  const errorAt = (...paths: string[]) => (error.value && paths.includes(error.value.path) ? error.value.text : '')
  /** The refusal's words when no field among `paths` shows it. */
  const otherError = (...paths: string[]) => (error.value && !paths.includes(error.value.path) ? error.value.text : '')

  return { fields, ready, saving, saved, error, errorAt, otherError, draft, submit }
}

export type VolunteerForm = ReturnType<typeof useVolunteerForm>
