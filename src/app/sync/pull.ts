/**
 * Pull: page through the server log after our cursor. Each page and the cursor
 * that follows it are stored together, so an interrupted pull resumes exactly
 * where the last stored page ended.
 */
import { PULL_DEFAULT_LIMIT, PULL_MAX_LIMIT, type AnyRecord, type DatabaseHead, type StoredRecord } from '@shared/index'
import type { LoudongDB } from '@app/db/database'
import { guardedWrite } from '@app/db/guarded'
import { claimRecords, rebuildDoors, rebuildDoorsIfOwed } from '@app/db/doors'
import type { SyncApi } from './api'
import { assertOwner, type Owner } from './owner'
import type { TransportFailure } from './transport'
import { applyErasures, purgeOutsideScope, type ReadScope } from './purge'

/**
 * How far a pull has come: `done` records of `total` stored. Known only when the
 * server answered the first page's count (older servers do not); `total` grows
 * if records arrive on the server meanwhile.
 */
export interface PullProgress {
  done: number
  total: number
}

export type PullOutcome =
  | { kind: 'done'; stored: number }
  | { kind: 'failed'; failure: TransportFailure }
  /** a page came from a restored server (restored.ts): nothing of it was stored */
  | { kind: 'restored'; head: DatabaseHead }

/** What the engine watches while pulling. */
export interface PullWatch {
  /** true when a page's head says the server was restored: the pull stops before storing it */
  restored?: (head: DatabaseHead) => Promise<boolean>
  /** after each stored page: its cursor and the server's highest seq */
  progress?: (cursor: number, highestSeq: number) => void
  /** after each stored page of a download longer than one page: records stored of those counted */
  pulling?: (p: PullProgress) => void
}

/**
 * Records are immutable: one already here keeps its body and only learns its seq
 * (or a new one, from a restored server).
 * With `owner`, stores nothing (throws SessionChangedError) when the device no
 * longer belongs to the session the pull began with.
 *
 * `startedEmpty`: the device held no records when the pull began, so the only
 * records a page can meet here are ones saved since, and those are all still in
 * the outbox (a save and its outbox entry are one transaction; an accepted push
 * removes the entry but then the local copy is the server's). Only page ids in
 * the outbox are looked up then, instead of every id of the page.
 */
export interface PageMark {
  /** the page's PullResponse.scope, stored with its cursor */
  scope?: string
  /** the first page of a pull started again from 0: its cursor replaces the stored one instead of only raising it */
  restart?: boolean
  /** the read scopes and role the page was answered for: what falls outside them is purged first (purge.ts) */
  readScope?: ReadScope
  /**
   * A first download into an empty device: the page's new records skip the door
   * summaries, the meta row `doorsStale` is set with them, and the caller runs
   * `rebuildDoors` once the download ends (pullAll does).
   */
  deferDoors?: boolean
}

export async function storePage(db: LoudongDB, records: readonly StoredRecord[], cursor: number, owner?: Owner, startedEmpty = false, mark: PageMark = {}): Promise<number> {
  return guardedWrite(db, () => db.transaction('rw', db.records, db.meta, db.outbox, async (tx) => {
    if (owner) await assertOwner(db, owner)
    if (mark.readScope) await purgeOutsideScope(db, mark.readScope)
    let maybeHere: readonly StoredRecord[] = records
    if (startedEmpty) {
      const queued = new Set(await db.outbox.toCollection().primaryKeys())
      maybeHere = queued.size ? records.filter((r) => queued.has(r.id)) : []
    }
    const existing = await db.records.bulkGet(maybeHere.map((r) => r.id))
    const here = new Map<string, AnyRecord>()
    for (const local of existing) if (local) here.set(local.id, local)
    const fresh: StoredRecord[] = []
    const learned: AnyRecord[] = []
    for (const record of records) {
      const local = here.get(record.id)
      if (!local) fresh.push(record)
      // a restored server numbers again what it lacked and got back (restored.ts): the seq follows the server's
      else if (local.seq !== record.seq) learned.push({ ...local, seq: record.seq, serverTime: record.serverTime })
    }
    // what was just read tells the door summaries what these writes are (db/doors.ts claimRecords)
    if (mark.deferDoors && fresh.length) await db.setMeta('doorsStale', true)
    claimRecords(tx, mark.deferDoors ? 'deferred' : 'fresh', fresh.map((r) => r.id))
    claimRecords(tx, 'stamped', learned.map((r) => r.id))
    await db.records.bulkPut(learned.length ? [...fresh, ...learned] : fresh)
    // an erasure in the page redacts what this device holds of its household
    await applyErasures(db, fresh)
    const stored = (await db.getMeta('cursor')) ?? 0
    await db.setMeta('cursor', mark.restart ? cursor : Math.max(stored, cursor))
    if (mark.scope !== undefined) await db.setMeta('pullScope', mark.scope)
    return fresh.length
  }))
}

/**
 * Fetches the next page while the current one is being stored (the network and
 * the database overlap); a page's cursor is still stored only with that page,
 * and a page is stored only after the one before it.
 *
 * When a page names a read scope (PullResponse.scope) other than the one stored
 * with the last page, the user's scope changed on the server (say a building was
 * added): records older than the cursor that were out of scope before never came,
 * so the pull starts again from 0. Records already here are kept as they are
 * (storePage never overwrites a body); the new scope is stored with the first page
 * of the new pull, together with its cursor, so an interrupted backfill resumes
 * from there. Records that left the scope are purged when the page naming the new
 * scope is stored (purge.ts).
 */
/**
 * Page size of a first download into an empty device: the server's largest.
 * Each request carries a fixed cost on the server (scopes, head, count) and a
 * transaction on the device; a first download is usually made once, just after
 * the login, and resumes from its last stored page when cut off.
 * (In the bench at load ≈ 6: 50,000 records in 12.5 s with pages of 2,000, 17.8 s with 500.)
 */
export const FIRST_DOWNLOAD_LIMIT = PULL_MAX_LIMIT

/**
 * `limit`: records per page; unset, PULL_DEFAULT_LIMIT, or FIRST_DOWNLOAD_LIMIT
 * when the device holds no records yet.
 */
export async function pullAll(db: LoudongDB, api: SyncApi, limit?: number, owner?: Owner, watch: PullWatch = {}): Promise<PullOutcome> {
  const cursor = (await db.getMeta('cursor')) ?? 0
  // a first download that was interrupted owes the door summaries it deferred
  await rebuildDoorsIfOwed(db)
  const startedEmpty = (await db.records.toCollection().limit(1).primaryKeys()).length === 0
  try {
    return await pullPages(db, api, limit ?? (startedEmpty ? FIRST_DOWNLOAD_LIMIT : PULL_DEFAULT_LIMIT), owner, watch, cursor, startedEmpty)
  } finally {
    // the summaries a first download deferred are built once, whether it ended, failed or was stopped
    // (a rebuild that fails leaves `doorsStale` set, so the next pull owes it still; the pull's own outcome or error stands)
    if (startedEmpty && (await db.getMeta('doorsStale'))) await rebuildDoors(db).catch(() => undefined)
  }
}

async function pullPages(db: LoudongDB, api: SyncApi, limit: number, owner: Owner | undefined, watch: PullWatch, from: number, startedEmpty: boolean): Promise<PullOutcome> {
  let cursor = from
  let known = await db.getMeta('pullScope')
  let stored = 0
  let restarted = false
  let restartPending = false
  // n of N: the first page of a pull (and of a restart from 0) asks how many follow
  let done = 0
  let total: number | null = null
  let counting = true
  let next = api.pull(cursor, limit, true)
  for (;;) {
    const res = await next
    if (res.kind !== 'ok') return { kind: 'failed', failure: res }
    // the page was read through the shared PullResponse schema (api.ts)
    const page = res.data
    if (page.database && watch.restored && (await watch.restored(page.database))) return { kind: 'restored', head: page.database }
    const scope = page.scope
    if (counting) {
      counting = false
      done = 0
      // one page is no long work: nothing to tell (and no extra status change on every sync)
      total = page.remaining === undefined || page.remaining === 0 ? null : page.records.length + page.remaining
    }
    // (a page asked for from 0 already is the start: it is stored with its new scope)
    if (scope !== undefined && known !== undefined && scope !== known && cursor > 0) {
      // once per run: a scope that keeps changing under us waits for the next sync
      if (restarted) return { kind: 'done', stored }
      restarted = true
      restartPending = true
      cursor = 0
      counting = true
      next = api.pull(0, limit, true)
      continue
    }
    // a cursor that does not move would loop forever
    const last = !page.more || page.cursor <= cursor
    if (!last) {
      next = api.pull(page.cursor, limit)
      // if storing this page fails, nobody waits for the next one
      next.catch(() => undefined)
    }
    const readScope = page.scopes && page.role ? { scopes: page.scopes, role: page.role } : undefined
    stored += await storePage(db, page.records, page.cursor, owner, startedEmpty, { scope, restart: restartPending, deferDoors: startedEmpty, ...(readScope ? { readScope } : {}) })
    restartPending = false
    if (page.database) watch.progress?.(page.cursor, page.database.highestSeq)
    done += page.records.length
    if (total !== null && watch.pulling) watch.pulling({ done, total: Math.max(total, done) })
    if (scope !== undefined) known = scope
    if (last) return { kind: 'done', stored }
    cursor = page.cursor
  }
}
