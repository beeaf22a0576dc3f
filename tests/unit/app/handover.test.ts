import { describe, expect, it } from 'vitest'
import { checkRecordShape } from '@shared/index'
import { handOverRecord } from '@app/sync/handover'
import { saveRecord } from '@app/sync/outbox'
import { CARE_NOTE_MAX } from '@shared/index'
import { BUILDING, freshDb, json, visitInput } from './fakes'

async function refused(code: string) {
  const db = freshDb()
  const record = await saveRecord(db, visitInput('2-5-1'))
  await db.outbox.update(record.id, { state: 'attention', code, reason: code, path: 'orgPath' })
  return { db, record }
}

describe('handing over on the device', () => {
  it('removes the record and its outbox entry only after the server confirmed', async () => {
    const { db, record } = await refused('out_of_scope')
    const calls: string[] = []
    const result = await handOverRecord(db, { fetch: async (url, init) => {
      calls.push(`${init.method} ${url} ${String(init.body)}`)
      return json(200, { id: record.id, handedAt: '2024-05-01T08:00:00.000Z' })
    } }, 'token-1', record.id)
    expect(result).toEqual({ ok: true, handedAt: '2024-05-01T08:00:00.000Z' })
    expect(calls).toEqual([`POST /api/v1/sync/handover ${JSON.stringify({ id: record.id })}`])
    expect(await db.records.get(record.id)).toBeUndefined()
    expect(await db.outbox.get(record.id)).toBeUndefined()
  })

  it('keeps everything when the network fails or the server refuses', async () => {
    const { db, record } = await refused('out_of_scope')
    expect(await handOverRecord(db, { fetch: () => Promise.reject(new TypeError('offline')) }, 't', record.id)).toMatchObject({ ok: false, failure: { kind: 'network' } })
    expect(await handOverRecord(db, { fetch: async () => json(409, { error: { code: 'cannot_hand_over', message: '' } }) }, 't', record.id)).toMatchObject({ ok: false, failure: { kind: 'http', code: 'cannot_hand_over' } })
    expect(await db.records.get(record.id)).toMatchObject({ orgPath: BUILDING })
    expect(await db.outbox.get(record.id)).toMatchObject({ state: 'attention' })
  })

  it('does not offer a mendable refusal: no call, nothing removed', async () => {
    const { db, record } = await refused('note_too_long')
    let called = false
    const result = await handOverRecord(db, { fetch: async () => ((called = true), json(200, {})) }, 't', record.id)
    expect(result).toMatchObject({ ok: false, failure: { kind: 'not_attention' } })
    expect(called).toBe(false)
    expect(await db.outbox.count()).toBe(1)
  })
})

describe('care note limit', () => {
  it('the care form’s counter limit is the schema’s', () => {
    const flag = (note: string) => ({ id: '018f332a-e400-7ed3-a293-cbbc7ff66c60', type: 'care.flag', v: 1, orgPath: BUILDING, authorId: 'u', deviceId: 'd', clientTime: '2024-05-01T08:00:00.000Z', body: { household: '1-1-1', kind: 'other', intervalDays: 7, active: true, note } })
    expect(checkRecordShape(flag('字'.repeat(CARE_NOTE_MAX))).ok).toBe(true)
    expect(checkRecordShape(flag('字'.repeat(CARE_NOTE_MAX + 1))).ok).toBe(false)
  })
})
