/**
 * After a deploy, a tab still running the old build asks for lazy chunks that
 * no longer exist. One reload fetches the new build; a second failure soon
 * after means something else is wrong (offline with no service worker, a broken
 * deploy), and reloading again would loop forever — so it is shown instead.
 */
import { ref } from 'vue'

export const CHUNK_RELOAD_KEY = 'loudong.chunkReloadAt'

/** Set when a chunk failed and the one reload was already spent: the shell says so instead of staying blank. */
export const chunkFailedForGood = ref(false)
/** a reload less than this long ago does not earn another */
export const CHUNK_RELOAD_WINDOW_MS = 60_000

const CHUNK_FAILURE = [
  /Failed to fetch dynamically imported module/i,
  /error loading dynamically imported module/i,
  /Importing a module script failed/i,
  /Unable to preload CSS/i,
]

export function isChunkLoadError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const { name, message } = error as { name?: unknown; message?: unknown }
  if (name === 'ChunkLoadError') return true
  return typeof message === 'string' && CHUNK_FAILURE.some((re) => re.test(message))
}

interface KeyValue {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
}

/**
 * Reloads once for a chunk failure; returns whether it did. The guard lives in
 * sessionStorage: it survives the reload but not closing the tab. Offline it never
 * reloads: no new build can arrive, and the chunk is one the service worker keeps only
 * after a first use online (pwa/lazyChunks.ts), so the shell says to try with a network.
 */
export function reloadOnceForChunk(error: unknown, deps: { storage: KeyValue | null; now: number; reload: () => void; online?: boolean }): boolean {
  if (!isChunkLoadError(error)) return false
  if (deps.online === false) return false
  try {
    const last = Number(deps.storage?.getItem(CHUNK_RELOAD_KEY) ?? 0)
    if (deps.now - last < CHUNK_RELOAD_WINDOW_MS) return false
    deps.storage?.setItem(CHUNK_RELOAD_KEY, String(deps.now))
  } catch {
    // no sessionStorage (blocked): without a guard, reloading could loop
    return false
  }
  deps.reload()
  return true
}

function sessionStore(): KeyValue | null {
  try {
    return globalThis.sessionStorage ?? null
  } catch {
    return null
  }
}

/** The browser-bound version router/index.ts uses. */
export function handleChunkFailure(error: unknown): boolean {
  const reloading = reloadOnceForChunk(error, { storage: sessionStore(), now: Date.now(), reload: () => globalThis.location.reload(), online: globalThis.navigator?.onLine ?? true })
  if (!reloading && isChunkLoadError(error)) chunkFailedForGood.value = true
  return reloading
}
