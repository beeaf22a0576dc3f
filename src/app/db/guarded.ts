/**
 * Every write the app makes goes through `guardedWrite`: a lost connection is
 * retried once on a freshly opened database (the write is one transaction, so a
 * failed attempt left nothing behind and running it again is safe), and a full
 * disk becomes a StorageFullError with words for the person.
 */
import type Dexie from 'dexie'
import { DatabaseLostError, isConnectionLost, isQuotaError, reportStorageFault, StorageFullError } from './faults'

async function reopen(db: Dexie): Promise<void> {
  try {
    db.close()
  } catch {
    // already closed
  }
  await db.open()
}

function surfaced(error: unknown): unknown {
  let typed: StorageFullError | DatabaseLostError | null = null
  if (error instanceof StorageFullError || error instanceof DatabaseLostError) typed = error
  else if (isQuotaError(error)) typed = new StorageFullError(error)
  else if (isConnectionLost(error)) typed = new DatabaseLostError(error)
  if (!typed) return error
  reportStorageFault(typed)
  return typed
}

export async function guardedWrite<T>(db: Dexie, write: () => Promise<T>): Promise<T> {
  try {
    return await write()
  } catch (first) {
    if (!isConnectionLost(first)) throw surfaced(first)
    try {
      await reopen(db)
      return await write()
    } catch (second) {
      throw surfaced(second)
    }
  }
}
