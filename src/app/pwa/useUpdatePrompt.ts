import { ref, type Ref } from 'vue'
import { hasUnsavedChanges } from '@app/composables/useUnsavedGuard'

export interface RegisterSW {
  needRefresh: Ref<boolean>
  updateServiceWorker: (reloadPage?: boolean) => Promise<void>
}

/**
 * What the update bar does, apart from registering the worker (PwaUpdatePrompt.vue
 * is the one place that calls useRegisterSW). Nothing here reloads unless the
 * person tapped 刷新, and a form with unsaved text gets a question first.
 */
export function useUpdatePrompt(sw: RegisterSW, reload: () => void = () => window.location.reload()) {
  /** set only by a tap on 刷新 */
  let userAsked = false
  /** a new worker already controls this page (another tab was refreshed first) */
  let alreadyActive = false

  const hidden = ref(false)
  const confirming = ref(false)

  /** Give to useRegisterSW as onNeedReload: the new worker has taken control. */
  function onNeedReload(): void {
    if (userAsked) reload()
    else {
      alreadyActive = true
      sw.needRefresh.value = true
    }
  }

  async function refresh(): Promise<void> {
    confirming.value = false
    userAsked = true
    if (alreadyActive) return reload()
    await sw.updateServiceWorker()
    // normally the new worker takes over at once and onNeedReload fires; if it was already gone, reload anyway
    setTimeout(reload, 5000)
  }

  function tapRefresh(): void {
    if (hasUnsavedChanges.value) confirming.value = true
    else void refresh()
  }

  return { hidden, confirming, onNeedReload, refresh, tapRefresh }
}
