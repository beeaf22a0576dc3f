import type { OutboxEntry } from '@app/db/schema'
import type { RecoveryProgress } from './restored'

/**
 * What a sync run ended in, for people: idle (all sent), offline / retrying
 * (will try again by itself), paused (needs a new login), disabled, outdated,
 * failed (will not retry until asked), busy (another tab is sending),
 * signedOut (nobody logged in yet).
 */
export type SyncState = 'idle' | 'syncing' | 'offline' | 'retrying' | 'paused' | 'disabled' | 'outdated' | 'failed' | 'busy' | 'signedOut'

export interface SyncStatus {
  state: SyncState
  /** device clock of the last complete push + pull, for "3 分钟前" */
  lastSyncAt: number | null
  /** how long until the next automatic try, when backing off */
  retryInMs: number | null
  /** the server's error code of the last failure */
  code: string | null
  /** while recovering from a restored server (restored.ts): how far; absent or null otherwise */
  progress?: RecoveryProgress | null
}

export type RecordStatus = 'waiting' | 'synced' | 'attention'

/**
 * A record is in the outbox until the server accepted it, so the outbox alone
 * decides: pending → waiting, attention → attention, gone → synced.
 */
export function recordStatus(entry: Pick<OutboxEntry, 'state'> | undefined): RecordStatus {
  if (!entry) return 'synced'
  return entry.state === 'attention' ? 'attention' : 'waiting'
}
