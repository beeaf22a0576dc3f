import { defineStore } from 'pinia'
import { liveQuery } from 'dexie'
import { computed, shallowRef } from 'vue'
import { uuidv7, widenRecord, type AnyRecord, type BodyOf, type LocalRecord, type RecordType } from '@shared/index'
import { db } from '@app/db/database'
import type { OutboxEntry, Session } from '@app/db/schema'
import { requeueRejected, saveAsNewRecord, saveRecord } from '@app/sync/outbox'
import { handOverRecord, type HandOverResult } from '@app/sync/handover'
import type { Owner } from '@app/sync/owner'
import { recordStatus, type RecordStatus } from '@app/sync/status'
import { trustedNow } from '@app/sync/clock'
import { checkBeforeSave } from '@app/sync/deviceRules'
import { useSyncStore } from '@app/stores/sync'
import { useSessionStore } from '@app/stores/session'

/** How many visits "最近走访" shows besides every one still waiting. */
export const RECENT_VISITS = 30

export interface AttentionItem {
  record: AnyRecord
  entry: OutboxEntry
}

interface Snapshot {
  entries: OutboxEntry[]
  recent: AnyRecord[]
  /** records with an outbox entry that are not among the recent ones */
  queued: AnyRecord[]
}

/** This phone's id by database, once read or made: it names the phone, so it outlives every login and logout (session.ts keeps it). */
const knownDeviceIds = new WeakMap<object, string>()

/** This phone's id: made once, in a transaction so two tabs cannot make two. */
async function deviceId(): Promise<string> {
  const known = knownDeviceIds.get(db)
  if (known) return known
  const id = await db.transaction('rw', db.meta, async () => {
    const existing = await db.getMeta('deviceId')
    if (existing) return existing
    const made = uuidv7()
    await db.setMeta('deviceId', made)
    return made
  })
  knownDeviceIds.set(db, id)
  return id
}

/**
 * Who saves, read before the write; the write checks in its own transaction that it
 * is still them (`owner`), so the person signed in on this screen (the session store)
 * is enough here and a save reads nothing before its checks. Without one in memory
 * (a store used before the session loaded) the saved login is read.
 */
async function author(signedIn: Session['user'] | null): Promise<{ authorId: string; deviceId: string; owner: Owner }> {
  const user = signedIn ?? (await db.getMeta('session'))?.user
  if (!user) throw new Error('not signed in')
  return { authorId: user.id, deviceId: await deviceId(), owner: { userId: user.id } }
}

/** Records made on this device and what became of them. Views use this, never Dexie. */
export const useRecordsStore = defineStore('records', () => {
  const sync = useSyncStore()
  const session = useSessionStore()
  const snapshot = shallowRef<Snapshot>({ entries: [], recent: [], queued: [] })

  // One query for lists and outbox together, so a visit and its status always change in the same render.
  liveQuery(async (): Promise<Snapshot> => {
    const entries = await db.outbox.toArray()
    const recent = await db.records.where('type').equals('visit').reverse().limit(RECENT_VISITS).toArray()
    const seen = new Set(recent.map((r) => r.id))
    const queued = (await db.records.bulkGet(entries.map((e) => e.id).filter((id) => !seen.has(id)))).filter((r) => r !== undefined)
    return { entries, recent, queued }
  }).subscribe({ next: (s) => (snapshot.value = s), error: () => undefined })

  const outbox = computed(() => new Map(snapshot.value.entries.map((e) => [e.id, e])))

  /** Every visit still waiting or refused, then the latest others; newest visit first. */
  const recentVisits = computed<AnyRecord<'visit'>[]>(() => {
    const visits = [...snapshot.value.recent, ...snapshot.value.queued].filter((r): r is AnyRecord<'visit'> => r.type === 'visit')
    return visits.sort((a, b) => (a.body.visitedAt === b.body.visitedAt ? (a.id < b.id ? 1 : -1) : a.body.visitedAt < b.body.visitedAt ? 1 : -1))
  })

  const attentionItems = computed<AttentionItem[]>(() => {
    const byId = new Map([...snapshot.value.recent, ...snapshot.value.queued].map((r) => [r.id, r]))
    return snapshot.value.entries
      .filter((e) => e.state === 'attention' && byId.has(e.id))
      .sort((a, b) => a.queuedAt - b.queuedAt)
      .map((entry) => ({ entry, record: byId.get(entry.id)! }))
  })

  /** 待同步 / 已同步 / 需处理: a record leaves the outbox only once the server accepted it. */
  function statusOf(id: string): RecordStatus {
    return recordStatus(outbox.value.get(id))
  }

  /** Shows a just-saved record at once, before the live query catches up. */
  function showNow(record: AnyRecord, entry: OutboxEntry, replaces?: string): void {
    const s = snapshot.value
    snapshot.value = {
      entries: [...s.entries.filter((e) => e.id !== entry.id && e.id !== replaces), entry],
      recent: s.recent.filter((r) => r.id !== record.id && r.id !== replaces),
      queued: [...s.queued.filter((r) => r.id !== record.id && r.id !== replaces), record],
    }
  }

  /**
   * Saves a new record; resolves once it is safely on the device. Throws
   * RecordShapeError (with code and field) when the shape check fails. `opts.id`
   * keeps an id handed out before saving (a running reading session's).
   */
  async function save<T extends RecordType>(type: T, orgPath: string, body: BodyOf<T>, opts: { id?: string } = {}): Promise<LocalRecord<T>> {
    const now = trustedNow()
    const record = await saveRecord(db, { type, orgPath, body, ...(await author(session.user)), now, check: (r) => checkBeforeSave(db, r, now), ...opts })
    showNow(widenRecord(record), { id: record.id, state: 'pending', queuedAt: now, attempts: 0 })
    sync.afterSave()
    return record
  }

  /** A refused record, mended (or not) and sent again under the same id. */
  async function resend<T extends RecordType>(id: string, body?: BodyOf<T>): Promise<LocalRecord<T>> {
    const attempts = outbox.value.get(id)?.attempts ?? 0
    // stamped anew: a record refused for a wrong clock is sent with the corrected one
    const now = trustedNow()
    const record = await requeueRejected<T>(db, id, body, now)
    showNow(widenRecord(record), { id, state: 'pending', queuedAt: now, attempts })
    sync.afterSave()
    return record
  }

  /** A conflicting record saved again under a new id (另存为新记录). */
  async function saveAsNew<T extends RecordType>(id: string, body?: BodyOf<T>): Promise<LocalRecord<T>> {
    const now = trustedNow()
    const record = await saveAsNewRecord<T>(db, id, { ...(body ? { body } : {}), ...(await author(session.user)), now })
    showNow(widenRecord(record), { id: record.id, state: 'pending', queuedAt: now, attempts: 0 }, id)
    sync.afterSave()
    return record
  }

  /**
   * 交给社区处理: a record refused for a reason its author cannot mend leaves the
   * phone once the server holds it for community staff. Nothing changes on a failure.
   */
  async function handOver(id: string): Promise<HandOverResult> {
    const session = await db.getMeta('session')
    if (!session) return { ok: false, failure: { kind: 'http', status: 401, code: 'unauthorized', retryAfterMs: null } }
    const result = await handOverRecord(db, { fetch: (url, init) => globalThis.fetch(url, init) }, session.token, id)
    if (result.ok) {
      const s = snapshot.value
      snapshot.value = { entries: s.entries.filter((e) => e.id !== id), recent: s.recent.filter((r) => r.id !== id), queued: s.queued.filter((r) => r.id !== id) }
    }
    return result
  }

  function find(id: string): Promise<AnyRecord | undefined> {
    return db.records.get(id)
  }

  /** A half-filled form, kept on the device so a killed tab or a reload loses no typing. */
  async function keepDraft(key: string, value: unknown): Promise<void> {
    await db.drafts.put({ key, value, updatedAt: Date.now() })
  }

  async function draft<T>(key: string): Promise<T | undefined> {
    return (await db.drafts.get(key))?.value as T | undefined
  }

  /** A kept draft with when it was last written (device clock, ms), for "offered, not applied" when old. */
  async function draftRow<T>(key: string): Promise<{ value: T; updatedAt: number } | undefined> {
    const row = await db.drafts.get(key)
    return row ? { value: row.value as T, updatedAt: row.updatedAt } : undefined
  }

  async function dropDraft(key: string): Promise<void> {
    await db.drafts.delete(key)
  }

  return { outbox, recentVisits, attentionItems, statusOf, save, resend, saveAsNew, handOver, find, keepDraft, draft, draftRow, dropDraft }
})
