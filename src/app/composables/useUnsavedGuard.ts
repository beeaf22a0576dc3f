import { computed, getCurrentScope, onScopeDispose, shallowReactive, toValue, type MaybeRefOrGetter } from 'vue'

/** One entry per mounted form; a form that goes away stops counting. */
const sources = shallowReactive(new Set<MaybeRefOrGetter<boolean>>())

/**
 * A form calls this with "has typed text not yet saved". While any such form is
 * on screen, the update bar asks before reloading.
 *
 *   const dirty = computed(() => note.value !== '')
 *   useUnsavedGuard(dirty)
 */
export function useUnsavedGuard(dirty: MaybeRefOrGetter<boolean>): void {
  sources.add(dirty)
  if (getCurrentScope()) onScopeDispose(() => sources.delete(dirty))
}

export const hasUnsavedChanges = computed(() => [...sources].some((s) => toValue(s)))
