/**
 * Group commit (src/server/groupCommit.ts): batches that wait are written in one
 * transaction, and each is answered exactly as if written alone, in arrival order.
 * The queue on its own first, then the real storage of BACKEND.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { GROUP_MAX_RECORDS, groupCommit } from '../../../src/server/groupCommit'
import type { Batch, BatchContext, BatchItem, BatchOutcome } from '../../../src/server/storage'
import { contentHash } from '../../../src/server/sync/push'
import type { LocalRecord } from '../../../src/shared/records'
import { setup, visit, type TestEnv } from './helpers'

const ctxOf = (userId: string, serverTime = '2026-05-01T10:00:00.000Z'): BatchContext => ({ userId, serverTime, reason: (code) => `reason ${code}` })
const appendItem = (record: LocalRecord, extra: Partial<Extract<BatchItem, { kind: 'append' }>> = {}): BatchItem => ({ kind: 'append', record, hash: contentHash(record), raw: JSON.stringify(record), ...extra })

describe('groupCommit: the queue', () => {
  /** An appendGroup that records its groups and answers each batch with its item count; `gate` holds a group open. */
  function recorder() {
    const groups: string[][] = []
    let release: (() => void) | null = null
    let failOn: string | null = null
    const appendGroup = async (batches: readonly Batch[]): Promise<BatchOutcome[][]> => {
      groups.push(batches.map((b) => b.ctx.userId))
      if (release === null && groups.length === 1) await new Promise<void>((r) => (release = r))
      if (failOn && batches.some((b) => b.ctx.userId === failOn)) throw new Error(`failed ${failOn}`)
      return batches.map((b) => b.items.map((_, i) => ({ status: 'accepted', seq: i, serverTime: b.ctx.userId })))
    }
    return { groups, appendGroup, open: () => release!(), fail: (u: string) => (failOn = u) }
  }
  const items = (n: number): BatchItem[] => Array.from({ length: n }, () => appendItem(visit('u')))

  it('batches sent while a group is written wait and are written together next, each answered with its own outcomes', async () => {
    const r = recorder()
    const append = groupCommit(r.appendGroup)
    const a = append(items(1), ctxOf('a'))
    await new Promise((res) => setImmediate(res))
    expect(r.groups).toEqual([['a']]) // a's group is being written: b, c and d wait
    const rest = [append(items(2), ctxOf('b')), append(items(3), ctxOf('c')), append(items(1), ctxOf('d'))]
    r.open()
    const answers = await Promise.all([a, ...rest])
    expect(r.groups).toEqual([['a'], ['b', 'c', 'd']])
    expect(answers.map((o) => o.map((x) => (x as { serverTime: string }).serverTime))).toEqual([['a'], ['b', 'b'], ['c', 'c', 'c'], ['d']])
  })

  it('a group stops at GROUP_MAX_RECORDS records', async () => {
    const r = recorder()
    const append = groupCommit(r.appendGroup)
    const first = append(items(1), ctxOf('first'))
    await new Promise((res) => setImmediate(res))
    const big = Math.floor(GROUP_MAX_RECORDS / 2) + 1
    const rest = [append(items(big), ctxOf('x')), append(items(big), ctxOf('y')), append(items(1), ctxOf('z'))]
    r.open()
    await Promise.all([first, ...rest])
    expect(r.groups).toEqual([['first'], ['x'], ['y', 'z']])
  })

  it('a failed group is written again batch by batch: the failing batch gets its error, the others their outcomes', async () => {
    const r = recorder()
    const append = groupCommit(r.appendGroup)
    const first = append(items(1), ctxOf('first'))
    await new Promise((res) => setImmediate(res))
    const b = append(items(1), ctxOf('b'))
    const bad = append(items(1), ctxOf('bad'))
    const c = append(items(2), ctxOf('c'))
    r.fail('bad')
    r.open()
    await expect(bad).rejects.toThrow('failed bad')
    expect((await b).length).toBe(1)
    expect((await c).length).toBe(2)
    await first
    expect(r.groups).toEqual([['first'], ['b', 'bad', 'c'], ['b'], ['bad'], ['c']])
  })
})

describe('group commit on the real storage', () => {
  let env: TestEnv
  beforeEach(async () => {
    env = await setup()
  })
  afterEach(async () => {
    await env.close()
  })

  it('batches sent at once are answered as if appended one after another: duplicates, conflicts, refusals, references', async () => {
    const x = visit('u1')
    const y = visit('u1')
    const xChanged = { ...x, body: { ...x.body, note: '另一个内容' } }
    const twice = visit('u3')
    const y2 = visit('u3')
    // the reference sees y, appended by an earlier batch of the same group
    const seesY = { id: y.id, check: (t: { record: unknown }) => (t.record ? null : { code: 'unknown_target' as const, path: 'body.target' }) }
    const missing = { id: 'never-stored', check: (t: { record: unknown }) => (t.record ? null : { code: 'unknown_target' as const, path: 'body.target' }) }
    const storage = env.storage
    const sent = [
      storage.records.appendBatch([appendItem(x), appendItem(y)], ctxOf('u1', '2026-05-01T10:00:01.000Z')),
      storage.records.appendBatch(
        [appendItem(x), appendItem(xChanged), { kind: 'reject', recordId: 'bad-1', code: 'invalid_record', path: 'body', raw: '{"id":"bad-1"}' }],
        ctxOf('u2', '2026-05-01T10:00:02.000Z'),
      ),
      storage.records.appendBatch([appendItem(twice), appendItem(twice), appendItem(y2, { reference: seesY }), appendItem(visit('u3'), { reference: missing })], ctxOf('u3', '2026-05-01T10:00:03.000Z')),
    ]
    const [a, b, c] = await Promise.all(sent)
    expect(a).toEqual([
      { status: 'accepted', seq: expect.any(Number), serverTime: '2026-05-01T10:00:01.000Z' },
      { status: 'accepted', seq: expect.any(Number), serverTime: '2026-05-01T10:00:01.000Z' },
    ])
    const [xSeq, ySeq] = a!.map((o) => (o as { seq: number }).seq)
    expect(ySeq).toBeGreaterThan(xSeq!)
    expect(b).toEqual([
      { status: 'duplicate', seq: xSeq, serverTime: '2026-05-01T10:00:01.000Z' },
      { status: 'conflict' },
      { status: 'rejected', code: 'invalid_record', path: 'body' },
    ])
    expect(c![0]).toEqual({ status: 'accepted', seq: expect.any(Number), serverTime: '2026-05-01T10:00:03.000Z' })
    expect(c![1]).toEqual({ status: 'duplicate', seq: (c![0] as { seq: number }).seq, serverTime: '2026-05-01T10:00:03.000Z' })
    expect(c![2]).toEqual({ status: 'accepted', seq: expect.any(Number), serverTime: '2026-05-01T10:00:03.000Z' })
    expect(c![3]).toEqual({ status: 'rejected', code: 'unknown_target', path: 'body.target' })
    // seq order is arrival order
    expect((c![0] as { seq: number }).seq).toBeGreaterThan(ySeq!)
    expect(await storage.records.count()).toBe(4)
    // each refusal is quarantined with its own batch's user, time and reason
    const q = (await storage.quarantine.list()).map((r) => [r.userId, r.receivedAt, r.code, r.reason])
    expect(q).toEqual([
      ['u2', '2026-05-01T10:00:02.000Z', 'conflict', 'reason conflict'],
      ['u2', '2026-05-01T10:00:02.000Z', 'invalid_record', 'reason invalid_record'],
      ['u3', '2026-05-01T10:00:03.000Z', 'unknown_target', 'reason unknown_target'],
    ])
  })

  it('a batch that fails inside a group leaves nothing of itself and takes nothing of the others with it', async () => {
    const ok1 = visit('u1')
    const doomed = visit('u2')
    const ok2 = visit('u3')
    const failing: BatchContext = {
      userId: 'u2',
      serverTime: '2026-05-01T10:00:00.000Z',
      reason: () => {
        throw new Error('no reason')
      },
    }
    const sent = [
      env.storage.records.appendBatch([appendItem(ok1)], ctxOf('u1')),
      env.storage.records.appendBatch([appendItem(doomed), { kind: 'reject', recordId: null, code: 'invalid_record', path: '', raw: '{}' }], failing),
      env.storage.records.appendBatch([appendItem(ok2)], ctxOf('u3')),
    ]
    const [a, b, c] = await Promise.allSettled(sent)
    expect(a).toMatchObject({ status: 'fulfilled', value: [{ status: 'accepted' }] })
    expect(b).toMatchObject({ status: 'rejected', reason: new Error('no reason') })
    expect(c).toMatchObject({ status: 'fulfilled', value: [{ status: 'accepted' }] })
    expect(await env.storage.records.getById(doomed.id)).toBeNull()
    expect((await env.storage.records.getById(ok1.id))?.id).toBe(ok1.id)
    expect((await env.storage.records.getById(ok2.id))?.id).toBe(ok2.id)
    expect(await env.storage.quarantine.list()).toEqual([])
  })
})
