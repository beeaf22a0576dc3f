/**
 * Staff's read of the quarantine (src/shared/quarantine.ts): online only, a desk's
 * question answered by the server at once. Nothing of it is kept on the device.
 */
import * as v from 'valibot'
import { QuarantineResponse } from '@shared/index'
import { db } from '@app/db/database'
import { request, type TransportOptions, type TransportResult } from '@app/sync/transport'

const opts: TransportOptions = { fetch: (url, init) => globalThis.fetch(url, init) }

/** The newest refused records of the accounts in my scope; an answer that does not fit the protocol counts as none. */
export async function listQuarantine(): Promise<TransportResult<QuarantineResponse>> {
  const token = (await db.getMeta('session'))?.token ?? ''
  const res = await request<unknown>(opts, { method: 'GET', path: '/quarantine', token })
  if (res.kind !== 'ok') return res
  const parsed = v.safeParse(QuarantineResponse, res.data)
  return parsed.success ? { ...res, data: parsed.output } : { kind: 'network', message: 'bad_response' }
}
