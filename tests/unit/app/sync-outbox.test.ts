import { describe, expect, it } from 'vitest'
import { UUID_RE, uuidv7 } from '@shared/index'
import { IdTakenError, RecordShapeError } from '@app/sync/errors'
import { requeueRejected, saveAsNewRecord, saveRecord } from '@app/sync/outbox'
import { pendingInOrder } from '@app/sync/push'
import { BUILDING, DEVICE_ID, NOW, USER_ID, freshDb, visitBody, visitInput } from './fakes'

describe('saveRecord', () => {
  it('writes the record and a pending outbox entry under one new UUIDv7', async () => {
    const db = freshDb()
    const record = await saveRecord(db, visitInput('2-5-1'))
    expect(record.id).toMatch(UUID_RE)
    expect(record.id[14]).toBe('7')
    expect(record).toMatchObject({ type: 'visit', v: 1, orgPath: BUILDING, authorId: USER_ID, deviceId: DEVICE_ID, clientTime: new Date(NOW).toISOString() })
    expect(await db.records.get(record.id)).toEqual(record)
    expect(await db.outbox.get(record.id)).toEqual({ id: record.id, state: 'pending', queuedAt: NOW, attempts: 0 })
  })

  it('refuses a record that fails the shape check with its code and field, writing nothing', async () => {
    const db = freshDb()
    const input = { ...visitInput(), body: visitBody('1-3-2', '字'.repeat(2001)) }
    const error = await saveRecord(db, input).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RecordShapeError)
    expect(error).toMatchObject({ code: 'note_too_long', path: 'body.note' })
    expect(await db.records.count()).toBe(0)
    expect(await db.outbox.count()).toBe(0)
  })

  it('writes neither the record nor the entry when the transaction fails half way', async () => {
    const db = freshDb()
    // the record is added first; failing the outbox write must take the record with it
    db.outbox.hook('creating', () => {
      throw new Error('QuotaExceededError')
    })
    await expect(saveRecord(db, visitInput())).rejects.toThrow('QuotaExceededError')
    expect(await db.records.count()).toBe(0)
    expect(await db.outbox.count()).toBe(0)
  })

  it('keeps creation order in the outbox when the device clock jumps backwards', async () => {
    const db = freshDb()
    const a = await saveRecord(db, visitInput('1-1-1', Date.UTC(2035, 0, 1)))
    const b = await saveRecord(db, visitInput('1-1-2', Date.UTC(1990, 0, 1)))
    const c = await saveRecord(db, visitInput('1-1-3', NOW))
    expect((await pendingInOrder(db)).map((e) => e.id)).toEqual([a.id, b.id, c.id])
  })
})

describe('saving once', () => {
  it('saving the same id twice with the same content keeps one record and one outbox entry', async () => {
    const db = freshDb()
    const id = uuidv7(NOW)
    const [a, b] = await Promise.all([saveRecord(db, { ...visitInput('2-5-1'), id }), saveRecord(db, { ...visitInput('2-5-1'), now: NOW + 50, id })])
    expect(a.id).toBe(id)
    expect(b.id).toBe(id)
    expect(await db.records.count()).toBe(1)
    expect(await db.outbox.count()).toBe(1)
    // a replay after the record synced (its outbox entry gone) does not queue it again
    await db.outbox.clear()
    const again = await saveRecord(db, { ...visitInput('2-5-1'), now: NOW + 60_000, id })
    expect(again).toEqual(a)
    expect(await db.outbox.count()).toBe(0)
    expect(await db.records.count()).toBe(1)
  })

  it('refuses the same id with other content and writes nothing', async () => {
    const db = freshDb()
    const id = uuidv7(NOW)
    await saveRecord(db, { ...visitInput('2-5-1'), id })
    await expect(saveRecord(db, { ...visitInput('2-5-1', NOW, '另一段话'), id })).rejects.toBeInstanceOf(IdTakenError)
    expect((await db.records.get(id))!.body).toMatchObject({ note: '' })
    expect(await db.outbox.count()).toBe(1)
  })
})

describe('mending refused records', () => {
  async function refused(db: ReturnType<typeof freshDb>) {
    const record = await saveRecord(db, visitInput('9-9-9'))
    await db.outbox.update(record.id, { state: 'attention', code: 'unknown_household', reason: '该户不在此楼栋', path: 'body.household', attempts: 1 })
    return record
  }

  it('a rejected record is edited in place and queued again under the same id', async () => {
    const db = freshDb()
    const record = await refused(db)
    const fixed = await requeueRejected(db, record.id, { ...record.body, household: '1-2-1' }, NOW + 1000)
    expect(fixed.id).toBe(record.id)
    expect((await db.records.get(record.id))?.body).toMatchObject({ household: '1-2-1' })
    const entry = await db.outbox.get(record.id)
    expect(entry).toMatchObject({ state: 'pending', attempts: 1 })
    expect(entry?.code).toBeUndefined()
    expect(await db.records.count()).toBe(1)
  })

  it('a fix that still fails the shape check leaves the record needing attention', async () => {
    const db = freshDb()
    const record = await refused(db)
    await expect(requeueRejected(db, record.id, { ...record.body, household: 'x' }, NOW)).rejects.toBeInstanceOf(RecordShapeError)
    expect(await db.outbox.get(record.id)).toMatchObject({ state: 'attention', code: 'unknown_household' })
    expect((await db.records.get(record.id))?.body).toMatchObject({ household: '9-9-9' })
  })

  it('a conflict is saved as a new record with a new id, keeping its content', async () => {
    const db = freshDb()
    const record = await refused(db)
    const copy = await saveAsNewRecord(db, record.id, { authorId: USER_ID, deviceId: DEVICE_ID, now: NOW + 5000 })
    expect(copy.id).not.toBe(record.id)
    expect(copy.body).toEqual(record.body)
    expect(await db.records.get(record.id)).toBeUndefined()
    expect(await db.outbox.get(record.id)).toBeUndefined()
    expect(await db.outbox.get(copy.id)).toMatchObject({ state: 'pending' })
  })
})
