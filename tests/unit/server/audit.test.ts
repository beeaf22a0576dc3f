import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { setup, type TestEnv } from './helpers'
import { recordAudit } from '../../../src/server/audit/record'
import { AUDIT_PAGE_MAX } from '../../../src/server/audit/store'

let env: TestEnv
beforeEach(async () => {
  env = await setup({ seed: false })
})
afterEach(async () => {
  await env.close()
})

const STREET = 'pl/tuodong'
const MTX = 'pl/tuodong/mingtongxiang'
const ZYL = 'pl/tuodong/zhuangyuanlou'

describe('the audit trail', () => {
  it('keeps who, what, when, where and to what, and gives it back newest first within the reader scope', async () => {
    env.clock.t = Date.parse('2026-11-30T01:00:00Z')
    const first = await recordAudit(env.storage, { actorId: 'u-liu', action: 'ledger.export', scope: MTX, target: 'ledger-2026-10.xlsx', detail: { month: '2026-10', format: 'xlsx' }, now: env.clock.t })
    await recordAudit(env.storage, { actorId: 'u-zyl', action: 'phone.reveal', scope: `${ZYL}/g01/b01`, target: '1-2-302', now: env.clock.t + 1000 })
    await recordAudit(env.storage, { actorId: null, action: 'household.erase', scope: `${MTX}/g01/b01`, target: '1-1-101', detail: { reason: 'moved away' }, now: env.clock.t + 2000 })
    // a path that merely starts with the same letters is another place
    await recordAudit(env.storage, { actorId: 'u-x', action: 'account.add', scope: `${MTX}x`, target: 'u-y', now: env.clock.t + 3000 })

    expect(first).toMatchObject({ at: '2026-11-30T01:00:00.000Z', actorId: 'u-liu', action: 'ledger.export', scope: MTX, detail: { month: '2026-10', format: 'xlsx' } })
    const mine = await env.storage.audit.read({ scopes: [MTX], limit: 10 })
    expect(mine.map((e) => [e.action, e.target, e.actorId])).toEqual([
      ['household.erase', '1-1-101', null],
      ['ledger.export', 'ledger-2026-10.xlsx', 'u-liu'],
    ])
    expect(mine[0]!.detail).toEqual({ reason: 'moved away' })

    const street = await env.storage.audit.read({ scopes: [STREET], limit: 10 })
    expect(street.map((e) => e.action)).toEqual(['account.add', 'household.erase', 'phone.reveal', 'ledger.export'])
    // two scopes merge in id order, without repeats when one holds the other
    const both = await env.storage.audit.read({ scopes: [ZYL, MTX, `${MTX}/g01`], limit: 10 })
    expect(both.map((e) => e.action)).toEqual(['household.erase', 'phone.reveal', 'ledger.export'])
  })

  it('pages with `before`, filters by action and caps the page', async () => {
    for (let i = 0; i < 5; i++) await recordAudit(env.storage, { actorId: 'u', action: i % 2 ? 'phone.reveal' : 'ledger.export', scope: MTX, target: String(i) })
    const page1 = await env.storage.audit.read({ scopes: [MTX], limit: 2 })
    expect(page1.map((e) => e.target)).toEqual(['4', '3'])
    const page2 = await env.storage.audit.read({ scopes: [MTX], limit: 2, before: page1[1]!.id })
    expect(page2.map((e) => e.target)).toEqual(['2', '1'])
    const reveals = await env.storage.audit.read({ scopes: [MTX], limit: 10, action: 'phone.reveal' })
    expect(reveals.map((e) => e.target)).toEqual(['3', '1'])
    expect((await env.storage.audit.read({ scopes: [MTX], limit: AUDIT_PAGE_MAX + 100 })).length).toBe(5)
  })

  it('an entry written inside a transaction that fails is gone with it', async () => {
    await expect(
      env.storage.transaction(async (tx) => {
        await recordAudit(tx, { actorId: 'u', action: 'household.erase', scope: MTX, target: '1-1-101' })
        throw new Error('the erasure failed')
      }),
    ).rejects.toThrow('the erasure failed')
    expect(await env.storage.audit.read({ scopes: [MTX], limit: 10 })).toEqual([])
  })
})
