/**
 * An outbox entry whose record is gone (a bug, a hand-edited database) can never
 * be sent. It used to be skipped on every push, waiting forever and unseen; now
 * it goes to needs-attention with its reason, so nothing is silently dropped.
 */
import { describe, expect, it } from 'vitest'
import { message } from '@shared/index'
import { createSyncApi } from '@app/sync/api'
import { saveRecord } from '@app/sync/outbox'
import { pushOutbox } from '@app/sync/push'
import { reasonText } from '@app/components/sync/words'
import { FakeServer, freshDb, visitInput } from './fakes'

describe('an outbox entry whose record is missing', () => {
  it('goes to needs-attention with a clear reason, and the records around it are sent', async () => {
    const db = freshDb()
    const before = await saveRecord(db, visitInput('1-1-1'))
    const lost = await saveRecord(db, visitInput('1-1-2'))
    const after = await saveRecord(db, visitInput('1-1-3'))
    await db.records.delete(lost.id)
    const server = new FakeServer()

    const result = await pushOutbox(db, createSyncApi({ fetch: server.fetch }, 'tok'))

    expect(result).toMatchObject({ kind: 'done', accepted: 2 })
    expect(server.pushes).toEqual([[before.id, after.id]])
    expect(await db.outbox.get(lost.id)).toMatchObject({ state: 'attention', code: 'missing_record', attempts: 1 })
    expect(await db.outbox.where('state').equals('pending').count()).toBe(0)
    expect(reasonText('missing_record')).toBe(message('missing_record'))
    expect(message('missing_record')).toBe('这条记录在手机上找不到了，无法上传')
    expect(message('missing_record', 'en')).toMatch(/no longer on the phone/)

    // the next push does not try it again
    await pushOutbox(db, createSyncApi({ fetch: server.fetch }, 'tok'))
    expect(server.pushes).toEqual([[before.id, after.id]])
    expect(await db.outbox.get(lost.id)).toMatchObject({ state: 'attention', attempts: 1 })
  })
})
