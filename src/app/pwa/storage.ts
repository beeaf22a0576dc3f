import { reactive } from 'vue'

/** What 我的 shows about the device's storage. */
export const storageStatus = reactive({ persisted: null as boolean | null, usedMB: null as number | null })

export async function refreshStorageStatus(): Promise<void> {
  const storage = navigator.storage
  if (!storage) return
  storageStatus.persisted = (await storage.persisted?.()) ?? null
  const estimate = await storage.estimate?.()
  if (estimate?.usage !== undefined) storageStatus.usedMB = Math.round((estimate.usage / 1024 / 1024) * 10) / 10
}

/**
 * Asks once, right after the first login, that the browser never evicts this
 * site's data: unsynced visits live only here. Chrome answers silently from its
 * own rules; Firefox asks the person.
 */
export async function requestPersistentStorage(): Promise<void> {
  try {
    if (!navigator.storage?.persist || (await navigator.storage.persisted())) return
    await navigator.storage.persist()
  } catch {
    // not offered in this browser: nothing to do
  } finally {
    await refreshStorageStatus().catch(() => undefined)
  }
}
