/**
 * One form's draft and id, kept on the device while the person types.
 *
 * - Written on every change (not debounced), so a reload a fraction of a second
 *   after the last keystroke keeps the words. A form emptied again drops its draft.
 * - The form's record id is made when the form opens and kept in the draft, so a
 *   double tap, a retry after a reload or a replay saves the same record
 *   (saveRecord is idempotent on the id).
 * - A draft younger than `staleMs` (a day) comes back at once and says so
 *   (`state` 'restored'); an older one is only offered (`state` 'offered') until
 *   the person takes it (`useOffered`) or throws it away (`discard`).
 * - A draft whose id is already a saved record (the drop after saving was lost)
 *   is dropped, never shown again.
 */
import { ref, watch } from 'vue'
import { DAY_MS, uuidv7 } from '@shared/index'
import { useRecordsStore } from '@app/stores/records'

/** A draft untouched this long is offered, not applied: its outcome and time may no longer be true. */
export const DRAFT_STALE_MS = DAY_MS

export type DraftState = 'none' | 'restored' | 'offered'

/** What `db.drafts` holds for one form. */
export interface FormDraftValue<T> {
  formId: string
  value: T
}

export interface FormDraftOptions<T> {
  /** the `db.drafts` key; null while the form keeps no draft (a correction, a closed form) */
  key: () => string | null
  /** the form's fields now, as plain JSON */
  snapshot: () => T
  /** puts a kept draft back into the fields; `stale` when it was offered and taken */
  apply: (value: T, how: { stale: boolean }) => void
  /** empties the fields (discard) */
  reset: () => void
  /** false when nothing worth keeping was typed: the draft is dropped instead */
  worthKeeping: (value: T) => boolean
  staleMs?: number
}

/** A draft row's value as an envelope; a draft kept by an earlier version (the bare fields) gets a new id. */
function envelope<T>(value: unknown): FormDraftValue<T> | null {
  if (!value || typeof value !== 'object') return null
  if ('formId' in value && 'value' in value && typeof value.formId === 'string') return value as FormDraftValue<T>
  return { formId: uuidv7(), value: value as T }
}

export function useFormDraft<T>(opts: FormDraftOptions<T>) {
  const records = useRecordsStore()
  const staleMs = opts.staleMs ?? DRAFT_STALE_MS
  /** the id the form's record will be saved under */
  const formId = ref(uuidv7())
  const state = ref<DraftState>('none')
  /** device time the shown or offered draft was last written, ms */
  const savedAt = ref<number | null>(null)
  let offered: FormDraftValue<T> | null = null
  /** writes start once the kept draft was read, so the empty form never overwrites it */
  let writing = false
  let applying = false

  function write(): void {
    const key = opts.key()
    if (!writing || applying || !key) return
    const value = opts.snapshot()
    const kept: FormDraftValue<T> = { formId: formId.value, value }
    void (opts.worthKeeping(value) ? records.keepDraft(key, kept) : records.dropDraft(key)).catch(() => undefined)
  }
  watch(() => opts.snapshot(), write, { deep: true, flush: 'sync' })

  function put(value: T, stale: boolean): void {
    applying = true
    try {
      opts.apply(value, { stale })
    } finally {
      applying = false
    }
  }

  /** Reads the kept draft for the current key (call on open and when the key changes). */
  async function load(now = Date.now()): Promise<void> {
    writing = false
    offered = null
    state.value = 'none'
    savedAt.value = null
    formId.value = uuidv7()
    const key = opts.key()
    const row = key ? await records.draftRow<FormDraftValue<T>>(key).catch(() => undefined) : undefined
    const kept = row ? envelope<T>(row.value) : null
    if (key && row && kept) {
      if (await records.find(kept.formId)) await records.dropDraft(key).catch(() => undefined)
      else if (opts.worthKeeping(kept.value)) {
        savedAt.value = row.updatedAt
        if (now - row.updatedAt > staleMs) {
          offered = kept
          state.value = 'offered'
        } else {
          formId.value = kept.formId
          put(kept.value, false)
          state.value = 'restored'
        }
      }
    }
    writing = true
  }

  /** Takes the offered (stale) draft: its words come back, under its id. */
  function useOffered(): void {
    if (!offered) return
    formId.value = offered.formId
    put(offered.value, true)
    offered = null
    state.value = 'restored'
    write()
  }

  /** Throws the kept draft away and empties the form. */
  async function discard(): Promise<void> {
    const key = opts.key()
    offered = null
    state.value = 'none'
    savedAt.value = null
    applying = true
    try {
      opts.reset()
    } finally {
      applying = false
    }
    formId.value = uuidv7()
    if (key) await records.dropDraft(key).catch(() => undefined)
  }

  /** After the save: the words are a record now; stop keeping them. */
  async function done(): Promise<void> {
    writing = false
    state.value = 'none'
    offered = null
    const key = opts.key()
    if (key) await records.dropDraft(key).catch(() => undefined)
  }

  /** Keeps writing again for the same form (after `done`, when the form stays open for another record). */
  function restart(): void {
    formId.value = uuidv7()
    writing = true
  }

  return { formId, state, savedAt, load, useOffered, discard, done, restart }
}
