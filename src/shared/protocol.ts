/**
 * The sync protocol between device and server (DESIGN.md §3).
 * Routes are versioned under /api/v1; a client whose protocol version is below
 * MIN_PROTOCOL gets 426 and is asked to refresh.
 */
import * as v from 'valibot'
import { RECORD_TYPES, type StoredRecord } from './records'
import { MESSAGES, type MessageCode } from './messages'
import type { OrgNode } from './org'
import { ROLES, type Role } from './roles'

import { SessionUserSchema } from './apiBasics'
export { About, API_PREFIX, MIN_PROTOCOL, PROTOCOL_HEADER, PROTOCOL_VERSION, SessionUserSchema } from './apiBasics'

export const PUSH_MAX_RECORDS = 500
export const PUSH_MAX_BYTES = 2 * 1024 * 1024
export const PULL_DEFAULT_LIMIT = 500
export const PULL_MAX_LIMIT = 2000

// ---------------------------------------------------------------- schemas of the wire
// One schema per message: the server's routes validate what they receive with
// them and the device reads every answer through them, so the two cannot drift.
// The types below are inferred from the schemas.

const isoTime = v.pipe(v.string(), v.isoTimestamp())
const seqValue = v.pipe(v.number(), v.integer(), v.minValue(0))

import { PASSWORD_MAX } from './passwordLimits'
export { PASSWORD_MAX }

export const LoginRequest = v.object({
  phone: v.pipe(v.string(), v.minLength(1), v.maxLength(32)),
  password: v.pipe(v.string(), v.minLength(1), v.maxLength(PASSWORD_MAX)),
})
export type LoginRequest = v.InferOutput<typeof LoginRequest>

/**
 * POST /api/v1/auth/password: one's own new password. `current` may be left out only
 * right after logging in with a one-time code (the server knows). `next` is checked
 * against the shared rule (password.ts) by the server; the length here only keeps
 * megabytes away from the hash.
 */
export const ChangePasswordRequest = v.object({
  current: v.optional(v.pipe(v.string(), v.maxLength(PASSWORD_MAX))),
  next: v.pipe(v.string(), v.maxLength(PASSWORD_MAX * 2)),
})
export type ChangePasswordRequest = v.InferOutput<typeof ChangePasswordRequest>


export const LoginResponse = v.object({ token: v.pipe(v.string(), v.minLength(16)), user: SessionUserSchema })
export type LoginResponse = v.InferOutput<typeof LoginResponse>

/**
 * What the device knows of the server database it synced with: the identity and its
 * pull cursor. A push naming another identity, or a cursor above the highest seq, is
 * answered 409 `database_restored` before anything is stored: the server was restored
 * from a backup, and the device sends again what it lacks first (a waiting record may
 * refer to one of those). Older devices omit it.
 */
export const KnownDatabase = v.object({ identity: v.pipe(v.string(), v.maxLength(100)), cursor: seqValue })
export type KnownDatabase = v.InferOutput<typeof KnownDatabase>

/** The records themselves are checked one by one (rules.ts), so one bad record never spoils the batch. */
export const PushRequest = v.object({ records: v.array(v.unknown()), known: v.optional(KnownDatabase) })
export type PushRequest = v.InferOutput<typeof PushRequest>

export const PushResult = v.variant('status', [
  v.object({ id: v.string(), status: v.literal('accepted'), seq: seqValue, serverTime: isoTime }),
  v.object({ id: v.string(), status: v.literal('duplicate'), seq: seqValue, serverTime: isoTime }),
  v.object({ id: v.string(), status: v.literal('conflict'), code: v.literal('conflict'), reason: v.string() }),
  v.object({ id: v.string(), status: v.literal('rejected'), code: v.picklist(Object.keys(MESSAGES) as MessageCode[]), reason: v.string(), path: v.string() }),
])
export type PushResult = v.InferOutput<typeof PushResult>

/**
 * Which database answered, in every sync answer (push, pull, missing): its identity,
 * renewed by a restore, and its highest seq, read after the answer's own records. A
 * device that synced with another identity, or whose pull cursor is above
 * `highestSeq`, talks to a restored database that lacks records it holds: it sends its
 * own again and pulls from the start (src/app/sync/restored.ts). Older servers omit it.
 */
export const DatabaseHead = v.object({
  identity: v.pipe(v.string(), v.minLength(1), v.maxLength(100)),
  highestSeq: seqValue,
})
export type DatabaseHead = v.InferOutput<typeof DatabaseHead>

export const PushResponse = v.object({
  results: v.array(PushResult),
  database: v.optional(DatabaseHead),
  /** the server clock when it answered (ISO): devices learn their clock offset from it. Older servers omit it. */
  now: v.optional(isoTime),
})
export type PushResponse = v.InferOutput<typeof PushResponse>

/**
 * `after` and `limit` as the query string carries them: whole numbers, optional.
 * `count=1` (a pull's first page) asks for `remaining` in the answer, so a long
 * first download can show n of N; later pages do not ask (a count per page would cost).
 */
export const PullQuery = v.object({
  after: v.optional(v.pipe(v.string(), v.regex(/^\d{1,15}$/), v.transform(Number)), '0'),
  limit: v.optional(v.pipe(v.string(), v.regex(/^\d{1,15}$/), v.transform(Number), v.minValue(1)), String(PULL_DEFAULT_LIMIT)),
  count: v.optional(v.picklist(['1'])),
})

/**
 * A stored record as pulled: the envelope is checked; the body was checked by the
 * server with the shared schema when it accepted it, and a body of a newer
 * version than this build knows must still be kept, so it is not checked again.
 */
const StoredEnvelope = v.object({
  id: v.string(),
  type: v.picklist(RECORD_TYPES),
  v: v.number(),
  orgPath: v.string(),
  authorId: v.string(),
  deviceId: v.string(),
  clientTime: v.string(),
  body: v.record(v.string(), v.unknown()),
  seq: seqValue,
  serverTime: isoTime,
})
const StoredRecordSchema = v.custom<StoredRecord>((x) => v.is(StoredEnvelope, x))

export const PullResponse = v.object({
  records: v.array(StoredRecordSchema),
  /** pass as `after` next time; only store it once `records` are stored */
  cursor: seqValue,
  /** more records wait beyond this page */
  more: v.boolean(),
  /**
   * Short hash of the caller's effective read scopes. When it differs from the
   * one a device stored, the scope changed and the device pulls again from 0.
   * Optional: older servers do not send it.
   */
  scope: v.optional(v.string()),
  /**
   * The caller's effective read scopes and role as the server sees them now: a device
   * purges what it holds outside them (scope shrunk, role changed; app/sync/purge.ts).
   * Optional: older servers do not send them.
   */
  scopes: v.optional(v.array(v.string())),
  role: v.optional(v.picklist(ROLES)),
  /** the server clock when it answered (ISO). Older servers omit it. */
  now: v.optional(isoTime),
  database: v.optional(DatabaseHead),
  /** asked with `count=1`: records in the caller's scope beyond this page. Older servers omit it. */
  remaining: v.optional(seqValue),
})
export type PullResponse = v.InferOutput<typeof PullResponse>

/** GET /api/v1/wishes/:id/address: the wish's address record, for the volunteer holding its claim (and leaders). */
export const WishAddressResponse = v.object({ record: StoredRecordSchema })
export type WishAddressResponse = v.InferOutput<typeof WishAddressResponse>

/** Ids asked about at most per POST /api/v1/sync/missing. */
export const MISSING_MAX_IDS = 2000

/**
 * POST /api/v1/sync/missing: which of these record ids (the caller's own, already
 * synced once) the server does not hold. After a restore the device asks this
 * instead of sending every record again, and sends only the missing ones.
 */
export const MissingRequest = v.object({ ids: v.pipe(v.array(v.pipe(v.string(), v.maxLength(64))), v.maxLength(MISSING_MAX_IDS)) })
export type MissingRequest = v.InferOutput<typeof MissingRequest>

export const MissingResponse = v.object({ missing: v.array(v.string()), database: DatabaseHead })
export type MissingResponse = v.InferOutput<typeof MissingResponse>

export interface OrgResponse {
  nodes: OrgNode[]
}

/**
 * Someone whose work meets the caller's, so the device can say who acted
 * ("刘敏(社区工作人员)"). Never their phone: the name and role are all a timeline needs.
 */
export interface Person {
  id: string
  name: string
  role: Role
  /**
   * Where a building or group leader works, sent only when every scope lies within
   * the caller's (src/shared/ledger.ts `sharesLedgerScopes`): the tablet's ledger
   * counts its leaders with no record from it.
   */
  scopes?: string[]
}

export interface PeopleResponse {
  people: Person[]
}

export interface ApiError {
  error: { code: MessageCode; message: string }
}
