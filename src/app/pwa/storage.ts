import { reactive } from 'vue'

/** Above this share of the quota 我的 warns: a full disk refuses new records. */
export const NEARLY_FULL = 0.8

/** What 我的 shows about the device's storage. */
export const storageStatus = reactive({
  persisted: null as boolean | null,
  usedMB: null as number | null,
  quotaMB: null as number | null,
  /** usage / quota, 0..1; null when the browser does not say */
  ratio: null as number | null,
})

const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10

export async function refreshStorageStatus(): Promise<void> {
  const storage = globalThis.navigator?.storage
  if (!storage) return
  storageStatus.persisted = (await storage.persisted?.()) ?? null
  const estimate = await storage.estimate?.()
  if (estimate?.usage !== undefined) storageStatus.usedMB = mb(estimate.usage)
  if (estimate?.quota) {
    storageStatus.quotaMB = mb(estimate.quota)
    storageStatus.ratio = (estimate.usage ?? 0) / estimate.quota
  }
}

/** Usage has passed 80% of what the browser allows this site. */
export function nearlyFull(ratio: number | null): boolean {
  return ratio !== null && ratio >= NEARLY_FULL
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
