import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { LoudongDB } from '@app/db/database'
import { RecordShapeError } from '@app/sync/errors'
import { BUILDING, freshDb, signIn } from '../app/fakes'

const holder = vi.hoisted(() => ({ db: null as LoudongDB | null }))
vi.mock('@app/db/database', async (importOriginal) => {
  const mod = await importOriginal<typeof import('@app/db/database')>()
  return {
    ...mod,
    get db() {
      return holder.db
    },
  }
})

const { useRoundsStore, changedFields } = await import('@app/stores/rounds')
const { useOrgStore } = await import('@app/stores/org')
const { useSessionStore } = await import('@app/stores/session')

const OTHER = 'pl/tudong/mtx/g01/b02'
const DAY = 24 * 60 * 60 * 1000
const visitBody = (household: string, over: Partial<{ outcome: 'met' | 'nobody_home' | 'declined'; note: string; visitedAt: string }> = {}) => ({
  household,
  outcome: over.outcome ?? ('met' as const),
  purposes: [],
  note: over.note ?? '',
  visitedAt: over.visitedAt ?? new Date().toISOString(),
})

async function refusal(work: Promise<unknown>): Promise<[string, string]> {
  const e = await work.then(
    () => null,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(RecordShapeError)
  return [(e as RecordShapeError).code, (e as RecordShapeError).path]
}

describe('rounds store', () => {
  beforeEach(async () => {
    holder.db = freshDb()
    await signIn(holder.db)
    setActivePinia(createPinia())
    await useOrgStore().replace([
      { path: BUILDING, kind: 'building', name: '12栋', layout: { units: 2, floors: 3, roomsPerFloor: 2 } },
      { path: OTHER, kind: 'building', name: '13栋', layout: { units: 1, floors: 3, roomsPerFloor: 2 } },
    ])
    await useSessionStore().load()
  })

  it('colours the door the moment a visit is saved, before the device database is read back (无人在家: tried, not covered)', async () => {
    const rounds = useRoundsStore()
    expect(rounds.coverageOf(BUILDING)!.doors.find((d) => d.household === '2-3-2')!.status).toBe('never')
    const record = await rounds.logVisit(BUILDING, visitBody('2-3-2', { outcome: 'nobody_home' }))
    // no await between the save and the read: the live query has not answered yet
    expect(rounds.coverageOf(BUILDING)!.doors.find((d) => d.household === '2-3-2')).toMatchObject({ status: 'attempted', lastVisitId: record.id })
    expect(rounds.coverageOf(BUILDING)!.metThisMonth).toBe(0)
    expect(rounds.lastSaved).toEqual({ visitId: record.id, building: BUILDING, household: '2-3-2', outcome: 'nobody_home' })
    expect(await holder.db!.outbox.get(record.id)).toMatchObject({ state: 'pending' })
  })

  it('refuses a building outside my scopes, a room not in the building and a time over a day ahead, saving nothing', async () => {
    const rounds = useRoundsStore()
    expect(await refusal(rounds.logVisit(OTHER, visitBody('1-1-1')))).toEqual(['out_of_scope', 'orgPath'])
    expect(await refusal(rounds.logVisit(BUILDING, visitBody('1-9-1')))).toEqual(['unknown_household', 'body.household'])
    expect(await refusal(rounds.logVisit(BUILDING, visitBody('1-1-1', { visitedAt: new Date(Date.now() + 2 * DAY).toISOString() })))).toEqual([
      'future_time',
      'body.visitedAt',
    ])
    expect(await refusal(rounds.logVisit(BUILDING, visitBody('1-1-1', { note: '长'.repeat(2001) })))).toEqual(['note_too_long', 'body.note'])
    expect(await refusal(rounds.setCare(OTHER, '1-1-1', { kind: 'other', intervalDays: 7, active: true }))).toEqual(['out_of_scope', 'orgPath'])
    expect(await holder.db!.records.count()).toBe(0)
    // an empty note with 见到住户 is a visit
    await rounds.logVisit(BUILDING, visitBody('1-1-1'))
    expect(await holder.db!.records.count()).toBe(1)
  })

  it('a correction carries only what changed; an empty one and a reasonless withdrawal are refused', async () => {
    const rounds = useRoundsStore()
    const v = await rounds.logVisit(BUILDING, visitBody('1-2-1', { outcome: 'nobody_home' }))
    const current = (await rounds.visitView(v.id))!
    const fields = changedFields(current, { outcome: 'met', purposes: [], note: '见到了', visitedAt: current.visitedAt })
    expect(fields).toEqual({ outcome: 'met', note: '见到了' })
    await rounds.correctVisit(v.id, fields, '  ')
    const [correction] = (await holder.db!.records.where('type').equals('correction').toArray()) as { body: unknown }[]
    expect(correction!.body).toEqual({ target: v.id, targetType: 'visit', fields: { outcome: 'met', note: '见到了' } })
    expect(await rounds.visitView(v.id)).toMatchObject({ outcome: 'met', note: '见到了' })
    expect((await rounds.whenHistoryOf(BUILDING, '1-2-1'))[0]!.history[0]!.changes).toEqual({ outcome: ['nobody_home', 'met'], note: ['', '见到了'] })

    expect(await refusal(rounds.correctVisit(v.id, {}))).toEqual(['required', 'body.fields'])
    expect(await refusal(rounds.correctVisit(v.id, { visitedAt: new Date(Date.now() + 3 * DAY).toISOString() }))).toEqual([
      'future_time',
      'body.fields.visitedAt',
    ])
    expect(await refusal(rounds.voidVisit(v.id, '   '))).toEqual(['required', 'body.reason'])
    expect(await refusal(rounds.voidVisit('0190a8d0-0000-7000-8000-000000000000', '错了'))).toEqual(['unknown_target', 'body.target'])

    await rounds.voidVisit(v.id, '点错了')
    expect(rounds.coverageOf(BUILDING)!.metThisMonth).toBe(0)
    expect(rounds.historyOf(BUILDING, '1-2-1').map((x) => x.voided)).toEqual([true])
  })

  it('counts a care household overdue once its interval has passed without meeting them, for the tab badge', async () => {
    const rounds = useRoundsStore()
    // flagged eight days ago (only the clock is faked: IndexedDB keeps its own timers)
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() - 8 * DAY })
    await rounds.setCare(BUILDING, '1-1-1', { kind: 'alone_elderly', intervalDays: 7, active: true })
    await rounds.setCare(BUILDING, '1-1-2', { kind: 'disabled', intervalDays: 7, active: true, consent: { how: 'oral', by: 'self', at: new Date(Date.now() - 60_000).toISOString() } })
    expect(rounds.overdue).toBe(0)
    vi.useRealTimers()

    rounds.now = Date.now()
    expect(rounds.overdue).toBe(2)
    expect(rounds.careItemOf(BUILDING, '1-1-1')).toMatchObject({ overdue: true, overdueDays: 1 })

    // knocking on a door nobody opened is not a care visit; meeting the resident is
    await rounds.logVisit(BUILDING, visitBody('1-1-2', { outcome: 'nobody_home' }))
    expect(rounds.overdue).toBe(2)
    await rounds.logVisit(BUILDING, visitBody('1-1-1'))
    expect(rounds.overdue).toBe(1)
    expect(rounds.careItems[0]!.household).toBe('1-1-2') // the most overdue first

    await rounds.setCare(BUILDING, '1-1-2', { kind: 'disabled', intervalDays: 7, active: false })
    expect(rounds.overdue).toBe(0)
    expect(rounds.flagOf(BUILDING, '1-1-2')).toBeUndefined()
  })

  it('keeps resident details trimmed, finds them by name or room, and says whose home the overview is', async () => {
    const rounds = useRoundsStore()
    await rounds.saveProfile(BUILDING, '2-3-1', { displayName: ' 王阿姨 ', phone: '139 1234 5678' })
    expect(rounds.profileOf(BUILDING, '2-3-1')).toMatchObject({ displayName: '王阿姨', phone: '13912345678' })
    expect(await refusal(rounds.saveProfile(BUILDING, '2-3-1', { displayName: '王', phone: '12345' }))).toEqual(['bad_phone', 'body.phone'])
    expect(rounds.search('王').map((m) => m.household)).toEqual(['2-3-1'])
    expect(rounds.search('301').map((m) => `${m.building}:${m.household}`)).toEqual([`${BUILDING}:1-3-1`, `${BUILDING}:2-3-1`])
    expect(rounds.leadsBuildings).toBe(true)
    expect(rounds.buildings.map((b) => b.path)).toEqual([BUILDING])
  })
})
