/** The two sync endpoints, bound to one login token. Every answer is read through the shared wire schema. */
import * as v from 'valibot'
import { MissingResponse, PullResponse, PushResponse, type DatabaseHead, type KnownDatabase, type LocalRecord } from '@shared/index'
import { offsetFrom } from './clock'
import { request, type RequestSpec, type TransportOptions, type TransportResult } from './transport'

export interface SyncApi {
  /** `known`: the database this device synced with (a restored server answers 409 database_restored) */
  push(records: LocalRecord[], known?: KnownDatabase): Promise<TransportResult<PushResponse>>
  pull(after: number, limit: number): Promise<TransportResult<PullResponse>>
  /** which of these ids (at most MISSING_MAX_IDS) the server lacks */
  missing(ids: string[]): Promise<TransportResult<MissingResponse>>
}

/**
 * An answer that does not fit the protocol (a proxy's page, a half-deployed
 * server) counts as no answer: nothing of it is stored, and sync tries again later.
 */
function checked<S extends v.GenericSchema>(schema: S, result: TransportResult<unknown>): TransportResult<v.InferOutput<S>> {
  if (result.kind !== 'ok') return result
  const parsed = v.safeParse(schema, result.data)
  return parsed.success ? { ...result, data: parsed.output } : { kind: 'network', message: 'bad_response' }
}

/**
 * `onClock(offsetMs)` hears the server-minus-device clock offset learned from
 * every answer that names the server's time (see clock.ts); `onHead` every
 * answer's database identity and highest seq (see restored.ts).
 */
export function createSyncApi(opts: TransportOptions, token: string, onClock?: (offsetMs: number) => void, onHead?: (head: DatabaseHead) => void): SyncApi {
  const now = opts.now ?? Date.now
  async function call<S extends typeof PushResponse | typeof PullResponse | typeof MissingResponse>(schema: S, spec: RequestSpec): Promise<TransportResult<v.InferOutput<S>>> {
    const sentAt = now()
    const result = checked(schema, await request<unknown>(opts, spec))
    if (result.kind === 'ok' && onClock && 'now' in result.data) {
      const offset = offsetFrom(result.data.now, sentAt, now())
      if (offset !== null) onClock(offset)
    }
    if (result.kind === 'ok' && onHead && result.data.database) onHead(result.data.database)
    return result
  }
  return {
    push: (records, known) => call(PushResponse, { method: 'POST', path: '/sync/push', token, body: known ? { records, known } : { records } }),
    pull: (after, limit) => call(PullResponse, { method: 'GET', path: `/sync/pull?after=${after}&limit=${limit}`, token }),
    missing: (ids) => call(MissingResponse, { method: 'POST', path: '/sync/missing', token, body: { ids } }),
  }
}
