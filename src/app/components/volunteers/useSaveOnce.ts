import { ref } from 'vue'
import { uuidv7 } from '@shared/index'
import { describeSaveError, type SaveError } from '@app/components/rounds/saveError'

/**
 * A volunteer form's save: the record id is made when the form opens, so a
 * double tap or a retry saves the same record (saving is idempotent on the id);
 * a refusal comes back in words, next to its field, with nothing typed lost.
 */
export function useSaveOnce() {
  const id = uuidv7()
  const saving = ref(false)
  const saved = ref(false)
  const error = ref<SaveError | null>(null)
  /** Runs `save` with the form's id; true once it is on the device. */
  async function run(save: (id: string) => Promise<unknown>): Promise<boolean> {
    if (saving.value) return false
    saving.value = true
    error.value = null
    try {
      await save(id)
      saved.value = true
      return true
    } catch (e) {
      error.value = describeSaveError(e)
      return false
    } finally {
      saving.value = false
    }
  }
  const errorAt = (path: string) => (error.value && error.value.path === path ? error.value.text : '')
  const otherError = (...paths: string[]) => (error.value && !paths.includes(error.value.path) ? error.value.text : '')
  return { id, saving, saved, error, run, errorAt, otherError }
}
