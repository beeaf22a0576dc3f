/**
 * The volunteer folds on their own: a service restarts a care household's clock,
 * a claim lapses by its trusted time, steps that do not fit take no effect, and
 * the month's hours follow corrections and voids.
 */
import { describe, expect, it } from 'vitest'
import {
  careList,
  addressesToForget,
  erasureRedactions,
  foldCareFlags,
  foldServices,
  foldVisits,
  foldWishes,
  serviceContacts,
  uuidv7,
  volunteerLedger,
  DAY_MS,
  type AnyRecord,
  type RecordType,
} from '@shared/index'

const B = 'pl/s/c/g01/b01'
const T0 = Date.parse('2026-05-01T02:00:00Z')
let seq = 0
const iso = (t: number) => new Date(t).toISOString()

function rec<T extends RecordType>(type: T, body: unknown, t: number, orgPath = B, authorId = 'u1'): AnyRecord {
  return { id: uuidv7(), type, v: 1, orgPath, authorId, deviceId: 'd', clientTime: iso(t), body, seq: ++seq, serverTime: iso(t + 60_000) } as AnyRecord
}

describe('a service to a household restarts its care clock', () => {
  it('the household is overdue before the service and due in its interval after', () => {
    const flag = rec('care.flag', { household: '1-3-2', kind: 'alone_elderly', intervalDays: 7, active: true }, T0 - 20 * DAY_MS)
    const before = careList(foldCareFlags([flag]), foldVisits([flag]), T0)
    expect(before[0]).toMatchObject({ overdue: true, overdueDays: 13 })
    const service = rec('volunteer.service', { volunteer: uuidv7(), kind: 'care_visit', note: '', servedAt: iso(T0 - DAY_MS), hours: 1, households: ['1-3-2'] }, T0 - DAY_MS)
    const voided = rec('void', { target: service.id, reason: '记错了' }, T0)
    const contacts = serviceContacts(foldServices([service]))
    expect(careList(foldCareFlags([flag]), contacts, T0)[0]).toMatchObject({ overdue: false, overdueDays: -6 })
    // a voided service is no contact
    expect(careList(foldCareFlags([flag]), serviceContacts(foldServices([service, voided])), T0)[0]).toMatchObject({ overdue: true })
  })
})

describe('wishes', () => {
  const wish = rec('wish', { category: 'repair', description: '修门锁', costCap: 30, postedAt: iso(T0) }, T0)
  const step = (action: string, t: number, extra: Record<string, unknown> = {}, by = 'v1') =>
    rec('wish.event', { wish: wish.id, action, at: iso(t), note: action === 'fulfil' ? '好了' : '', ...extra }, t, B, by)

  it('a claim lapses after seven days; the next claim takes it; a late fulfil of the old one has no effect', () => {
    const claim = step('claim', T0 + DAY_MS, { volunteer: 'a' })
    expect(foldWishes([wish, claim], T0 + 3 * DAY_MS).get(wish.id)).toMatchObject({ status: 'claimed', claim: { volunteer: 'a' } })
    const lapsed = foldWishes([wish, claim], T0 + 9 * DAY_MS).get(wish.id)!
    expect(lapsed).toMatchObject({ status: 'open', lapsed: { volunteer: 'a' } })
    expect(lapsed.claim).toBeUndefined()
    const late = step('fulfil', T0 + 9 * DAY_MS)
    const other = step('claim', T0 + 10 * DAY_MS, { volunteer: 'b' }, 'v2')
    const w = foldWishes([wish, claim, late, other], T0 + 10 * DAY_MS).get(wish.id)!
    expect(w.steps.map((s) => [s.action, s.effective])).toEqual([['claim', true], ['fulfil', false], ['claim', true]])
    expect(w).toMatchObject({ status: 'claimed', claim: { volunteer: 'b' } })
  })

  it('a second claim on a held wish and a confirm before a fulfil take no effect; fulfil then confirm do', () => {
    const steps = [step('claim', T0 + 1000, { volunteer: 'a' }), step('claim', T0 + 2000, { volunteer: 'b' }, 'v2'), step('confirm', T0 + 3000, {}, 'leader'), step('fulfil', T0 + 4000), step('confirm', T0 + 5000, {}, 'leader')]
    const w = foldWishes([wish, ...steps], T0 + 30 * DAY_MS).get(wish.id)!
    expect(w.steps.map((s) => s.effective)).toEqual([true, false, false, true, true])
    // fulfilled within the claim: it never lapses
    expect(w).toMatchObject({ status: 'confirmed', claim: { volunteer: 'a' }, fulfilNote: '好了' })
    const month = volunteerLedger([wish, ...steps], 'pl/s/c', '2026-05', T0 + 30 * DAY_MS).wishes
    expect(month).toEqual({ posted: 1, claimed: 1, fulfilled: 1, confirmed: 1 })
  })
})

describe("the month's hours", () => {
  it('follow corrections and leave voided services out', () => {
    const vol = rec('volunteer', { name: '孙丽', skills: '', availability: '', active: true }, T0, 'pl/s/c')
    const a = rec('volunteer.service', { volunteer: vol.id, kind: 'chores', note: '', servedAt: iso(T0), hours: 2, households: [] }, T0, 'pl/s/c')
    const b = rec('volunteer.service', { volunteer: vol.id, kind: 'chores', note: '', servedAt: iso(T0), hours: 3, households: [] }, T0, 'pl/s/c')
    const fix = rec('correction', { target: a.id, targetType: 'volunteer.service', fields: { hours: 2.5 } }, T0 + 1000, 'pl/s/c')
    const drop = rec('void', { target: b.id, reason: '重复' }, T0 + 2000, 'pl/s/c')
    const month = volunteerLedger([vol, a, b, fix, drop], 'pl/s/c', '2026-05', T0)
    expect(month).toMatchObject({ hours: 2.5, services: 1, volunteers: [{ name: '孙丽', hours: 2.5, services: 1 }], teams: [{ id: '', hours: 2.5, volunteers: 1 }] })
  })
})

describe('erasing a household reaches its 微心愿 address', () => {
  it('the contact goes, the wish and the household key stay; another household keeps its contact', () => {
    const wish = rec('wish', { category: 'repair', description: '修门锁', costCap: 30, postedAt: iso(T0) }, T0)
    const mine = rec('wish.address', { wish: wish.id, household: '1-2-1', contact: '王阿姨 13800001111' }, T0)
    const other = rec('wish.address', { wish: wish.id, household: '1-2-2', contact: '李叔 13800002222' }, T0)
    const out = erasureRedactions('1-2-1', [wish, mine, other])
    expect(out).toEqual([{ id: mine.id, body: { wish: wish.id, household: '1-2-1', contact: '' } }])
  })
})

describe("a volunteer's phone forgets a wish's address when the claim is gone", () => {
  it('kept while the claim holds; forgotten once it lapses; a leader keeps every address', () => {
    const wish = rec('wish', { category: 'repair', description: '修门锁', costCap: 30, postedAt: iso(T0) }, T0)
    const address = rec('wish.address', { wish: wish.id, household: '1-2-1', contact: '' }, T0)
    const claim = rec('wish.event', { wish: wish.id, action: 'claim', volunteer: 'vol-1', at: iso(T0 + 1000), note: '' }, T0 + 1000, B, 'u-vol')
    const log = [wish, address, claim]
    const me = { id: 'u-vol', volunteer: true, volunteerIds: ['vol-1'] }
    expect(addressesToForget(log, foldWishes(log, T0 + DAY_MS), me)).toEqual([])
    expect(addressesToForget(log, foldWishes(log, T0 + 30 * DAY_MS), me)).toEqual([address.id])
    expect(addressesToForget(log, foldWishes(log, T0 + 30 * DAY_MS), { id: 'u-zhang', volunteer: false, volunteerIds: [] })).toEqual([])
  })
})
