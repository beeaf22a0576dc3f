/** The two sync endpoints, bound to one login token. */
import type { LocalRecord, PullResponse, PushResponse } from '@shared/index'
import { request, type TransportOptions, type TransportResult } from './transport'

export interface SyncApi {
  push(records: LocalRecord[]): Promise<TransportResult<PushResponse>>
  pull(after: number, limit: number): Promise<TransportResult<PullResponse>>
}

export function createSyncApi(opts: TransportOptions, token: string): SyncApi {
  return {
    push: (records) => request<PushResponse>(opts, { method: 'POST', path: '/sync/push', token, body: { records } }),
    pull: (after, limit) => request<PullResponse>(opts, { method: 'GET', path: `/sync/pull?after=${after}&limit=${limit}`, token }),
  }
}
