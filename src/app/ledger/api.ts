/**
 * The ledger from the server (community scope and above): figures, ranking and
 * the export files. Online only; a group leader's own group is computed on the
 * tablet instead (deviceLedger.ts).
 */
import * as v from 'valibot'
import { LedgerResponse, RankingResponse, type LedgerSheet } from '@shared/ledgerProtocol'
import { db } from '@app/db/database'
import { request, type TransportOptions, type TransportResult } from '@app/sync/transport'

const opts: TransportOptions = { fetch: (url, init) => globalThis.fetch(url, init) }

async function token(): Promise<string> {
  return (await db.getMeta('session'))?.token ?? ''
}

const query = (scope: string, month: string) => `scope=${encodeURIComponent(scope)}&month=${encodeURIComponent(month)}`

/** Reads an answer through its schema: a malformed one is a failure, never shown half-read. */
function checked<T>(schema: v.GenericSchema<unknown, T>, r: TransportResult<unknown>): TransportResult<T> {
  if (r.kind !== 'ok') return r
  const parsed = v.safeParse(schema, r.data)
  return parsed.success ? { ...r, data: parsed.output } : { kind: 'http', status: 502, code: 'bad_request', retryAfterMs: null }
}

/** The ledger of `scope` for `month` (`YYYY-MM`). */
export async function fetchLedger(scope: string, month: string): Promise<TransportResult<LedgerResponse>> {
  return checked(LedgerResponse, await request<unknown>(opts, { method: 'GET', path: `/ledger?${query(scope, month)}`, token: await token() }))
}

/** A street's communities ranked. */
export async function fetchRanking(street: string, month: string): Promise<TransportResult<RankingResponse>> {
  return checked(RankingResponse, await request<unknown>(opts, { method: 'GET', path: `/ledger/ranking?${query(street, month)}`, token: await token() }))
}

/**
 * Downloads the XLSX (all sheets) or a CSV of one sheet under the name the
 * server gives it. Returns false when it could not be fetched.
 */
export async function downloadLedger(scope: string, month: string, format: 'xlsx' | 'csv', sheet: LedgerSheet = 'summary'): Promise<boolean> {
  try {
    const res = await fetch(`/api/v1/ledger?${query(scope, month)}&format=${format}&sheet=${sheet}`, { headers: { authorization: `Bearer ${await token()}` } })
    if (!res.ok) return false
    const disposition = res.headers.get('content-disposition') ?? ''
    const name = decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1] ?? `ledger.${format}`)
    const url = URL.createObjectURL(await res.blob())
    const a = document.createElement('a')
    a.href = url
    a.download = name
    document.body.appendChild(a)
    a.click()
    a.remove()
    setTimeout(() => URL.revokeObjectURL(url), 10_000)
    return true
  } catch {
    return false
  }
}
