/**
 * The personal-information routes from the device (src/shared/piplProtocol.ts): a
 * phone number revealed, one household's export downloaded, the audit trail read.
 * All online only: a reveal is written to the audit trail by the server before the
 * number is answered, so there is no reveal the trail does not hold.
 */
import * as v from 'valibot'
import { AuditResponse, RevealResponse } from '@shared/piplProtocol'
import type { AuditAction } from '@shared/audit'
import { db } from '@app/db/database'
import { request, type TransportOptions, type TransportResult } from '@app/sync/transport'
import { download, fileNameOf } from '@app/data/deliver'

const opts: TransportOptions = { fetch: (url, init) => globalThis.fetch(url, init) }

async function token(): Promise<string> {
  return (await db.getMeta('session'))?.token ?? ''
}

function checked<T>(schema: v.GenericSchema<unknown, T>, r: TransportResult<unknown>): TransportResult<T> {
  if (r.kind !== 'ok') return r
  const parsed = v.safeParse(schema, r.data)
  return parsed.success ? { ...r, data: parsed.output } : { kind: 'http', status: 502, code: 'bad_request', retryAfterMs: null }
}

/** The household's phone number in full (null: none kept). Audited on the server. */
export async function revealPhone(building: string, household: string): Promise<TransportResult<RevealResponse>> {
  return checked(RevealResponse, await request<unknown>(opts, { method: 'POST', path: '/households/reveal', token: await token(), body: { building, household } }))
}

/** A page of the audit trail, newest first; `before` is the last id of the page before. */
export async function fetchAudit(q: { scope?: string; before?: number; action?: AuditAction; limit?: number } = {}): Promise<TransportResult<AuditResponse>> {
  const params = new URLSearchParams()
  if (q.scope) params.set('scope', q.scope)
  if (q.before !== undefined) params.set('before', String(q.before))
  if (q.action) params.set('action', q.action)
  params.set('limit', String(q.limit ?? 50))
  return checked(AuditResponse, await request<unknown>(opts, { method: 'GET', path: `/audit?${params}`, token: await token() }))
}

/** Downloads everything held about one household under the server's file name. False when it could not. */
export async function downloadHouseholdExport(building: string, household: string, format: 'json' | 'xlsx'): Promise<boolean> {
  try {
    const q = new URLSearchParams({ building, household, format })
    const res = await fetch(`/api/v1/households/export?${q}`, { headers: { authorization: `Bearer ${await token()}` } })
    if (!res.ok) return false
    download(await res.blob(), fileNameOf(res, `household.${format}`))
    return true
  } catch {
    return false
  }
}
