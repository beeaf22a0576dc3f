/**
 * Looking for a new version. The service worker itself decides nothing: a found
 * update waits until the person taps 刷新 (PwaUpdatePrompt).
 */
const HOURLY = 60 * 60 * 1000

let registration: ServiceWorkerRegistration | undefined
let started = false

/** Asks the browser to fetch sw.js again; resolves false when there is nothing to ask. */
export async function checkForUpdate(): Promise<boolean> {
  if (!registration || !navigator.onLine) return false
  // an installing worker means a check is already underway
  if (registration.installing) return true
  try {
    await registration.update()
    return true
  } catch {
    // offline or the server is down: the next check will try again
    return false
  }
}

declare global {
  interface Window {
    /** for the end-to-end test, which deploys a new build and then asks */
    __loudongCheckForUpdate?: () => Promise<boolean>
  }
}

export function startUpdateChecks(reg: ServiceWorkerRegistration | undefined): void {
  registration = reg
  window.__loudongCheckForUpdate = checkForUpdate
  if (started || !reg) return
  started = true
  setInterval(() => void checkForUpdate(), HOURLY)
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void checkForUpdate()
  })
}
