/**
 * Storage behind small asynchronous interfaces, with two implementations: the SQLite
 * file here (the default, one server process) and PostgreSQL in `./postgres/storage.ts`
 * (selected by DATABASE_URL, any number of server processes). Routes, checks and the
 * admin CLI see only these interfaces; every SQL statement lives in one of the two.
 */
import type { Db } from './db'
import type { BuildingLayout, NodeKind, OrgNode } from '../shared/org'
import { normalizeScopes, parentPath } from '../shared/org'
import type { LocalRecord, StoredRecord } from '../shared/records'
import type { MessageCode } from '../shared/messages'
import { ROLE_LEVEL, type Role } from '../shared/roles'
import { checkReference, type Reference } from '../shared/rules'
import { erasureRedactions, redactArriving, redactQuarantined, type Redaction } from '../shared/erasure'
import type { HandoverState } from '../shared/handover'
import { MemoryLoginFailures } from './auth'
import type { LedgerItems } from '../shared/ledger'
import { createSqliteLedger } from './ledger/sqlite'
import { groupCommit } from './groupCommit'
import { walSync } from './walSync'
import { startCheckpointer } from './checkpointer'
import type { AuditStore } from './audit/store'
import { sqliteAuditStore } from './audit/sqlite'
import type { AppLockStore } from './applock/store'
import { sqliteAppLockStore } from './applock/sqlite'
import type { VolunteerIndexStore } from './volunteerIndex/store'
import { sqliteVolunteerIndex } from './volunteerIndex/sqlite'

// ---------------------------------------------------------------- interfaces

export interface UserRow {
  id: string
  phone: string
  name: string
  role: Role
  scopes: string[]
  passwordHash: string
  disabledAt: string | null
  /** set with a one-time code from staff: the person must choose a password at the next login */
  mustChangePassword: boolean
}

export interface SessionRow {
  tokenHash: string
  userId: string
  createdAt: number
  lastSeenAt: number
  revokedAt: number | null
}

export interface OrgStore {
  get(path: string): Promise<OrgNode | null>
  /** the node at `scope` and everything beneath it, by path */
  subtree(scope: string): Promise<OrgNode[]>
  /** the reading points placed directly under any of `parents`, by path (one query for a user's ancestors) */
  readingPointsUnder(parents: readonly string[]): Promise<OrgNode[]>
  upsert(node: OrgNode): Promise<void>
  count(): Promise<number>
}

/** A user as others may see them: no phone, no password. */
export interface PersonRow {
  id: string
  name: string
  role: Role
}

export interface UserStore {
  byId(id: string): Promise<UserRow | null>
  byPhone(phone: string): Promise<UserRow | null>
  /** insert or update by phone; returns the stored row */
  /** insert or update by phone (name, role, scopes, password; a stored must-change mark stays); returns the stored row */
  upsert(user: NewUser): Promise<UserRow>
  setDisabled(phone: string, disabledAt: string | null): Promise<boolean>
  /** a new password hash and whether it is a one-time code; false when there is no such user */
  setPassword(id: string, passwordHash: string, mustChange: boolean): Promise<boolean>
  /** every account (disabled ones too) with a scope at or beneath `scope`, by id */
  within(scope: string): Promise<UserRow[]>
  /**
   * Enabled users with a scope at, above or beneath one of `scopes` (each side
   * may be the wider), by id.
   */
  overlapping(scopes: readonly string[]): Promise<PersonRow[]>
}

/** What `UserStore.upsert` writes. */
export type NewUser = Omit<UserRow, 'id' | 'disabledAt' | 'mustChangePassword'> & { id?: string }

/**
 * Devices a person logged in from, by the sha256 of the random mark the browser
 * keeps (routes/auth.ts). Times are epoch ms.
 */
export interface KnownDeviceStore {
  /** true when `markHash` was used for a successful login of `userId` */
  isKnown(markHash: string, userId: string): Promise<boolean>
  /** records (or refreshes) a successful login of `userId` with `markHash` */
  remember(markHash: string, userId: string, now: number): Promise<void>
}

export interface SessionStore {
  create(tokenHash: string, userId: string, now: number): Promise<void>
  get(tokenHash: string): Promise<SessionRow | null>
  /** the session and its user in one read (every API request asks both): null without a session or user */
  withUser(tokenHash: string): Promise<{ session: SessionRow; user: UserRow } | null>
  touch(tokenHash: string, now: number): Promise<void>
  revoke(tokenHash: string, now: number): Promise<void>
  revokeAllFor(userId: string, now: number): Promise<number>
  /** revokes every session of `userId` but `keepTokenHash`; returns how many */
  revokeOthersFor(userId: string, keepTokenHash: string, now: number): Promise<number>
}

/**
 * Failed logins per key (`phone:…`, `ip:…`) in a sliding window. Where they are kept
 * decides what "the limit" means: SQLite serves one process and keeps them in its
 * memory; PostgreSQL keeps them in a table, so every process behind one address
 * counts the same failures. Times are epoch ms.
 */
export interface LoginFailureStore {
  /** how many failures `key` had in the last `windowMs`, and when the latest was (0: none) */
  recent(key: string, now: number, windowMs: number): Promise<{ count: number; last: number }>
  fail(key: string, now: number, windowMs: number): Promise<void>
  reset(key: string): Promise<void>
}

export type BatchItem =
  /** already rejected by a check before storage: only quarantined */
  | { kind: 'reject'; recordId: string | null; code: MessageCode; path: string; raw: string; max?: number }
  /** `reference`: the record it refers to, checked against the log inside the transaction (rules.ts step 6) */
  | { kind: 'append'; record: LocalRecord; hash: string; raw: string; reference?: Reference }

export type BatchOutcome =
  | { status: 'accepted' | 'duplicate'; seq: number; serverTime: string }
  | { status: 'conflict' }
  | { status: 'rejected'; code: MessageCode; path: string; max?: number }

export interface ExistingRecord {
  seq: number
  serverTime: string
  hash: string
}

export interface BatchContext {
  userId: string
  serverTime: string
  reason: (code: MessageCode) => string
}

/** One pushed batch with its context, as a group commit takes it (./groupCommit.ts). */
export interface Batch {
  items: readonly BatchItem[]
  ctx: BatchContext
}

export interface RecordStore {
  /**
   * Stores one pushed batch in ONE transaction: appends what is new, answers
   * duplicate/conflict for ids already stored, refuses ids another author reserved,
   * checks references to earlier records (reserving a referred id not stored yet when
   * the reference allows it), and quarantines everything rejected or conflicting.
   * All or nothing. Batches are appended one after another (SQLite: the write lock;
   * PostgreSQL: an advisory lock), so seq order is commit order and a pull never
   * passes a record that commits later. Outside a transaction, batches that wait are
   * written together in one transaction (group commit, ./groupCommit.ts), each
   * answered as if written alone.
   */
  appendBatch(items: readonly BatchItem[], ctx: BatchContext): Promise<BatchOutcome[]>
  /**
   * Several batches in ONE transaction, appended one after another in the order
   * given; answers one outcome list per batch, exactly what `appendBatch` would have
   * answered for each in turn. All or nothing for the whole group.
   */
  appendGroup(batches: readonly Batch[]): Promise<BatchOutcome[][]>
  /** records under any of `scopes` with seq > after, in seq order; `more` when more wait */
  pull(scopes: readonly string[], after: number, limit: number): Promise<{ records: StoredRecord[]; more: boolean }>
  /** how many records under any of `scopes` have seq > after (a first download's n of N); asked once per pull, not per page */
  countAfter(scopes: readonly string[], after: number): Promise<number>
  getById(id: string): Promise<StoredRecord | null>
  /** every record placed exactly at `orgPath` (not beneath it), in seq order: a household's records are among its building's */
  atPath(orgPath: string): Promise<StoredRecord[]>
  /** seq, serverTime and content hash of the given ids that are stored */
  existing(ids: readonly string[]): Promise<Map<string, ExistingRecord>>
  count(): Promise<number>
}

export interface QuarantineRow {
  qid: number
  recordId: string | null
  userId: string
  receivedAt: string
  code: string
  reason: string
  path: string
  raw: string
}

// Handing over (src/shared/handover.ts).
export interface HandoverRow {
  recordId: string
  qid: number
  authorId: string
  community: string
  handedAt: string
  state: HandoverState
  decidedBy: string | null
  decidedAt: string | null
  placedPath: string | null
  reason: string | null
}

export interface QuarantineStore {
  list(limit?: number): Promise<QuarantineRow[]>
  /** the rows pushed by any of `userIds`, newest first, at most `limit` */
  byUsers(userIds: readonly string[], limit: number): Promise<QuarantineRow[]>
  /**
   * Deletes rows received before `before` (ISO), or all rows of `userId` when given, except
   * those a handover still refers to. Returns how many went.
   */
  purge(opts: { before?: string; userId?: string }): Promise<number>
  get(qid: number): Promise<QuarantineRow | null>
  /** the latest quarantined copy of `recordId` pushed by `userId`, or null */
  latestFor(recordId: string, userId: string): Promise<QuarantineRow | null>
  /** marks that copy handed over; a second call for the same record changes nothing. Returns the row. */
  handOver(row: { recordId: string; qid: number; authorId: string; community: string; handedAt: string }): Promise<HandoverRow>
  handover(recordId: string): Promise<HandoverRow | null>
  /** handed-over records still waiting, oldest first */
  waiting(): Promise<HandoverRow[]>
  /** records staff's answer; false when it was no longer waiting */
  decide(recordId: string, d: { state: 'placed' | 'dismissed'; by: string; at: string; placedPath?: string; reason?: string }): Promise<boolean>
}

/** Which log a device is talking to: see IdentityStore. */
export interface DatabaseHead {
  /** random; a restore gives the database a new one */
  identity: string
  /** the highest seq stored (0: none) */
  highestSeq: number
}

/**
 * The database's identity. A restored backup has lost the records accepted after it
 * and hands their seq values to new records, so it gets a new identity: a device that
 * sees another identity than the one it synced with sends again what the server lacks
 * and pulls from the start (src/app/sync/restored.ts).
 */
export interface IdentityStore {
  /** the identity (created on first use) and the highest seq; read after any write it must cover */
  head(): Promise<DatabaseHead>
  /** gives the database a new random identity; `now` ISO */
  renew(now: string): Promise<DatabaseHead>
}

/** Per-account push limits (README "Abuse limits"); epoch ms, bytes. */
export interface PushLimits {
  recordsPerMinute: number
  bytesPerDay: number
}

/**
 * Records and bytes each account pushed, in fixed minute and day windows, kept in the
 * database so every server process counts the same pushes.
 */
export interface PushUsageStore {
  /**
   * Counts one push of `records` records and `bytes` bytes by `userId` at `now` when
   * both windows stay within `limits`, and answers 0; otherwise counts nothing and
   * answers the seconds until the window that is full ends.
   */
  take(userId: string, records: number, bytes: number, now: number, limits: PushLimits): Promise<number>
}

/**
 * The monthly ledger's summaries (src/server/ledger/summaries.ts), kept current by
 * `records.appendBatch` in the same transaction as the append.
 */
export interface LedgerStore {
  /**
   * the figures' items of `scope` (an org path) for `month` (YYYY-MM, Shanghai), with the
   * month's tallies per place (`LedgerItems.tallies`) in place of every visit and open item
   */
  items(scope: string, month: string): Promise<LedgerItems>
  /** the `ledger.weights` records placed on `street`, in seq order */
  weights(street: string): Promise<StoredRecord[]>
  /**
   * The records the detailed sheets of `scope`'s `month` read, in seq order, found
   * through the summaries' indexes rather than the whole log: the month's visits and
   * reading sessions, the feedback raised before its end and not resolved before its
   * start, each with every record amending it, and the records of `SHEET_KINDS` under
   * the scope with theirs.
   */
  sheetRecords(scope: string, month: string): Promise<StoredRecord[]>
  /** true when the summaries do not cover the log yet (a database from before them) */
  stale(): Promise<boolean>
  /** empties and refills every summary from the log; returns how many records it read */
  rebuild(): Promise<number>
}

export interface Storage {
  /** which implementation this is (the backup command differs) */
  backend: 'sqlite' | 'postgres'
  identity: IdentityStore
  usage: PushUsageStore
  org: OrgStore
  users: UserStore
  sessions: SessionStore
  logins: LoginFailureStore
  devices: KnownDeviceStore
  records: RecordStore
  quarantine: QuarantineStore
  ledger: LedgerStore
  /** the audit trail: exports, reveals, erasures, account actions (src/shared/audit.ts) */
  audit: AuditStore
  /** app lock policies per community (src/shared/appLock.ts) */
  appLock: AppLockStore
  /** the volunteer register by phone, for volunteer accounts (src/server/volunteers.ts) */
  volunteers: VolunteerIndexStore
  /**
   * Runs `fn` in one write transaction (imports, admin commands) and commits when it
   * resolves, rolls back when it throws. `fn` must use the `tx` it is given, and do
   * slow work (password hashing) before: the transaction holds the write lock.
   */
  transaction<T>(fn: (tx: Storage) => Promise<T>): Promise<T>
  /** closes the connection or pool */
  close(): Promise<void>
}

// ---------------------------------------------------------------- SQLite

interface QuarantineDbRow { qid: number; record_id: string | null; user_id: string; received_at: string; code: string; reason: string; path: string; raw: string }
interface HandoverDbRow { record_id: string; qid: number; author_id: string; community: string; handed_at: string; state: HandoverState; decided_by: string | null; decided_at: string | null; placed_path: string | null; reason: string | null }

function toQuarantine(r: QuarantineDbRow): QuarantineRow {
  return { qid: r.qid, recordId: r.record_id, userId: r.user_id, receivedAt: r.received_at, code: r.code, reason: r.reason, path: r.path, raw: r.raw }
}

function toHandover(r: HandoverDbRow): HandoverRow {
  return {
    recordId: r.record_id, qid: r.qid, authorId: r.author_id, community: r.community, handedAt: r.handed_at, state: r.state,
    decidedBy: r.decided_by, decidedAt: r.decided_at, placedPath: r.placed_path, reason: r.reason,
  }
}

function handoverQueries(db: Db) {
  return {
    quarantineGet: db.prepare<[number], QuarantineDbRow>('SELECT * FROM quarantine WHERE qid = ?'),
    quarantineLatest: db.prepare<[string, string], QuarantineDbRow>('SELECT * FROM quarantine WHERE record_id = ? AND user_id = ? ORDER BY qid DESC LIMIT 1'),
    handoverInsert: db.prepare(
      `INSERT INTO handovers (record_id, qid, author_id, community, handed_at) VALUES (@record_id, @qid, @author_id, @community, @handed_at)
       ON CONFLICT (record_id) DO NOTHING`,
    ),
    handoverGet: db.prepare<[string], HandoverDbRow>('SELECT * FROM handovers WHERE record_id = ?'),
    handoversWaiting: db.prepare<[], HandoverDbRow>("SELECT * FROM handovers WHERE state = 'waiting' ORDER BY handed_at, record_id"),
    handoverDecide: db.prepare(
      `UPDATE handovers SET state = @state, decided_by = @by, decided_at = @at, placed_path = @placed_path, reason = @reason
       WHERE record_id = @record_id AND state = 'waiting'`,
    ),
  }
}

/** The quarantine keeps at most this much of a rejected record. */
export const QUARANTINE_RAW_MAX = 64 * 1024
/**
 * At most this many quarantined rows per account: a push beyond it drops that
 * account's oldest rows (never one a handover refers to), so one account cannot
 * fill the disk with refused records.
 */
export const QUARANTINE_PER_ACCOUNT = 1000

/** The minute and day windows `now` falls in, and when each ends (epoch ms). */
export function usageWindows(now: number): { minute: number; minuteEnd: number; day: number; dayEnd: number } {
  const minute = now - (now % 60_000)
  const day = now - (now % 86_400_000)
  return { minute, minuteEnd: minute + 60_000, day, dayEnd: day + 86_400_000 }
}

/** A new random database identity. */
export const newIdentity = (): string => crypto.randomUUID()

interface OrgDbRow {
  path: string
  kind: NodeKind
  name: string
  parent: string | null
  layout: string | null
  place: string | null
  usual_time: string | null
  phone: string | null
}

interface UserDbRow {
  id: string
  phone: string
  name: string
  role: Role
  scopes: string
  password_hash: string
  disabled_at: string | null
  must_change_password: number
}

export interface RecordDbRow {
  seq: number
  target_id?: string | null
  id: string
  type: string
  v: number
  org_path: string
  author_id: string
  device_id: string
  client_time: string
  body: string
  content_hash: string
  server_time: string
}

function toNode(r: OrgDbRow): OrgNode {
  const node: OrgNode = { path: r.path, kind: r.kind, name: r.name }
  if (r.layout) node.layout = JSON.parse(r.layout) as BuildingLayout
  if (r.place) node.place = r.place
  if (r.usual_time) node.usualTime = r.usual_time
  if (r.phone) node.phone = r.phone
  return node
}

function toUser(r: UserDbRow): UserRow {
  return {
    id: r.id,
    phone: r.phone,
    name: r.name,
    role: r.role,
    scopes: JSON.parse(r.scopes) as string[],
    passwordHash: r.password_hash,
    disabledAt: r.disabled_at,
    mustChangePassword: r.must_change_password === 1,
  }
}

export function toStored(r: RecordDbRow): StoredRecord {
  return {
    id: r.id,
    type: r.type,
    v: r.v,
    orgPath: r.org_path,
    authorId: r.author_id,
    deviceId: r.device_id,
    clientTime: r.client_time,
    body: JSON.parse(r.body),
    seq: r.seq,
    serverTime: r.server_time,
  } as StoredRecord
}

/**
 * The body rewrites an erasure (appended with `seq`) makes among the records at its
 * building stored before it (src/shared/erasure.ts). Both backends call it inside the
 * transaction that appends the erasure, so no pull ever sees the erasure without them.
 */
export function redactionsFor(erasure: LocalRecord, seq: number, atBuilding: readonly StoredRecord[]): Redaction[] {
  if (erasure.type !== 'household.erasure') return []
  return erasureRedactions(erasure.body.household, atBuilding.filter((r) => r.seq < seq))
}

/** Truncates to at most `max` UTF-8 bytes without splitting a character. */
export function truncateUtf8(s: string, max: number): string {
  const buf = Buffer.from(s, 'utf8')
  if (buf.length <= max) return s
  let end = max
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--
  return buf.subarray(0, end).toString('utf8')
}


/**
 * Paths strictly beneath `scope` are exactly those in [scope + '/', scope + '0'):
 * '0' is the character after '/'. A range comparison, not LIKE, where '_' would be a wildcard.
 */
export function belowRange(scope: string): [string, string] {
  return [scope + '/', scope + '0']
}

/** `scope` and every path above it, nearest first. */
export function selfAndAbove(scope: string): string[] {
  const out: string[] = []
  for (let p: string | null = scope; p !== null; p = parentPath(p)) out.push(p)
  return out
}

/** Sorts people by id (a stable answer whatever order the database gives). */
export const byIdOrder = (a: PersonRow, b: PersonRow): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** Scopes this shallow (district, street) cover much of the log: scan it in seq order instead. */
const WIDE_SCOPE_DEPTH = 2

export function createSqliteStorage(db: Db): Storage {
  const ledger = createSqliteLedger(db)
  const q = {
    orgGet: db.prepare<[string], OrgDbRow>('SELECT * FROM org_nodes WHERE path = ?'),
    orgSubtree: db.prepare<[string, string, string], OrgDbRow>(
      'SELECT * FROM org_nodes WHERE path = ? OR (path >= ? AND path < ?) ORDER BY path',
    ),
    orgReadingPoints: db.prepare<[string], OrgDbRow>("SELECT * FROM org_nodes WHERE parent IN (SELECT value FROM json_each(?)) AND kind = 'reading_point' ORDER BY path"),
    orgUpsert: db.prepare(
      `INSERT INTO org_nodes (path, kind, name, parent, layout, place, usual_time, phone) VALUES (@path, @kind, @name, @parent, @layout, @place, @usual_time, @phone)
       ON CONFLICT (path) DO UPDATE SET kind = excluded.kind, name = excluded.name, parent = excluded.parent,
         layout = excluded.layout, place = excluded.place, usual_time = excluded.usual_time, phone = excluded.phone`,
    ),
    orgCount: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM org_nodes'),
    userById: db.prepare<[string], UserDbRow>('SELECT * FROM users WHERE id = ?'),
    userByPhone: db.prepare<[string], UserDbRow>('SELECT * FROM users WHERE phone = ?'),
    userUpsert: db.prepare(
      `INSERT INTO users (id, phone, name, role, scopes, password_hash) VALUES (@id, @phone, @name, @role, @scopes, @password_hash)
       ON CONFLICT (phone) DO UPDATE SET name = excluded.name, role = excluded.role, scopes = excluded.scopes, password_hash = excluded.password_hash`,
    ),
    userDisable: db.prepare<[string | null, string]>('UPDATE users SET disabled_at = ? WHERE phone = ?'),
    userSetPassword: db.prepare<[string, number, string]>('UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?'),
    usersWithin: db.prepare<[string, string, string], UserDbRow>(
      `SELECT DISTINCT u.* FROM users u, json_each(u.scopes) s WHERE s.value = ? OR (s.value >= ? AND s.value < ?) ORDER BY u.id`,
    ),
    deviceKnown: db.prepare<[string, string], { n: number }>('SELECT count(*) AS n FROM known_devices WHERE mark_hash = ? AND user_id = ?'),
    deviceRemember: db.prepare<[string, string, number, number]>(
      `INSERT INTO known_devices (mark_hash, user_id, created_at, last_used_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (mark_hash, user_id) DO UPDATE SET last_used_at = excluded.last_used_at`,
    ),
    // One scope of the caller: a user scope equal to it or one of its ancestors (the
    // JSON list), or inside its range. Only name and role leave the table.
    usersOverlapping: db.prepare<[string, string, string], PersonRow>(
      `SELECT DISTINCT u.id, u.name, u.role FROM users u, json_each(u.scopes) s
       WHERE u.disabled_at IS NULL
         AND (s.value IN (SELECT value FROM json_each(?)) OR (s.value >= ? AND s.value < ?))`,
    ),
    sessionCreate: db.prepare('INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)'),
    sessionGet: db.prepare<[string], { token_hash: string; user_id: string; created_at: number; last_seen_at: number; revoked_at: number | null }>(
      'SELECT * FROM sessions WHERE token_hash = ?',
    ),
    sessionTouch: db.prepare('UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?'),
    sessionRevoke: db.prepare('UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL'),
    sessionRevokeAll: db.prepare('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL'),
    sessionRevokeOthers: db.prepare('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND token_hash <> ? AND revoked_at IS NULL'),
    recordMeta: db.prepare<[string], { seq: number; server_time: string; content_hash: string; type: string; org_path: string }>(
      'SELECT seq, server_time, content_hash, type, org_path FROM records WHERE id = ?',
    ),
    recordById: db.prepare<[string], RecordDbRow>('SELECT * FROM records WHERE id = ?'),
    recordInsert: db.prepare(
      `INSERT INTO records (id, type, v, org_path, author_id, device_id, client_time, body, content_hash, server_time, target_id)
       VALUES (@id, @type, @v, @org_path, @author_id, @device_id, @client_time, @body, @content_hash, @server_time, @target_id)`,
    ),
    recordsRelated: db.prepare<[string], RecordDbRow>('SELECT * FROM records WHERE target_id = ? ORDER BY seq'),
    recordsAt: db.prepare<[string], RecordDbRow>('SELECT * FROM records WHERE org_path = ? ORDER BY seq'),
    recordRewrite: db.prepare<[string, string]>('UPDATE records SET body = ? WHERE id = ?'),
    quarantineRaw: db.prepare<[], { qid: number; raw: string }>('SELECT qid, raw FROM quarantine'),
    quarantineRewrite: db.prepare<[string, number]>('UPDATE quarantine SET raw = ? WHERE qid = ?'),
    erasuresAt: db.prepare<[string], RecordDbRow>("SELECT * FROM records INDEXED BY records_erasures WHERE org_path = ? AND type = 'household.erasure' ORDER BY seq"),
    roleOf: db.prepare<[string], { role: Role }>('SELECT role FROM users WHERE id = ?'),
    claimGet: db.prepare<[string], { author_id: string }>('SELECT author_id FROM record_claims WHERE id = ?'),
    claimInsert: db.prepare('INSERT INTO record_claims (id, author_id, claimed_at) VALUES (?, ?, ?)'),
    recordCount: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM records'),
    // A narrow scope picks its page of seqs from the covering (org_path, seq) index
    // (no table reads for the rows it skips), then fetches just those rows.
    pullNarrow: db.prepare<[string, number, string, string, number, number], RecordDbRow>(
      `SELECT * FROM records WHERE seq IN (
         SELECT seq FROM records INDEXED BY records_scope
         WHERE (org_path = ? AND seq > ?) OR (org_path >= ? AND org_path < ? AND seq > ?)
         ORDER BY seq LIMIT ?)
       ORDER BY seq`,
    ),
    // A wide scope walks the log in seq order and filters (unary + keeps the planner off the path index).
    pullWide: db.prepare<[number, string, string, string, number], RecordDbRow>(
      `SELECT * FROM records
       WHERE seq > ? AND (+org_path = ? OR (+org_path >= ? AND +org_path < ?))
       ORDER BY seq LIMIT ?`,
    ),
    countAfter: db.prepare<[string, number, string, string, number], { n: number }>(
      'SELECT count(*) AS n FROM records WHERE (org_path = ? AND seq > ?) OR (org_path >= ? AND org_path < ? AND seq > ?)',
    ),
    quarantineInsert: db.prepare(
      `INSERT INTO quarantine (record_id, user_id, received_at, code, reason, path, raw)
       VALUES (@record_id, @user_id, @received_at, @code, @reason, @path, @raw)`,
    ),
    quarantineList: db.prepare<[number], QuarantineDbRow>('SELECT * FROM quarantine ORDER BY qid LIMIT ?'),
    quarantineByUsers: db.prepare<[string, number], QuarantineDbRow>(
      'SELECT * FROM quarantine WHERE user_id IN (SELECT value FROM json_each(?)) ORDER BY qid DESC LIMIT ?',
    ),
    // keeps an account's newest QUARANTINE_PER_ACCOUNT rows (and every row a handover refers to)
    quarantineTrim: db.prepare<[string, string, number]>(
      `DELETE FROM quarantine WHERE user_id = ? AND qid NOT IN (SELECT qid FROM handovers)
         AND qid < (SELECT qid FROM quarantine WHERE user_id = ? ORDER BY qid DESC LIMIT 1 OFFSET ?)`,
    ),
    quarantinePurgeBefore: db.prepare<[string]>('DELETE FROM quarantine WHERE received_at < ? AND qid NOT IN (SELECT qid FROM handovers)'),
    quarantinePurgeUser: db.prepare<[string]>('DELETE FROM quarantine WHERE user_id = ? AND qid NOT IN (SELECT qid FROM handovers)'),
    identityGet: db.prepare<[], { identity: string }>('SELECT identity FROM database_identity WHERE id = 1'),
    identitySet: db.prepare<[string, string, number]>(
      `INSERT INTO database_identity (id, identity, renewed_at, base_seq) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET identity = excluded.identity, renewed_at = excluded.renewed_at, base_seq = excluded.base_seq`,
    ),
    identityCreate: db.prepare<[string, string]>('INSERT INTO database_identity (id, identity, renewed_at, base_seq) VALUES (1, ?, ?, 0) ON CONFLICT (id) DO NOTHING'),
    highestSeq: db.prepare<[], { n: number | null }>('SELECT max(seq) AS n FROM records'),
    usageAdd: db.prepare<[string, string, number, number, number]>(
      `INSERT INTO push_usage (user_id, window_kind, window_start, records, bytes) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (user_id, window_kind, window_start) DO UPDATE SET records = records + excluded.records, bytes = bytes + excluded.bytes`,
    ),
    usageGet: db.prepare<[string, string, number], { records: number; bytes: number }>(
      'SELECT records, bytes FROM push_usage WHERE user_id = ? AND window_kind = ? AND window_start = ?',
    ),
    usageForget: db.prepare<[number]>('DELETE FROM push_usage WHERE window_start < ?'),
    ...handoverQueries(db),
  }

  /** What one append transaction keeps across its batches: the summaries' changes, and the erasures read per place. */
  interface AppendTx {
    summaries: ReturnType<typeof ledger.batch>
    erasuresAt: Map<string, RecordDbRow[]>
  }
  const appendItems = (items: readonly BatchItem[], ctx: BatchContext, tx: AppendTx): BatchOutcome[] => {
    let quarantined = 0
    const quarantine = (recordId: string | null, code: MessageCode, path: string, raw: string) => {
      quarantined++
      q.quarantineInsert.run({
        record_id: recordId,
        user_id: ctx.userId,
        received_at: ctx.serverTime,
        code,
        reason: ctx.reason(code),
        path,
        raw: truncateUtf8(raw, QUARANTINE_RAW_MAX),
      })
    }
    const outcomes = items.map((item): BatchOutcome => {
      if (item.kind === 'reject') {
        quarantine(item.recordId, item.code, item.path, item.raw)
        return { status: 'rejected', code: item.code, path: item.path, ...(item.max ? { max: item.max } : {}) }
      }
      const refuse = (code: MessageCode, path: string): BatchOutcome => {
        quarantine(item.record.id, code, path, item.raw)
        return { status: 'rejected', code, path }
      }
      const r = item.record
      // Idempotency: the id is the key. Same content → duplicate; other content → conflict.
      const existing = q.recordMeta.get(r.id)
      if (existing) {
        if (existing.content_hash === item.hash) return { status: 'duplicate', seq: existing.seq, serverTime: existing.server_time }
        quarantine(r.id, 'conflict', '', item.raw)
        return { status: 'conflict' }
      }
      // An id someone else referred to first is theirs.
      const claim = q.claimGet.get(r.id)
      if (claim && claim.author_id !== r.authorId) return refuse('id_claimed', 'id')
      // References are read inside this transaction, so earlier records of the batch count.
      const ref = item.reference
      let targetId: string | null = null
      if (ref) {
        const row = q.recordById.get(ref.id)
        const role = row ? q.roleOf.get(row.author_id)?.role : undefined
        const claimedBy = row ? null : (q.claimGet.get(ref.id)?.author_id ?? null)
        const issue = checkReference(
          ref,
          { record: row ? toStored(row) : null, ...(role ? { authorLevel: ROLE_LEVEL[role] } : {}), related: () => q.recordsRelated.all(ref.id).map(toStored) },
          r.authorId,
          claimedBy,
        )
        if (issue) return refuse(issue.code, issue.path)
        if (!row && ref.mayPrecede && !claimedBy) q.claimInsert.run(ref.id, r.authorId, ctx.serverTime)
        // what a check folds with its target later: amendments and events, not a feedback's source
        if (!ref.mayPrecede) targetId = ref.id
      }
      // made before an erasure of its household, sent after it: stored redacted (the hash stays the sent one's)
      // read once a place and transaction (an erasure appended here forgets its place's)
      let erasures = tx.erasuresAt.get(r.orgPath)
      if (!erasures) tx.erasuresAt.set(r.orgPath, (erasures = q.erasuresAt.all(r.orgPath)))
      const redacted = erasures.length ? redactArriving(r, erasures.map(toStored), q.recordsAt.all(r.orgPath).map(toStored)) : null
      const res = q.recordInsert.run({
        id: r.id,
        type: r.type,
        v: r.v,
        org_path: r.orgPath,
        author_id: r.authorId,
        device_id: r.deviceId,
        client_time: r.clientTime,
        body: JSON.stringify(redacted ?? r.body),
        content_hash: item.hash,
        server_time: ctx.serverTime,
        target_id: targetId,
      })
      const seq = Number(res.lastInsertRowid)
      if (r.type === 'household.erasure') {
        tx.erasuresAt.delete(r.orgPath)
        // an erasure redacts the household's stored records in the same transaction (read only
        // then: the building's records cost ~0.1 s per append in a large building)
        for (const red of redactionsFor(r, seq, q.recordsAt.all(r.orgPath).map(toStored))) q.recordRewrite.run(JSON.stringify(red.body), red.id)
        // and the refused copies kept in quarantine
        for (const row of q.quarantineRaw.all()) {
          const raw = redactQuarantined(row.raw, r.orgPath, r.body.household)
          if (raw !== null) q.quarantineRewrite.run(raw, row.qid)
        }
      }
      tx.summaries.apply({ ...r, ...(redacted ? { body: redacted } : {}), seq, serverTime: ctx.serverTime } as StoredRecord)
      return { status: 'accepted', seq, serverTime: ctx.serverTime }
    })
    // keeps the account's newest QUARANTINE_PER_ACCOUNT rows (and every row a handover refers to)
    if (quarantined) q.quarantineTrim.run(ctx.userId, ctx.userId, QUARANTINE_PER_ACCOUNT - 1)
    return outcomes
  }
  const appendTx = db.transaction((batches: readonly Batch[]): BatchOutcome[][] => {
    const tx: AppendTx = { summaries: ledger.batch(), erasuresAt: new Map() }
    const outcomes = batches.map((b) => appendItems(b.items, b.ctx, tx))
    tx.summaries.finish()
    return outcomes
  })
  // outside a caller's transaction, synced off the event loop (./walSync.ts); inside one, its COMMIT syncs
  const wal = walSync(db)
  // and checkpointed off it (./checkpointer.ts)
  const checkpointer = startCheckpointer(db)
  const lowestAccepted = (all: BatchOutcome[][]): number | null => {
    let low: number | null = null
    for (const outcomes of all) for (const o of outcomes) if (o.status === 'accepted' && (low === null || o.seq < low)) low = o.seq
    return low
  }
  const append = (batches: readonly Batch[]): BatchOutcome[][] | Promise<BatchOutcome[][]> =>
    wal && !db.inTransaction ? wal.durably(() => appendTx.immediate(batches), lowestAccepted) : appendTx.immediate(batches)
  /** Seqs a reader may hand out: none committed but not yet on disk (./walSync.ts). */
  const visible = (seq: number): boolean => !wal || seq < wal.visibleBelow()

  // One connection serves every request. While `transaction` runs its async `fn`, other
  // callers wait at this gate, so nothing of theirs lands inside (or is rolled back with) it.
  let gate: Promise<void> | null = null
  const gated =
    <A extends unknown[], R>(f: (...args: A) => R) =>
    async (...args: A): Promise<Awaited<R>> => {
      while (gate) await gate
      return await f(...args)
    }
  const highest = (): number => q.highestSeq.get()?.n ?? 0
  const highestVisible = (): number => Math.min(highest(), wal ? wal.visibleBelow() - 1 : Infinity)
  const identityTx = db.transaction((renew: boolean, now: string): DatabaseHead => {
    if (renew) q.identitySet.run(newIdentity(), now, highest())
    else q.identityCreate.run(newIdentity(), now)
    return { identity: q.identityGet.get()!.identity, highestSeq: highestVisible() }
  })
  const usageTx = db.transaction((userId: string, records: number, bytes: number, now: number, limits: PushLimits): number => {
    const w = usageWindows(now)
    const minute = q.usageGet.get(userId, 'm', w.minute)
    const day = q.usageGet.get(userId, 'd', w.day)
    if ((minute?.records ?? 0) + records > limits.recordsPerMinute) return Math.ceil((w.minuteEnd - now) / 1000)
    if ((day?.bytes ?? 0) + bytes > limits.bytesPerDay) return Math.ceil((w.dayEnd - now) / 1000)
    q.usageAdd.run(userId, 'm', w.minute, records, bytes)
    q.usageAdd.run(userId, 'd', w.day, records, bytes)
    // a new day's first push forgets the windows gone by
    if (!day) q.usageForget.run(w.day)
    return 0
  })

  const build = (g: typeof gated): Omit<Storage, 'transaction' | 'close' | 'logins'> => ({
    backend: 'sqlite',
    identity: {
      head: g(() => {
        const row = q.identityGet.get()
        return row ? { identity: row.identity, highestSeq: highestVisible() } : identityTx.immediate(false, new Date().toISOString())
      }),
      renew: g((now: string) => identityTx.immediate(true, now)),
    },
    usage: {
      take: g((userId: string, records: number, bytes: number, now: number, limits: PushLimits) => {
        // Counted without an fsync of its own (one per push was ≈ 6 ms of a blocked event loop
        // here): in WAL mode the next synchronous=FULL commit, the push's append right after,
        // syncs the log up to and including this one. A power cut before it may forget this
        // push's count, never a record.
        if (db.inTransaction) return usageTx(userId, records, bytes, now, limits)
        const level = Number(db.pragma('synchronous', { simple: true }))
        db.pragma('synchronous = NORMAL')
        try {
          return usageTx.immediate(userId, records, bytes, now, limits)
        } finally {
          db.pragma(`synchronous = ${level}`)
        }
      }),
    },
    org: {
      get: g((path: string) => {
        const r = q.orgGet.get(path)
        return r ? toNode(r) : null
      }),
      subtree: g((scope: string) => q.orgSubtree.all(scope, ...belowRange(scope)).map(toNode)),
      readingPointsUnder: g((parents: readonly string[]) => q.orgReadingPoints.all(JSON.stringify(parents)).map(toNode)),
      upsert: g((n: OrgNode) => {
        q.orgUpsert.run({
          path: n.path,
          kind: n.kind,
          name: n.name,
          parent: parentPath(n.path),
          layout: n.layout ? JSON.stringify(n.layout) : null,
          place: n.place ?? null,
          usual_time: n.usualTime ?? null,
          phone: n.phone ?? null,
        })
      }),
      count: g(() => q.orgCount.get()!.n),
    },
    users: {
      byId: g((id: string) => {
        const r = q.userById.get(id)
        return r ? toUser(r) : null
      }),
      byPhone: g((phone: string) => {
        const r = q.userByPhone.get(phone)
        return r ? toUser(r) : null
      }),
      upsert: g((u: NewUser) => {
        const existing = q.userByPhone.get(u.phone)
        q.userUpsert.run({
          id: existing?.id ?? u.id ?? crypto.randomUUID(),
          phone: u.phone,
          name: u.name,
          role: u.role,
          scopes: JSON.stringify(u.scopes),
          password_hash: u.passwordHash,
        })
        return toUser(q.userByPhone.get(u.phone)!)
      }),
      setDisabled: g((phone: string, at: string | null) => q.userDisable.run(at, phone).changes > 0),
      setPassword: g((id: string, hash: string, mustChange: boolean) => q.userSetPassword.run(hash, mustChange ? 1 : 0, id).changes > 0),
      within: g((scope: string) => q.usersWithin.all(scope, ...belowRange(scope)).map(toUser)),
      overlapping: g((scopes: readonly string[]) => {
        const byId = new Map<string, PersonRow>()
        for (const scope of normalizeScopes(scopes)) {
          for (const r of q.usersOverlapping.all(JSON.stringify(selfAndAbove(scope)), ...belowRange(scope))) byId.set(r.id, r)
        }
        return [...byId.values()].sort(byIdOrder)
      }),
    },
    sessions: {
      create: g((hash: string, userId: string, now: number) => {
        q.sessionCreate.run(hash, userId, now, now)
      }),
      get: g((hash: string) => {
        const r = q.sessionGet.get(hash)
        return r ? { tokenHash: r.token_hash, userId: r.user_id, createdAt: r.created_at, lastSeenAt: r.last_seen_at, revokedAt: r.revoked_at } : null
      }),
      withUser: g((hash: string) => {
        const r = q.sessionGet.get(hash)
        const u = r ? q.userById.get(r.user_id) : undefined
        return r && u ? { session: { tokenHash: r.token_hash, userId: r.user_id, createdAt: r.created_at, lastSeenAt: r.last_seen_at, revokedAt: r.revoked_at }, user: toUser(u) } : null
      }),
      touch: g((hash: string, now: number) => {
        q.sessionTouch.run(now, hash)
      }),
      revoke: g((hash: string, now: number) => {
        q.sessionRevoke.run(now, hash)
      }),
      revokeAllFor: g((userId: string, now: number) => q.sessionRevokeAll.run(now, userId).changes),
      revokeOthersFor: g((userId: string, keep: string, now: number) => q.sessionRevokeOthers.run(now, userId, keep).changes),
    },
    devices: {
      isKnown: g((markHash: string, userId: string) => q.deviceKnown.get(markHash, userId)!.n > 0),
      remember: g((markHash: string, userId: string, now: number) => {
        q.deviceRemember.run(markHash, userId, now, now)
      }),
    },
    records: {
      // IMMEDIATE: take the write lock up front, so the reads inside see the final state.
      appendBatch: g(async (items: readonly BatchItem[], ctx: BatchContext) => (await append([{ items, ctx }]))[0]!),
      appendGroup: g((batches: readonly Batch[]) => append(batches)),
      pull: g((scopes: readonly string[], after: number, limit: number) => {
        const rows: RecordDbRow[] = []
        const norm = normalizeScopes(scopes)
        for (const s of norm) {
          const [lo, hi] = belowRange(s)
          const page =
            s.split('/').length <= WIDE_SCOPE_DEPTH
              ? q.pullWide.all(after, s, lo, hi, limit + 1)
              : q.pullNarrow.all(s, after, lo, hi, after, limit + 1)
          rows.push(...page)
        }
        if (norm.length > 1) rows.sort((a, b) => a.seq - b.seq)
        // a page stops before a seq not yet on disk (a moment away: the next pull goes on from there)
        const shown = rows.filter((r) => visible(r.seq))
        const more = shown.length > limit
        return { records: shown.slice(0, limit).map(toStored), more }
      }),
      countAfter: g((scopes: readonly string[], after: number) => {
        let n = 0
        for (const s of normalizeScopes(scopes)) {
          const [lo, hi] = belowRange(s)
          n += q.countAfter.get(s, after, lo, hi, after)!.n
        }
        return n
      }),
      getById: g((id: string) => {
        const r = q.recordById.get(id)
        return r ? toStored(r) : null
      }),
      atPath: g((orgPath: string) => q.recordsAt.all(orgPath).map(toStored)),
      existing: g((ids: readonly string[]) => {
        const out = new Map<string, ExistingRecord>()
        for (const id of ids) {
          const r = q.recordMeta.get(id)
          if (r) out.set(id, { seq: r.seq, serverTime: r.server_time, hash: r.content_hash })
        }
        return out
      }),
      count: g(() => q.recordCount.get()!.n),
    },
    quarantine: {
      list: g((limit = 1000) => q.quarantineList.all(limit).map(toQuarantine)),
      byUsers: g((userIds: readonly string[], limit: number) => q.quarantineByUsers.all(JSON.stringify(userIds), limit).map(toQuarantine)),
      purge: g((opts: { before?: string; userId?: string }) => {
        if (opts.userId !== undefined) return q.quarantinePurgeUser.run(opts.userId).changes
        return opts.before !== undefined ? q.quarantinePurgeBefore.run(opts.before).changes : 0
      }),
      get: g((qid: number) => {
        const r = q.quarantineGet.get(qid)
        return r ? toQuarantine(r) : null
      }),
      latestFor: g((recordId: string, userId: string) => {
        const r = q.quarantineLatest.get(recordId, userId)
        return r ? toQuarantine(r) : null
      }),
      handOver: g((h: { recordId: string; qid: number; authorId: string; community: string; handedAt: string }) => {
        q.handoverInsert.run({ record_id: h.recordId, qid: h.qid, author_id: h.authorId, community: h.community, handed_at: h.handedAt })
        return toHandover(q.handoverGet.get(h.recordId)!)
      }),
      handover: g((recordId: string) => {
        const r = q.handoverGet.get(recordId)
        return r ? toHandover(r) : null
      }),
      waiting: g(() => q.handoversWaiting.all().map(toHandover)),
      decide: g(
        (recordId: string, d: { state: 'placed' | 'dismissed'; by: string; at: string; placedPath?: string; reason?: string }) =>
          q.handoverDecide.run({ record_id: recordId, state: d.state, by: d.by, at: d.at, placed_path: d.placedPath ?? null, reason: d.reason ?? null }).changes > 0,
      ),
    },
    ledger: {
      items: g((scope: string, month: string) => ledger.items(scope, month)),
      weights: g((street: string) => ledger.weights(street)),
      sheetRecords: g((scope: string, month: string) => ledger.sheetRecords(scope, month)),
      stale: g(() => ledger.stale()),
      rebuild: g(() => ledger.rebuild()),
    },
    audit: sqliteAuditStore(db, g),
    appLock: sqliteAppLockStore(db, g),
    volunteers: sqliteVolunteerIndex(db, g),
  })

  const logins = new MemoryLoginFailures()
  const ungated = <A extends unknown[], R>(f: (...args: A) => R) => async (...args: A): Promise<Awaited<R>> => await f(...args)
  const inside: Storage = {
    ...build(ungated),
    logins,
    transaction: () => Promise.reject(new Error('nested transaction')),
    close: () => Promise.reject(new Error('close inside a transaction')),
  }
  const outside = build(gated)
  const storage: Storage = {
    ...outside,
    records: { ...outside.records, appendBatch: groupCommit(outside.records.appendGroup) },
    logins,
    transaction: async (fn) => {
      while (gate) await gate
      let open!: () => void
      gate = new Promise((resolve) => (open = resolve))
      try {
        db.exec('BEGIN IMMEDIATE')
        try {
          const result = await fn(inside)
          db.exec('COMMIT')
          return result
        } catch (err) {
          if (db.inTransaction) db.exec('ROLLBACK')
          throw err
        }
      } finally {
        gate = null
        open()
      }
    },
    close: async () => {
      await checkpointer?.close()
      db.close()
    },
  }
  return storage
}
