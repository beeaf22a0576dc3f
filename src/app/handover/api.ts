/**
 * Community staff's calls for handed-over records (src/shared/handover.ts).
 * Online only: these are decisions made at a desk, answered by the server at once.
 */
import type { DismissResponse, HandoversResponse, PlaceResponse } from '@shared/index'
import { db } from '@app/db/database'
import { request, type TransportOptions, type TransportResult } from '@app/sync/transport'

const opts: TransportOptions = { fetch: (url, init) => globalThis.fetch(url, init) }

async function token(): Promise<string> {
  return (await db.getMeta('session'))?.token ?? ''
}

/** Handed-over records waiting in my scope. */
export async function listHandovers(): Promise<TransportResult<HandoversResponse>> {
  return request<HandoversResponse>(opts, { method: 'GET', path: '/handovers', token: await token() })
}

/** Files record `id` under `orgPath` (a node of a kind its type allows, in my scope). */
export async function placeHandover(id: string, orgPath: string): Promise<TransportResult<PlaceResponse>> {
  return request<PlaceResponse>(opts, { method: 'POST', path: `/handovers/${encodeURIComponent(id)}/place`, token: await token(), body: { orgPath } })
}

/** Does not use record `id`, for `reason` (required, at most DISMISS_REASON_MAX characters). */
export async function dismissHandover(id: string, reason: string): Promise<TransportResult<DismissResponse>> {
  return request<DismissResponse>(opts, { method: 'POST', path: `/handovers/${encodeURIComponent(id)}/dismiss`, token: await token(), body: { reason } })
}
