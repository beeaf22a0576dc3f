/**
 * The sync protocol between device and server (DESIGN.md §3).
 * Routes are versioned under /api/v1; a client whose protocol version is below
 * MIN_PROTOCOL gets 426 and is asked to refresh.
 */
import type { LocalRecord, StoredRecord } from './records'
import type { MessageCode } from './messages'
import type { OrgNode } from './org'
import type { Role, SessionUser } from './roles'

export const API_PREFIX = '/api/v1'
export const PROTOCOL_VERSION = 1
export const MIN_PROTOCOL = 1
export const PROTOCOL_HEADER = 'x-loudong-protocol'

export const PUSH_MAX_RECORDS = 500
export const PUSH_MAX_BYTES = 2 * 1024 * 1024
export const PULL_DEFAULT_LIMIT = 500
export const PULL_MAX_LIMIT = 2000

export interface PushRequest {
  records: LocalRecord[]
}

export type PushResult =
  | { id: string; status: 'accepted'; seq: number; serverTime: string }
  | { id: string; status: 'duplicate'; seq: number; serverTime: string }
  | { id: string; status: 'conflict'; code: 'conflict'; reason: string }
  | { id: string; status: 'rejected'; code: MessageCode; reason: string; path: string }

export interface PushResponse {
  results: PushResult[]
}

export interface PullResponse {
  records: StoredRecord[]
  /** pass as `after` next time; only store it once `records` are stored */
  cursor: number
  /** more records wait beyond this page */
  more: boolean
  /**
   * Short hash of the caller's effective read scopes. When it differs from the
   * one a device stored, the scope changed and the device pulls again from 0.
   * Optional: older servers do not send it.
   */
  scope?: string
}

export interface LoginRequest {
  phone: string
  password: string
}

export interface LoginResponse {
  token: string
  user: SessionUser
}

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
}

export interface PeopleResponse {
  people: Person[]
}

export interface ApiError {
  error: { code: MessageCode; message: string }
}
