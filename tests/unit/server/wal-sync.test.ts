/**
 * Appends synced off the event loop on SQLite (src/server/walSync.ts): a record
 * committed but not yet synced is handed out by no reader (pull, the highest seq),
 * and the append is answered only after the sync. PostgreSQL syncs at COMMIT itself.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { BatchContext, BatchItem } from '../../../src/server/storage'
import { contentHash } from '../../../src/server/sync/push'
import type { LocalRecord } from '../../../src/shared/records'
import { B01, setup, visit, type TestEnv } from './helpers'

const ctx: BatchContext = { userId: 'u1', serverTime: '2026-05-01T10:00:00.000Z', reason: (code) => `reason ${code}` }
const item = (record: LocalRecord): BatchItem => ({ kind: 'append', record, hash: contentHash(record), raw: JSON.stringify(record) })

describe('SQLite appends synced off the event loop (on SQLite whichever backend the suite runs on)', () => {
  let env: TestEnv
  beforeEach(async () => {
    env = await setup({ seed: false, backend: 'sqlite' })
  })
  afterEach(async () => {
    await env.close()
  })

  it('a pull and the highest seq leave out a record until its append is synced and answered', async () => {
    const first = visit('u1')
    const [stored] = await env.storage.records.appendGroup([{ items: [item(first)], ctx }])
    const firstSeq = (stored![0] as { seq: number }).seq
    const second = visit('u1')
    // committed within this call, answered after the sync: read before that, it is not there yet
    const pending = env.storage.records.appendGroup([{ items: [item(second)], ctx }])
    const early = env.storage.records.pull([B01], 0, 100)
    const earlyHead = env.storage.identity.head()
    expect((await early).records.map((r) => r.id)).toEqual([first.id])
    expect((await earlyHead).highestSeq).toBe(firstSeq)
    const [answered] = await pending
    const secondSeq = (answered![0] as { seq: number }).seq
    expect(secondSeq).toBeGreaterThan(firstSeq)
    expect((await env.storage.records.pull([B01], 0, 100)).records.map((r) => r.id)).toEqual([first.id, second.id])
    expect((await env.storage.identity.head()).highestSeq).toBe(secondSeq)
  })
})
