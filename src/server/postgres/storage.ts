/**
 * The PostgreSQL implementation of Storage (../storage.ts), for several server
 * processes on one database. Its SQL keeps to the portable subset described in the
 * README ("Running on PostgreSQL"): plain SELECT/INSERT/UPDATE with $n parameters,
 * `= ANY($1)` arrays, ON CONFLICT, and pg_advisory_xact_lock; no JSON functions.
 *
 * Ordering: BIGSERIAL hands out seq values before commit, so two concurrent appends
 * could commit a lower seq after a reader already moved past a higher one. Every
 * append transaction therefore first takes one transaction-level advisory lock
 * (APPEND_LOCK): batches get their seqs and commit one after another, a reader's
 * snapshot always holds a prefix of the seq order, and a pull never skips a record
 * nor returns one twice. The lock is held for one group's reads, inserts and commit:
 * batches waiting in this process are written together (../groupCommit.ts).
 */
import { parentPath, type BuildingLayout, type NodeKind, type OrgNode } from '../../shared/org'
import type { LocalRecord, StoredRecord } from '../../shared/records'
import type { MessageCode } from '../../shared/messages'
import type { Role } from '../../shared/roles'
import type { HandoverState } from '../../shared/handover'
import { normalizeScopes } from '../../shared/org'
import { ROLE_LEVEL } from '../../shared/roles'
import { checkReference } from '../../shared/rules'
import { redactArriving, redactQuarantined } from '../../shared/erasure'
import {
  belowRange,
  byIdOrder,
  newIdentity,
  QUARANTINE_PER_ACCOUNT,
  QUARANTINE_RAW_MAX,
  redactionsFor,
  usageWindows,
  selfAndAbove,
  truncateUtf8,
  type Batch,
  type BatchItem,
  type BatchOutcome,
  type DatabaseHead,
  type ExistingRecord,
  type HandoverRow,
  type NewUser,
  type PersonRow,
  type QuarantineRow,
  type Storage,
  type UserRow,
} from '../storage'
import { APPEND_LOCK, withTransaction, type Pool, type PoolClient } from './db'
import { applyLedger, postgresLedger } from './ledger'
import { groupCommit } from '../groupCommit'
import { postgresAuditStore } from './audit'
import { postgresAppLockStore } from './appLock'
import { postgresVolunteerIndex } from './volunteers'

/** A pool or one transaction's connection: both answer `query`. */
type Queryable = Pick<Pool, 'query'> | PoolClient

interface OrgDbRow {
  path: string
  kind: NodeKind
  name: string
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

export const RECORD_COLUMNS = 'seq, id, type, v, org_path, author_id, device_id, client_time, body, content_hash, server_time'

function toNode(r: OrgDbRow): OrgNode {
  const node: OrgNode = { path: r.path, kind: r.kind, name: r.name }
  if (r.layout) node.layout = JSON.parse(r.layout) as BuildingLayout
  if (r.place) node.place = r.place
  if (r.usual_time) node.usualTime = r.usual_time
  if (r.phone) node.phone = r.phone
  return node
}

function toUser(r: UserDbRow): UserRow {
  return { id: r.id, phone: r.phone, name: r.name, role: r.role, scopes: JSON.parse(r.scopes) as string[], passwordHash: r.password_hash, disabledAt: r.disabled_at, mustChangePassword: r.must_change_password === 1 }
}

interface QuarantineDbRow { qid: number; record_id: string | null; user_id: string; received_at: string; code: string; reason: string; path: string | null; raw: string }
interface HandoverDbRow { record_id: string; qid: number; author_id: string; community: string; handed_at: string; state: HandoverState; decided_by: string | null; decided_at: string | null; placed_path: string | null; reason: string | null }

function toQuarantine(r: QuarantineDbRow): QuarantineRow {
  return { qid: r.qid, recordId: r.record_id, userId: r.user_id, receivedAt: r.received_at, code: r.code, reason: r.reason, path: r.path ?? '', raw: r.raw }
}

function toHandover(r: HandoverDbRow): HandoverRow {
  return {
    recordId: r.record_id, qid: r.qid, authorId: r.author_id, community: r.community, handedAt: r.handed_at, state: r.state,
    decidedBy: r.decided_by, decidedAt: r.decided_at, placedPath: r.placed_path, reason: r.reason,
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

/** A push over one of its account's limits: rolls back the count, answers the seconds to wait. */
class OverLimit extends Error {
  constructor(readonly seconds: number) {
    super(`push limit: wait ${seconds} s`)
  }
}

/** PostgreSQL text cannot hold U+0000: such a key matches nothing stored. */
const hasNul = (s: string): boolean => s.includes('\u0000')
/** For what is kept only to be read by people (quarantine): NUL shown as U+FFFD. */
const visible = (s: string): string => s.split('\u0000').join('\uFFFD')

/** Scopes this shallow (district, street) cover much of the log: scan it in seq order instead. */
const WIDE_SCOPE_DEPTH = 2

/**
 * Storage over `pool`. `close()` ends the pool. Login failures live in the
 * `login_failures` table, so every process counts the same ones.
 */
export function createPostgresStorage(pool: Pool): Storage {
  const build = (db: Queryable, inTx: boolean): Storage => {
    const rows = async <R extends object>(sql: string, params: unknown[] = []): Promise<R[]> => (await db.query<R>(sql, params)).rows
    const one = async <R extends object>(sql: string, params: unknown[] = []): Promise<R | null> => (await rows<R>(sql, params))[0] ?? null

    const userByPhone = async (phone: string) => (hasNul(phone) ? null : one<UserDbRow>('SELECT * FROM users WHERE phone = $1', [phone]))

    const head = async (): Promise<DatabaseHead | null> => {
      const r = await one<{ identity: string | null; n: number | null }>(
        'SELECT (SELECT identity FROM database_identity WHERE id = 1) AS identity, (SELECT max(seq) FROM records) AS n',
      )
      return r?.identity ? { identity: r.identity, highestSeq: r.n ?? 0 } : null
    }

    const storage: Storage = {
      backend: 'postgres',
      identity: {
        head: async () => {
          const found = await head()
          if (found) return found
          await db.query('INSERT INTO database_identity (id, identity, renewed_at, base_seq) VALUES (1, $1, $2, 0) ON CONFLICT (id) DO NOTHING', [newIdentity(), new Date().toISOString()])
          return (await head())!
        },
        renew: async (now) => {
          await db.query(
            `INSERT INTO database_identity (id, identity, renewed_at, base_seq) VALUES (1, $1, $2, (SELECT coalesce(max(seq), 0) FROM records))
             ON CONFLICT (id) DO UPDATE SET identity = excluded.identity, renewed_at = excluded.renewed_at, base_seq = excluded.base_seq`,
            [newIdentity(), now],
          )
          return (await head())!
        },
      },
      usage: {
        // Both windows counted by one upsert that also locks their rows, so two processes cannot
        // both pass the last place; over a limit the transaction rolls back and nothing counts.
        // Three round trips (BEGIN, upsert, COMMIT) instead of five: every push pays them.
        take: async (userId, records, bytes, now, limits) => {
          const w = usageWindows(now)
          const take = async (c: Queryable): Promise<number> => {
            const got = (
              await c.query<{ window_kind: 'm' | 'd'; records: number; bytes: number }>(
                `INSERT INTO push_usage (user_id, window_kind, window_start, records, bytes) VALUES ($1, 'm', $2, $4, $5), ($1, 'd', $3, $4, $5)
                 ON CONFLICT (user_id, window_kind, window_start) DO UPDATE SET records = push_usage.records + excluded.records, bytes = push_usage.bytes + excluded.bytes
                 RETURNING window_kind, records, bytes`,
                [userId, w.minute, w.day, records, bytes],
              )
            ).rows
            const minute = got.find((r) => r.window_kind === 'm')
            const day = got.find((r) => r.window_kind === 'd')
            if (Number(minute?.records ?? 0) > limits.recordsPerMinute) throw new OverLimit(Math.ceil((w.minuteEnd - now) / 1000))
            if (Number(day?.bytes ?? 0) > limits.bytesPerDay) throw new OverLimit(Math.ceil((w.dayEnd - now) / 1000))
            // now and then forget the windows gone by, for everyone
            if (Math.random() < 0.01) await c.query('DELETE FROM push_usage WHERE window_start < $1', [w.day])
            return 0
          }
          try {
            if (!inTx) return await withTransaction(pool, take)
            // inside a caller's transaction: undo just this count when over
            await db.query('SAVEPOINT usage_take')
            try {
              const wait = await take(db)
              await db.query('RELEASE SAVEPOINT usage_take')
              return wait
            } catch (err) {
              await db.query('ROLLBACK TO SAVEPOINT usage_take')
              throw err
            }
          } catch (err) {
            if (err instanceof OverLimit) return err.seconds
            throw err
          }
        },
      },
      org: {
        get: async (path) => {
          if (hasNul(path)) return null
          const r = await one<OrgDbRow>('SELECT * FROM org_nodes WHERE path = $1', [path])
          return r ? toNode(r) : null
        },
        subtree: async (scope) =>
          (await rows<OrgDbRow>('SELECT * FROM org_nodes WHERE path = $1 OR (path >= $2 AND path < $3) ORDER BY path', [scope, ...belowRange(scope)])).map(toNode),
        readingPointsUnder: async (parents) =>
          (await rows<OrgDbRow>("SELECT * FROM org_nodes WHERE parent = ANY($1) AND kind = 'reading_point' ORDER BY path", [parents.filter((p) => !hasNul(p))])).map(toNode),
        upsert: async (n) => {
          await db.query(
            `INSERT INTO org_nodes (path, kind, name, parent, layout, place, usual_time, phone) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (path) DO UPDATE SET kind = excluded.kind, name = excluded.name, parent = excluded.parent,
               layout = excluded.layout, place = excluded.place, usual_time = excluded.usual_time, phone = excluded.phone`,
            [n.path, n.kind, n.name, parentPath(n.path), n.layout ? JSON.stringify(n.layout) : null, n.place ?? null, n.usualTime ?? null, n.phone ?? null],
          )
        },
        count: async () => (await one<{ n: number }>('SELECT count(*) AS n FROM org_nodes'))!.n,
      },
      users: {
        byId: async (id) => {
          if (hasNul(id)) return null
          const r = await one<UserDbRow>('SELECT * FROM users WHERE id = $1', [id])
          return r ? toUser(r) : null
        },
        byPhone: async (phone) => {
          const r = await userByPhone(phone)
          return r ? toUser(r) : null
        },
        // the row and its scope rows change together
        upsert: (u) =>
          inTx
            ? upsertUser(db, u)
            : withTransaction(pool, (c) => upsertUser(c, u)),
        setDisabled: async (phone, at) => !hasNul(phone) && ((await db.query('UPDATE users SET disabled_at = $1 WHERE phone = $2', [at, phone])).rowCount ?? 0) > 0,
        setPassword: async (id, hash, mustChange) =>
          !hasNul(id) && ((await db.query('UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3', [hash, mustChange ? 1 : 0, id])).rowCount ?? 0) > 0,
        within: async (scope) =>
          hasNul(scope)
            ? []
            : (
                await rows<UserDbRow>(
                  `SELECT u.* FROM users u WHERE u.id IN (SELECT s.user_id FROM user_scopes s WHERE s.scope = $1 OR (s.scope >= $2 AND s.scope < $3)) ORDER BY u.id`,
                  [scope, ...belowRange(scope)],
                )
              ).map(toUser),
        overlapping: async (scopes) => {
          const byId = new Map<string, PersonRow>()
          for (const scope of normalizeScopes(scopes)) {
            const found = await rows<PersonRow>(
              `SELECT DISTINCT u.id, u.name, u.role FROM users u JOIN user_scopes s ON s.user_id = u.id
               WHERE u.disabled_at IS NULL AND (s.scope = ANY($1) OR (s.scope >= $2 AND s.scope < $3))`,
              [selfAndAbove(scope), ...belowRange(scope)],
            )
            for (const r of found) byId.set(r.id, r)
          }
          return [...byId.values()].sort(byIdOrder)
        },
      },
      sessions: {
        create: async (hash, userId, now) => {
          await db.query('INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)', [hash, userId, now])
        },
        get: async (hash) => {
          const r = await one<{ token_hash: string; user_id: string; created_at: number; last_seen_at: number; revoked_at: number | null }>(
            'SELECT * FROM sessions WHERE token_hash = $1',
            [hash],
          )
          return r ? { tokenHash: r.token_hash, userId: r.user_id, createdAt: r.created_at, lastSeenAt: r.last_seen_at, revokedAt: r.revoked_at } : null
        },
        withUser: async (hash) => {
          if (hasNul(hash)) return null
          const r = await one<{ token_hash: string; user_id: string; created_at: number; last_seen_at: number; revoked_at: number | null } & UserDbRow>(
            `SELECT s.token_hash, s.user_id, s.created_at, s.last_seen_at, s.revoked_at, u.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1`,
            [hash],
          )
          return r ? { session: { tokenHash: r.token_hash, userId: r.user_id, createdAt: r.created_at, lastSeenAt: r.last_seen_at, revokedAt: r.revoked_at }, user: toUser(r) } : null
        },
        touch: async (hash, now) => {
          await db.query('UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2 AND last_seen_at < $1', [now, hash])
        },
        revoke: async (hash, now) => {
          await db.query('UPDATE sessions SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL', [now, hash])
        },
        revokeAllFor: async (userId, now) => (await db.query('UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL', [now, userId])).rowCount ?? 0,
        revokeOthersFor: async (userId, keep, now) =>
          (await db.query('UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND token_hash <> $3 AND revoked_at IS NULL', [now, userId, keep])).rowCount ?? 0,
      },
      devices: {
        isKnown: async (markHash, userId) =>
          !hasNul(markHash) && (await one<{ n: number }>('SELECT count(*) AS n FROM known_devices WHERE mark_hash = $1 AND user_id = $2', [markHash, userId]))!.n > 0,
        remember: async (markHash, userId, now) => {
          await db.query(
            `INSERT INTO known_devices (mark_hash, user_id, created_at, last_used_at) VALUES ($1, $2, $3, $3)
             ON CONFLICT (mark_hash, user_id) DO UPDATE SET last_used_at = excluded.last_used_at`,
            [markHash, userId, now],
          )
        },
      },
      logins: {
        recent: async (key, now, windowMs) => {
          const r = await one<{ n: number; last: number | null }>('SELECT count(*) AS n, max(at) AS last FROM login_failures WHERE key = $1 AND at > $2', [visible(key), now - windowMs])
          return { count: Number(r?.n ?? 0), last: Number(r?.last ?? 0) }
        },
        fail: async (key, now, windowMs) => {
          await db.query('INSERT INTO login_failures (key, at) VALUES ($1, $2)', [visible(key), now])
          // keep the table small: now and then forget what has aged out for everyone
          if (Math.random() < 0.02) await db.query('DELETE FROM login_failures WHERE at <= $1', [now - windowMs])
        },
        reset: async (key) => {
          await db.query('DELETE FROM login_failures WHERE key = $1', [visible(key)])
        },
      },
      records: {
        // the transaction starts by taking APPEND_LOCK, in BEGIN's round trip; inside a
        // caller's transaction (a handover placed) it takes the lock there. Outside one,
        // batches waiting in this process are written together (groupCommit below).
        appendBatch: inTx
          ? async (items, ctx) => {
              await db.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK])
              return (await appendGroup(db as PoolClient, [{ items, ctx }]))[0]!
            }
          : (items, ctx) => appendInTransaction([{ items, ctx }]).then((o) => o[0]!),
        appendGroup: inTx
          ? async (batches) => {
              await db.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK])
              return appendGroup(db as PoolClient, batches)
            }
          : (batches) => appendInTransaction(batches),
        pull: async (scopes, after, limit) => {
          const found: RecordDbRow[] = []
          const norm = normalizeScopes(scopes)
          for (const s of norm) {
            const [lo, hi] = belowRange(s)
            const page =
              s.split('/').length <= WIDE_SCOPE_DEPTH
                ? await rows<RecordDbRow>(`SELECT ${RECORD_COLUMNS} FROM records WHERE seq > $1 AND (org_path = $2 OR (org_path >= $3 AND org_path < $4)) ORDER BY seq LIMIT $5`, [after, s, lo, hi, limit + 1])
                : await rows<RecordDbRow>(
                    `SELECT ${RECORD_COLUMNS} FROM records WHERE (org_path = $1 AND seq > $2) OR (org_path >= $3 AND org_path < $4 AND seq > $2) ORDER BY seq LIMIT $5`,
                    [s, after, lo, hi, limit + 1],
                  )
            found.push(...page)
          }
          if (norm.length > 1) found.sort((a, b) => a.seq - b.seq)
          return { records: found.slice(0, limit).map(toStored), more: found.length > limit }
        },
        countAfter: async (scopes, after) => {
          let n = 0
          for (const s of normalizeScopes(scopes)) {
            const [lo, hi] = belowRange(s)
            const r = await one<{ n: number }>('SELECT count(*) AS n FROM records WHERE (org_path = $1 AND seq > $2) OR (org_path >= $3 AND org_path < $4 AND seq > $2)', [s, after, lo, hi])
            n += r!.n
          }
          return n
        },
        getById: async (id) => {
          if (hasNul(id)) return null
          const r = await one<RecordDbRow>(`SELECT ${RECORD_COLUMNS} FROM records WHERE id = $1`, [id])
          return r ? toStored(r) : null
        },
        atPath: async (orgPath) => (await rows<RecordDbRow>(`SELECT ${RECORD_COLUMNS} FROM records WHERE org_path = $1 ORDER BY seq`, [orgPath])).map(toStored),
        existing: (ids) => existingOf(db, ids),
        count: async () => (await one<{ n: number }>('SELECT count(*) AS n FROM records'))!.n,
      },
      quarantine: {
        list: async (limit = 1000) => (await rows<QuarantineDbRow>('SELECT * FROM quarantine ORDER BY qid LIMIT $1', [limit])).map(toQuarantine),
        byUsers: async (userIds, limit) =>
          (await rows<QuarantineDbRow>('SELECT * FROM quarantine WHERE user_id = ANY($1) ORDER BY qid DESC LIMIT $2', [[...userIds], limit])).map(toQuarantine),
        purge: async (opts) => {
          const keep = 'qid NOT IN (SELECT qid FROM handovers)'
          if (opts.userId !== undefined) return (await db.query(`DELETE FROM quarantine WHERE user_id = $1 AND ${keep}`, [opts.userId])).rowCount ?? 0
          if (opts.before === undefined) return 0
          return (await db.query(`DELETE FROM quarantine WHERE received_at < $1 AND ${keep}`, [opts.before])).rowCount ?? 0
        },
        get: async (qid) => {
          const r = await one<QuarantineDbRow>('SELECT * FROM quarantine WHERE qid = $1', [qid])
          return r ? toQuarantine(r) : null
        },
        latestFor: async (recordId, userId) => {
          if (hasNul(recordId)) return null
          const r = await one<QuarantineDbRow>('SELECT * FROM quarantine WHERE record_id = $1 AND user_id = $2 ORDER BY qid DESC LIMIT 1', [recordId, userId])
          return r ? toQuarantine(r) : null
        },
        handOver: async (h) => {
          await db.query(
            `INSERT INTO handovers (record_id, qid, author_id, community, handed_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (record_id) DO NOTHING`,
            [h.recordId, h.qid, h.authorId, h.community, h.handedAt],
          )
          return toHandover((await one<HandoverDbRow>('SELECT * FROM handovers WHERE record_id = $1', [h.recordId]))!)
        },
        handover: async (recordId) => {
          if (hasNul(recordId)) return null
          const r = await one<HandoverDbRow>('SELECT * FROM handovers WHERE record_id = $1', [recordId])
          return r ? toHandover(r) : null
        },
        waiting: async () => (await rows<HandoverDbRow>("SELECT * FROM handovers WHERE state = 'waiting' ORDER BY handed_at, record_id")).map(toHandover),
        decide: async (recordId, d) =>
          ((
            await db.query(
              `UPDATE handovers SET state = $1, decided_by = $2, decided_at = $3, placed_path = $4, reason = $5 WHERE record_id = $6 AND state = 'waiting'`,
              [d.state, d.by, d.at, d.placedPath ?? null, d.reason ?? null, recordId],
            )
          ).rowCount ?? 0) > 0,
      },
      ledger: postgresLedger(db, inTx ? (fn) => fn(db) : (fn) => withTransaction(pool, fn)),
      audit: postgresAuditStore(db),
      appLock: postgresAppLockStore(db),
      volunteers: postgresVolunteerIndex(db),
      transaction: inTx ? (fn) => fn(storage) : (fn) => withTransaction(pool, (c) => fn(build(c, true))),
      close: () => pool.end(),
    }
    return storage
  }
  const appendInTransaction = (batches: readonly Batch[]) => withTransaction(pool, (c) => appendGroup(c, batches), `BEGIN; SELECT pg_advisory_xact_lock(${APPEND_LOCK})`)
  const outside = build(pool, false)
  return { ...outside, records: { ...outside.records, appendBatch: groupCommit(outside.records.appendGroup) } }
}

/** Inserts or updates a user by phone, with their scope rows; inside the caller's transaction. */
async function upsertUser(db: Queryable, u: NewUser): Promise<UserRow> {
  // the id is the stored one when the phone exists, even if another process inserted it a moment ago
  const { id } = (
    await db.query<{ id: string }>(
      `INSERT INTO users (id, phone, name, role, scopes, password_hash) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (phone) DO UPDATE SET name = excluded.name, role = excluded.role, scopes = excluded.scopes, password_hash = excluded.password_hash
       RETURNING id`,
      [u.id ?? crypto.randomUUID(), u.phone, u.name, u.role, JSON.stringify(u.scopes), u.passwordHash],
    )
  ).rows[0]!
  await db.query('DELETE FROM user_scopes WHERE user_id = $1', [id])
  await db.query('INSERT INTO user_scopes (user_id, scope) SELECT $1, s FROM unnest($2::text[]) AS s', [id, [...new Set(u.scopes)]])
  return toUser((await db.query<UserDbRow>('SELECT * FROM users WHERE id = $1', [id])).rows[0]!)
}

/** seq, serverTime and hash of the stored ones among `ids`. */
async function existingOf(db: Queryable, ids: readonly string[]): Promise<Map<string, ExistingRecord>> {
  const out = new Map<string, ExistingRecord>()
  const keys = [...new Set(ids.filter((id) => !hasNul(id)))]
  if (!keys.length) return out
  const found = await db.query<{ id: string; seq: number; server_time: string; content_hash: string }>(
    'SELECT id, seq, server_time, content_hash FROM records WHERE id = ANY($1)',
    [keys],
  )
  for (const r of found.rows) out.set(r.id, { seq: r.seq, serverTime: r.server_time, hash: r.content_hash })
  return out
}

/** The envelope fields stored as text columns, by their wire path. */
const TEXT_FIELDS = ['id', 'type', 'orgPath', 'authorId', 'deviceId', 'clientTime'] as const

/** Rows a multi-row INSERT takes at most (PostgreSQL allows 65,535 parameters a statement). */
const INSERT_ROWS_MAX = 4000

/** `$1, $2…` placeholders for `rows` rows of `cols` columns: `($1, $2), ($3, $4)`. */
function tuples(rows: number, cols: number): string {
  return Array.from({ length: rows }, (_, i) => `(${Array.from({ length: cols }, (_, k) => `$${i * cols + k + 1}`).join(', ')})`).join(', ')
}

/**
 * Batches inside one transaction, which holds APPEND_LOCK (see the header), each
 * decided as if appended alone, one after another (group commit: ../groupCommit.ts).
 * New records are inserted together, in order, until a record refers to another one:
 * then what is pending is written first, so the reference sees the earlier records.
 */
async function appendGroup(c: PoolClient, batches: readonly Batch[]): Promise<BatchOutcome[][]> {
  // the group's ids already stored, and those reserved by a reference, in one round trip
  const groupIds = [...new Set(batches.flatMap((b) => b.items.flatMap((it) => (it.kind === 'append' && !hasNul(it.record.id) ? [it.record.id] : []))))]
  const found = groupIds.length
    ? await c.query<{ k: 'r' | 'c'; id: string; seq: number | null; server_time: string | null; v: string }>(
        `SELECT 'r' AS k, id, seq, server_time, content_hash AS v FROM records WHERE id = ANY($1)
         UNION ALL SELECT 'c', id, NULL, NULL, author_id FROM record_claims WHERE id = ANY($1)`,
        [groupIds],
      )
    : { rows: [] }
  const stored = new Map<string, ExistingRecord>()
  const claims = new Map<string, string>()
  for (const x of found.rows) {
    if (x.k === 'r') stored.set(x.id, { seq: x.seq!, serverTime: x.server_time!, hash: x.v })
    else claims.set(x.id, x.v)
  }
  const all: BatchOutcome[][] = batches.map((b) => new Array<BatchOutcome>(b.items.length))
  const quarantined: unknown[][] = []
  let pending: { outcomes: BatchOutcome[]; index: number; record: LocalRecord; hash: string; targetId: string | null; serverTime: string; body?: Record<string, unknown> }[] = []
  // erasures at the group's places, read once: a record made before one is stored redacted
  const places = [...new Set(batches.flatMap(({ items }) => items.flatMap((it) => (it.kind === 'append' && !hasNul(it.record.orgPath) ? [it.record.orgPath] : []))))]
  const erasures = places.length
    ? (await c.query<RecordDbRow>(`SELECT ${RECORD_COLUMNS} FROM records WHERE type = 'household.erasure' AND org_path = ANY($1) ORDER BY seq`, [places])).rows.map(toStored)
    : []

  const flush = async () => {
    while (pending.length) {
      const chunk = pending.slice(0, INSERT_ROWS_MAX)
      pending = pending.slice(chunk.length)
      const values = chunk.flatMap((p) => {
        const r = p.record
        return [r.id, r.type, r.v, r.orgPath, r.authorId, r.deviceId, r.clientTime, JSON.stringify(p.body ?? r.body), p.hash, p.serverTime, p.targetId]
      })
      const inserted = await c.query<{ id: string; seq: number }>(
        `INSERT INTO records (id, type, v, org_path, author_id, device_id, client_time, body, content_hash, server_time, target_id)
         VALUES ${tuples(chunk.length, 11)} RETURNING id, seq`,
        values,
      )
      const seqOf = new Map(inserted.rows.map((r) => [r.id, r.seq]))
      for (const p of chunk) {
        const seq = seqOf.get(p.record.id)!
        stored.set(p.record.id, { seq, serverTime: p.serverTime, hash: p.hash })
        p.outcomes[p.index] = { status: 'accepted', seq, serverTime: p.serverTime }
      }
      await applyLedger(c, chunk.map((p) => ({ ...p.record, ...(p.body ? { body: p.body } : {}), seq: seqOf.get(p.record.id)!, serverTime: p.serverTime }) as StoredRecord), true)
    }
  }

  for (const [b, { items, ctx }] of batches.entries()) {
    const outcomes = all[b]!
    const quarantine = (recordId: string | null, code: MessageCode, path: string, raw: string) => {
      quarantined.push([recordId === null ? null : visible(recordId), ctx.userId, ctx.serverTime, code, ctx.reason(code), path === '' ? null : visible(path), truncateUtf8(raw, QUARANTINE_RAW_MAX)])
    }
    const refuse = (index: number, item: Extract<BatchItem, { kind: 'append' }>, code: MessageCode, path: string) => {
      quarantine(item.record.id, code, path, item.raw)
      outcomes[index] = { status: 'rejected', code, path }
    }

    for (const [index, item] of items.entries()) {
      if (item.kind === 'reject') {
        quarantine(item.recordId, item.code, item.path, item.raw)
        outcomes[index] = { status: 'rejected', code: item.code, path: item.path, ...(item.max ? { max: item.max } : {}) }
        continue
      }
      const r = item.record
      const nul = TEXT_FIELDS.find((f) => hasNul(String(r[f])))
      if (nul) {
        quarantine(hasNul(r.id) ? null : r.id, 'bad_value', nul, item.raw)
        outcomes[index] = { status: 'rejected', code: 'bad_value', path: nul }
        continue
      }
      // the same id twice in one group: the first must be written to answer the second
      if (pending.some((p) => p.record.id === r.id)) await flush()
      // Idempotency: the id is the key. Same content → duplicate; other content → conflict.
      const existing = stored.get(r.id)
      if (existing) {
        if (existing.hash === item.hash) outcomes[index] = { status: 'duplicate', seq: existing.seq, serverTime: existing.serverTime }
        else {
          quarantine(r.id, 'conflict', '', item.raw)
          outcomes[index] = { status: 'conflict' }
        }
        continue
      }
      // An id someone else referred to first is theirs.
      const claimant = claims.get(r.id)
      if (claimant && claimant !== r.authorId) {
        refuse(index, item, 'id_claimed', 'id')
        continue
      }
      // References are read inside this transaction, so earlier records of the group count.
      const ref = item.reference
      let targetId: string | null = null
      if (ref) {
        await flush()
        const row = hasNul(ref.id) ? undefined : (await c.query<RecordDbRow>(`SELECT ${RECORD_COLUMNS} FROM records WHERE id = $1`, [ref.id])).rows[0]
        const role = row ? (await c.query<{ role: Role }>('SELECT role FROM users WHERE id = $1', [row.author_id])).rows[0]?.role : undefined
        const claimedBy = row || hasNul(ref.id) ? null : ((await c.query<{ author_id: string }>('SELECT author_id FROM record_claims WHERE id = $1', [ref.id])).rows[0]?.author_id ?? null)
        const related = row ? (await c.query<RecordDbRow>(`SELECT ${RECORD_COLUMNS} FROM records WHERE target_id = $1 ORDER BY seq`, [ref.id])).rows.map(toStored) : []
        const issue = checkReference(ref, { record: row ? toStored(row) : null, ...(role ? { authorLevel: ROLE_LEVEL[role] } : {}), related: () => related }, r.authorId, claimedBy)
        if (issue) {
          refuse(index, item, issue.code, issue.path)
          continue
        }
        if (!row && ref.mayPrecede && !claimedBy && !hasNul(ref.id)) {
          await c.query('INSERT INTO record_claims (id, author_id, claimed_at) VALUES ($1, $2, $3)', [ref.id, r.authorId, ctx.serverTime])
          claims.set(ref.id, r.authorId)
        }
        // what a check folds with its target later: amendments and events, not a feedback's source
        if (!ref.mayPrecede) targetId = ref.id
      }
      let body: Record<string, unknown> | undefined
      const here = erasures.filter((e) => e.orgPath === r.orgPath)
      if (here.length) {
        await flush()
        const at = (await c.query<RecordDbRow>(`SELECT ${RECORD_COLUMNS} FROM records WHERE org_path = $1 ORDER BY seq`, [r.orgPath])).rows.map(toStored)
        body = redactArriving(r, here, at) ?? undefined
      }
      pending.push({ outcomes, index, record: r, hash: item.hash, targetId, serverTime: ctx.serverTime, ...(body ? { body } : {}) })
      if (r.type === 'household.erasure') {
        // an erasure redacts the household's stored records in the same transaction
        await flush()
        const at = (await c.query<RecordDbRow>(`SELECT ${RECORD_COLUMNS} FROM records WHERE org_path = $1 ORDER BY seq`, [r.orgPath])).rows.map(toStored)
        for (const red of redactionsFor(r, stored.get(r.id)!.seq, at)) await c.query('UPDATE records SET body = $1 WHERE id = $2', [JSON.stringify(red.body), red.id])
        erasures.push({ ...r, seq: stored.get(r.id)!.seq, serverTime: ctx.serverTime } as StoredRecord)
        // and the refused copies kept in quarantine
        for (const row of (await c.query<{ qid: number; raw: string }>('SELECT qid, raw FROM quarantine')).rows) {
          const raw = redactQuarantined(row.raw, r.orgPath, r.body.household)
          if (raw !== null) await c.query('UPDATE quarantine SET raw = $1 WHERE qid = $2', [raw, row.qid])
        }
      }
    }
  }
  await flush()

  for (let i = 0; i < quarantined.length; i += INSERT_ROWS_MAX) {
    const chunk = quarantined.slice(i, i + INSERT_ROWS_MAX)
    await c.query(`INSERT INTO quarantine (record_id, user_id, received_at, code, reason, path, raw) VALUES ${tuples(chunk.length, 7)}`, chunk.flat())
  }
  // keeps each account's newest QUARANTINE_PER_ACCOUNT rows (and every row a handover refers to)
  for (const userId of new Set(quarantined.map((row) => row[1] as string))) {
    await c.query(
      `DELETE FROM quarantine WHERE user_id = $1 AND qid NOT IN (SELECT qid FROM handovers)
         AND qid < (SELECT qid FROM quarantine WHERE user_id = $1 ORDER BY qid DESC LIMIT 1 OFFSET $2)`,
      [userId, QUARANTINE_PER_ACCOUNT - 1],
    )
  }
  return all
}
