/**
 * Issue 7, export / import: the file carries every unsynced record; importing it
 * on another device of the same user puts them back in the outbox once, in one
 * transaction, and refuses someone else's file.
 */
import { describe, expect, it } from 'vitest'
import { saveRecord } from '@app/sync/outbox'
import { pushOutbox } from '@app/sync/push'
import { createSyncApi } from '@app/sync/api'
import { buildExport } from '@app/data/exportRecords'
import { importRecords, OtherUserFile, parseExport } from '@app/data/importRecords'
import { EXPORT_FORMAT, EXPORT_VERSION, exportFileName } from '@app/data/format'
import { DEVICE_ID, FakeServer, freshDb, NOW, USER_ID, visitInput } from '../app/fakes'

const who = { userId: USER_ID, userName: '王阿姨', deviceId: DEVICE_ID, now: NOW }

async function phoneWithRecords(server: FakeServer) {
  const db = freshDb()
  const synced = await saveRecord(db, visitInput('1-1-1', NOW))
  await pushOutbox(db, createSyncApi({ fetch: server.fetch }, 't'))
  const waiting = [await saveRecord(db, visitInput('1-2-1', NOW + 1)), await saveRecord(db, visitInput('1-3-1', NOW + 2, '住户反映水压低'))]
  return { db, synced, waiting }
}

describe('export', () => {
  it('writes every unsynced record in queue order, with format version, user and device', async () => {
    const { db, waiting } = await phoneWithRecords(new FakeServer())
    const file = await buildExport(db, { ...who, includeSynced: false })
    expect(file).toMatchObject({ format: EXPORT_FORMAT, version: EXPORT_VERSION, userId: USER_ID, deviceId: DEVICE_ID, scope: 'unsynced' })
    expect(file.records.map((r) => r.id)).toEqual(waiting.map((r) => r.id))
    expect(parseExport(JSON.stringify(file))).toEqual({ ok: true, file })
  })

  it('optionally all of mine: synced ones too, marked by their seq', async () => {
    const { db, synced, waiting } = await phoneWithRecords(new FakeServer())
    const file = await buildExport(db, { ...who, includeSynced: true })
    expect(file.records.map((r) => r.id)).toEqual([synced.id, ...waiting.map((r) => r.id)])
    expect(file.records[0]!.seq).toBe(1)
  })

  it('names the file by local date and time', () => {
    expect(exportFileName(new Date(2024, 4, 1, 8, 5))).toBe('loudong-20240501-0805.json')
  })
})

describe('import', () => {
  it('puts unsynced records back in the outbox of a fresh device, skips synced ones, and the server takes each once', async () => {
    const server = new FakeServer()
    const { db: lost, waiting } = await phoneWithRecords(server)
    const file = await buildExport(lost, { ...who, includeSynced: true })

    const fresh = freshDb()
    const counts = await importRecords(fresh, JSON.parse(JSON.stringify(file)), USER_ID, NOW + 100)
    expect(counts).toEqual({ added: 2, present: 0, synced: 1, invalid: 0 })
    expect((await fresh.outbox.toArray()).map((e) => [e.id, e.state])).toEqual(waiting.map((r) => [r.id, 'pending']))
    expect(await fresh.records.get(waiting[1]!.id)).toEqual(waiting[1])

    // again: nothing new
    expect(await importRecords(fresh, file, USER_ID, NOW + 200)).toEqual({ added: 0, present: 2, synced: 1, invalid: 0 })

    await pushOutbox(fresh, createSyncApi({ fetch: server.fetch }, 't'))
    // the lost phone turns up and sends its copies too: duplicates, not new rows
    await pushOutbox(lost, createSyncApi({ fetch: server.fetch }, 't'))
    expect(server.log.map((r) => r.id).sort()).toEqual([file.records[0]!.id, ...waiting.map((r) => r.id)].sort())
    expect(await fresh.outbox.count()).toBe(0)
  })

  it("refuses another user's file before touching anything", async () => {
    const { db } = await phoneWithRecords(new FakeServer())
    const file = await buildExport(db, { ...who, includeSynced: false })
    const other = freshDb()
    const error = await importRecords(other, file, 'u-someone-else', NOW).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(OtherUserFile)
    expect(error).toMatchObject({ owner: '王阿姨' })
    expect(await other.records.count()).toBe(0)
  })

  it('checks every record with the shared shape check and skips broken or foreign-authored ones', async () => {
    const { db, waiting } = await phoneWithRecords(new FakeServer())
    const file = await buildExport(db, { ...who, includeSynced: false })
    file.records.push({ ...waiting[0]!, id: 'not-a-uuid' }, { ...waiting[0]!, id: '0190b3f0-0000-7000-8000-0000000000aa', authorId: 'u-other' }, { ...waiting[0]!, id: '0190b3f0-0000-7000-8000-0000000000ab', body: { ...waiting[0]!.body, note: 'x'.repeat(5000) } })
    const fresh = freshDb()
    expect(await importRecords(fresh, file, USER_ID, NOW)).toEqual({ added: 2, present: 0, synced: 0, invalid: 3 })
  })

  it('tells how many records of the file are checked, in steps of 200, ending at all of them', async () => {
    const { db, waiting } = await phoneWithRecords(new FakeServer())
    const file = await buildExport(db, { ...who, includeSynced: false })
    // 450 records: the two real ones and copies under other ids (valid: same author, fresh ids)
    for (let i = 0; i < 448; i++) file.records.push({ ...waiting[0]!, id: `0190b3f0-0000-7000-8000-${String(i).padStart(12, '0')}` })
    const seen: Array<[number, number]> = []
    const counts = await importRecords(freshDb(), file, USER_ID, NOW, (p) => seen.push([p.checked, p.total]))
    expect(counts.added).toBe(450)
    expect(seen).toEqual([[0, 450], [200, 450], [400, 450], [450, 450]])
  })

  it('tells a file that is not ours, and one from a newer app, apart', () => {
    expect(parseExport('not json')).toEqual({ ok: false, reason: 'notFile' })
    expect(parseExport('{"format":"something"}')).toEqual({ ok: false, reason: 'notFile' })
    expect(parseExport(JSON.stringify({ format: EXPORT_FORMAT, version: EXPORT_VERSION + 1, userId: 'u', records: [] }))).toEqual({ ok: false, reason: 'newer' })
  })

  it('is all or nothing: a failure half way stores none of the file', async () => {
    const { db } = await phoneWithRecords(new FakeServer())
    const file = await buildExport(db, { ...who, includeSynced: false })
    const fresh = freshDb()
    let n = 0
    fresh.outbox.hook('creating', () => {
      if (++n === 2) throw new Error('disk trouble')
    })
    await expect(importRecords(fresh, file, USER_ID, NOW)).rejects.toThrow('disk trouble')
    expect(await fresh.records.count()).toBe(0)
    expect(await fresh.outbox.count()).toBe(0)
  })
})
