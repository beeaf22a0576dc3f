/**
 * 交给社区处理 on the device: the server marks its quarantined copy handed over,
 * and only once it has confirmed does the record leave this phone (record and
 * outbox entry in one transaction; no network inside it). A failed call changes
 * nothing on the phone: the record stays under 需处理.
 */
import { canHandOver, type HandoverResponse } from '@shared/index'
import type { LoudongDB } from '@app/db/database'
import { guardedWrite } from '@app/db/guarded'
import { request, type TransportFailure, type TransportOptions } from './transport'

export type HandOverResult = { ok: true; handedAt: string } | { ok: false; failure: TransportFailure | { kind: 'not_attention' } }

/**
 * Hands record `id` over. Refuses (without a call) a record not waiting under
 * 需处理 for a reason in HANDOVER_CODES. Resolves `{ok: true}` once the record
 * and its outbox entry are gone from the device.
 */
export async function handOverRecord(db: LoudongDB, opts: TransportOptions, token: string, id: string): Promise<HandOverResult> {
  const entry = await db.outbox.get(id)
  if (!entry || entry.state !== 'attention' || !canHandOver(entry.code)) return { ok: false, failure: { kind: 'not_attention' } }
  const res = await request<HandoverResponse>(opts, { method: 'POST', path: '/sync/handover', token, body: { id } })
  if (res.kind !== 'ok') return { ok: false, failure: res }
  await guardedWrite(db, () =>
    db.transaction('rw', db.records, db.outbox, async () => {
      const now = await db.outbox.get(id)
      // mended and queued again meanwhile (another tab): it is no longer this phone's to drop
      if (now && now.state !== 'attention') return
      await db.outbox.delete(id)
      await db.records.delete(id)
    }),
  )
  return { ok: true, handedAt: res.data.handedAt }
}
