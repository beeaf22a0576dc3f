import type { AnyRecord, OrgNode, Person, SessionUser } from '@shared/index'

/** One outbox row per record the server has not accepted yet. The record itself lives in `records`. */
export interface OutboxEntry {
  /** the record's id */
  id: string
  /** pending: will be pushed; attention: the server refused it, its author must look */
  state: 'pending' | 'attention'
  /** when it was queued (device clock; only used to show age, never to order records) */
  queuedAt: number
  attempts: number
  /** for attention: why, as a message code and the server's words, and which field */
  code?: string
  reason?: string
  path?: string
}

export interface Session {
  token: string
  user: SessionUser
}

/** Typed key/value rows for small device state. */
export interface MetaValues {
  session: Session
  deviceId: string
  /** highest server seq stored on this device */
  cursor: number
  /**
   * The server's hash of this user's read scopes at the last stored pull page
   * (PullResponse.scope). When the server answers another one, the scope changed
   * and the pull starts again from 0 to backfill; stored with the page's cursor.
   */
  pullScope: string
  /**
   * The identity of the server database this device's cursor and seqs belong to
   * (DatabaseHead.identity). Another one in an answer means the server was restored
   * from a backup: sync/restored.ts sends again what it lacks and pulls from 0.
   */
  serverIdentity: string
  /** device clock time of the last completed sync */
  lastSyncAt: number
  /** server minus device clock, learned from the last sync answer (sync/clock.ts) */
  clockOffset: { ms: number; at: number }
  /** why sync is paused: the login expired or the account was disabled */
  syncPaused: 'login' | null
  /**
   * Names of the people around this user (GET /api/v1/people), for "刘敏(社区工作人员)"
   * in timelines. A meta row rather than a table, so no schema version is needed;
   * personal data, so the logout wipe (every meta row but deviceId) takes it too.
   */
  people: Person[]
  /**
   * "Seen" marks for feedback I raised: id → how many steps by others it had
   * when I last opened it (components/feedback/news.ts). A meta row, so no
   * schema version; the logout wipe takes it with the rest.
   */
  feedbackSeen: Record<string, number>
  /** the read scopes and role the device last purged for (sync/purge.ts); the logout wipe takes it */
  readScope: { scopes: string[]; role: import('@shared/index').Role }
  /** the app lock PIN's hash (pipl/pin.ts); the logout wipe takes it */
  pin: { salt: string; hash: string; iterations: number }
  /** the app lock policy of this person's community (GET /api/v1/app-lock), as last fetched */
  appLock: import('@shared/appLock').DeviceLockPolicy
  /** device time of the last touch while unlocked, so a restart after the idle time asks the PIN (stores/lock.ts) */
  lastActiveAt: number
  /**
   * Tokens of logouts made offline: the server has not heard of them yet, so they
   * are sent at the next contact (stores/session.ts `flushRevocations`). Kept by the
   * logout wipe, like deviceId: it holds no personal data, only what must be ended.
   */
  revokeLater: string[]
  /**
   * Set while a first download into an empty device has stored records whose door
   * summaries are not built yet (db/doors.ts `rebuildDoors` clears it); a pull that
   * finds it set rebuilds them first. The logout wipe takes it with the records.
   */
  doorsStale: true
}
export type MetaKey = keyof MetaValues
export interface MetaRow<K extends MetaKey = MetaKey> {
  key: K
  value: MetaValues[K]
}

/** A form or running session kept on the device until it becomes a record. */
export interface Draft {
  key: string
  value: unknown
  updatedAt: number
}

export type { AnyRecord, OrgNode }
