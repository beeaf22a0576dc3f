/**
 * The ledger from the server (community scope and above): figures, ranking and
 * the export files. Online only; a group leader's own group is computed on the
 * tablet instead (deviceLedger.ts).
 */
import * as v from 'valibot'
import { LedgerResponse, RankingResponse, type LedgerSheet } from '@shared/ledgerProtocol'
import { db } from '@app/db/database'
import { request, type TransportOptions, type TransportResult } from '@app/sync/transport'
import { download, fileNameOf } from '@app/data/deliver'

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
 * How far an export has come: the server is still building the file
 * (`preparing`), or its bytes are arriving (`received` of `total` bytes; total
 * null when the server does not say the length).
 */
export type ExportProgress = { phase: 'preparing' } | { phase: 'downloading'; received: number; total: number | null }

/** Reads the body chunk by chunk, telling how many bytes have come. */
async function readBody(res: Response, onProgress?: (p: ExportProgress) => void): Promise<Blob> {
  const length = Number(res.headers.get('content-length'))
  const total = Number.isFinite(length) && length > 0 ? length : null
  if (!res.body || !onProgress) return res.blob()
  const reader = res.body.getReader()
  const parts: Uint8Array[] = []
  let received = 0
  onProgress({ phase: 'downloading', received, total })
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    parts.push(value)
    received += value.byteLength
    onProgress({ phase: 'downloading', received, total })
  }
  return new Blob(parts as BlobPart[], { type: res.headers.get('content-type') ?? '' })
}

/**
 * Downloads the XLSX (all sheets) or a CSV of one sheet under the name the
 * server gives it. Returns false when it could not be fetched. `onProgress`
 * hears the phases (see ExportProgress). Not tied to a screen: leaving the
 * ledger meanwhile still saves the file when it comes.
 */
export async function downloadLedger(scope: string, month: string, format: 'xlsx' | 'csv', sheet: LedgerSheet = 'summary', onProgress?: (p: ExportProgress) => void): Promise<boolean> {
  try {
    onProgress?.({ phase: 'preparing' })
    const res = await fetch(`/api/v1/ledger?${query(scope, month)}&format=${format}&sheet=${sheet}`, { headers: { authorization: `Bearer ${await token()}` } })
    if (!res.ok) return false
    download(await readBody(res, onProgress), fileNameOf(res, `ledger.${format}`))
    return true
  } catch {
    return false
  }
}
