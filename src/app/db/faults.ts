/**
 * Browser storage failures, recognised and turned into errors a person can act
 * on. DOM-free: the service worker shares it.
 *
 * Dexie wraps what IndexedDB throws (a full disk aborts the transaction, so the
 * QuotaExceededError often sits in `inner` of an AbortError), so every check
 * looks through the whole chain of wrapped errors.
 */

interface ErrorLike {
  name?: unknown
  message?: unknown
  inner?: unknown
  cause?: unknown
  failures?: unknown
  code?: unknown
}

/** The error and every error it wraps, outermost first (cycles and depth capped). */
export function errorChain(error: unknown): ErrorLike[] {
  const out: ErrorLike[] = []
  const queue: unknown[] = [error]
  while (queue.length && out.length < 20) {
    const e = queue.shift()
    if (typeof e !== 'object' || e === null || out.includes(e as ErrorLike)) continue
    const like = e as ErrorLike
    out.push(like)
    queue.push(like.inner, like.cause)
    if (Array.isArray(like.failures)) queue.push(...(like.failures as unknown[]))
  }
  return out
}

const QUOTA_NAMES = new Set(['QuotaExceededError', 'NS_ERROR_DOM_QUOTA_REACHED'])

/** The disk (or the browser's share of it) is full. DOMException code 22 is the legacy QUOTA_EXCEEDED_ERR. */
export function isQuotaError(error: unknown): boolean {
  return errorChain(error).some((e) => QUOTA_NAMES.has(String(e.name)) || (e.code === 22 && String(e.name) !== 'Error'))
}

/**
 * The connection to IndexedDB went away under us: Dexie's DatabaseClosedError,
 * Safari's "Connection to Indexed Database server lost" (an UnknownError), or
 * Chrome's "The database connection is closing" (an InvalidStateError).
 * Reopening the database normally fixes all three.
 */
export function isConnectionLost(error: unknown): boolean {
  return errorChain(error).some((e) => {
    const name = String(e.name)
    const message = typeof e.message === 'string' ? e.message : ''
    if (name === 'DatabaseClosedError') return true
    if (/Connection to Indexed Database server lost/i.test(message)) return true
    return name === 'InvalidStateError' && /connection is clos/i.test(message)
  })
}

/** Words for the errors below; the page installs its translator (main.ts), the service worker keeps the Chinese. */
export type FaultWords = (key: 'storageFull' | 'databaseLost') => string

const CHINESE: Record<Parameters<FaultWords>[0], string> = {
  storageFull: '手机存储空间已满,这条记录没有保存。填写的内容还在,请先到“我的”导出未同步记录,或清理手机空间后再点保存。',
  databaseLost: '手机上的数据库暂时打不开,这条记录没有保存。填写的内容还在,请稍后再点保存;如果一直不行,请刷新页面。',
}
let words: FaultWords = (key) => CHINESE[key]

export function setFaultWords(translate: FaultWords): void {
  words = translate
}

/**
 * Saving failed because storage is full. Nothing was written (the transaction
 * aborted); the form must keep what was typed. `error.message` is the sentence
 * to show; `error.code === 'storage_full'` is how a form recognises it.
 */
export class StorageFullError extends Error {
  override readonly name = 'StorageFullError'
  readonly code = 'storage_full'

  constructor(readonly original: unknown) {
    super(words('storageFull'))
  }
}

/** The database connection was lost and reopening it once did not help. Nothing was written. */
export class DatabaseLostError extends Error {
  override readonly name = 'DatabaseLostError'
  readonly code = 'database_lost'

  constructor(readonly original: unknown) {
    super(words('databaseLost'))
  }
}

/** True for the typed storage-full error and for a raw quota error alike. */
export function isStorageFull(error: unknown): boolean {
  return error instanceof StorageFullError || isQuotaError(error)
}

type FaultListener = (error: StorageFullError | DatabaseLostError) => void
const listeners = new Set<FaultListener>()

/** The page shows a notice (with 导出) whenever a write fails for one of these reasons. */
export function onStorageFault(listener: FaultListener): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export function reportStorageFault(error: StorageFullError | DatabaseLostError): void {
  for (const l of listeners) l(error)
}

/** The sentence to show when a save failed because of the device's storage, or null for any other failure. */
export function storageFaultText(error: unknown): string | null {
  if (error instanceof StorageFullError || error instanceof DatabaseLostError) return error.message
  return isQuotaError(error) ? words('storageFull') : null
}
