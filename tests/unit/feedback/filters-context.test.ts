import { describe, expect, it } from 'vitest'
import { DAY_MS, foldFeedback, type AnyRecord, type FeedbackView, type OrgNode } from '@shared/index'
import { NO_FILTERS, applyFilters, isFiltering } from '@app/components/feedback/filters'
import { placesFor, raiseContext, raiseDraftKey } from '@app/components/feedback/raiseContext'
import { doorKey, doorOf } from '@app/components/feedback/household'

const NOW = Date.parse('2026-05-20T04:00:00Z')
const G = 'pl/s/c/g01'
let n = 0
function fb(orgPath: string, daysAgo: number, over: Partial<AnyRecord<'feedback'>['body']> = {}): AnyRecord {
  n++
  const at = new Date(NOW - daysAgo * DAY_MS).toISOString()
  return { id: `0190a000-0000-7000-8000-${String(n).padStart(12, '0')}`, type: 'feedback', v: 1, orgPath, authorId: 'u', deviceId: 'd', clientTime: at, seq: n, serverTime: at, body: { category: 'repair', description: `#${n}`, urgency: 'normal', channel: 'visit', raisedAt: at, ...over } } as AnyRecord
}
function resolve(target: AnyRecord, atLevel = 'building'): AnyRecord {
  n++
  return { ...target, id: `0190a000-0000-7000-8000-${String(n).padStart(12, '0')}`, type: 'feedback.event', seq: n, body: { feedback: target.id, action: 'resolve', text: '好了', atLevel } } as AnyRecord
}
const views = (rs: AnyRecord[]): FeedbackView[] => [...foldFeedback(rs).values()]

describe('filters of the wide layout', () => {
  const old = fb(`${G}/b01`, 10)
  const urgent = fb(`${G}/b02`, 1, { urgency: 'urgent', category: 'security' })
  const done = fb(`${G}/b01`, 40, { category: 'environment' })
  const groupItem = fb(G, 4)
  const all = views([old, urgent, done, resolve(done), groupItem])

  it('with none set, lists everything: urgent open first, then open oldest first, resolved last', () => {
    expect(isFiltering(NO_FILTERS)).toBe(false)
    expect(applyFilters(all, NO_FILTERS, NOW).map((v) => v.id)).toEqual([urgent.id, old.id, groupItem.id, done.id])
  })

  it('status, category, level, building and age each narrow it down, and combine', () => {
    const ids = (f: Partial<typeof NO_FILTERS>) => applyFilters(all, { ...NO_FILTERS, ...f }, NOW).map((v) => v.id)
    expect(ids({ status: 'resolved' })).toEqual([done.id])
    expect(ids({ category: 'security' })).toEqual([urgent.id])
    expect(ids({ level: 'group' })).toEqual([groupItem.id])
    expect(ids({ building: `${G}/b01` })).toEqual([old.id, done.id])
    expect(ids({ age: 'd7' })).toEqual([old.id, done.id])
    expect(ids({ age: 'd30' })).toEqual([done.id])
    expect(ids({ building: `${G}/b01`, status: 'open', age: 'd3' })).toEqual([old.id])
    expect(isFiltering({ ...NO_FILTERS, age: 'd3' })).toBe(true)
  })
})

describe('what the form is opened with', () => {
  const id = '0190a000-0000-7000-8000-000000000001'

  it('takes a visit’s place, household, channel and source', () => {
    const ctx = raiseContext({ orgPath: `${G}/b01`, household: '1-3-2', channel: 'visit', sourceType: 'visit', sourceId: id })
    expect(ctx).toEqual({ orgPath: `${G}/b01`, household: '1-3-2', channel: 'visit', source: { type: 'visit', id }, returnTo: null })
    expect(raiseDraftKey(ctx)).toBe(`feedback.new:${id}:${G}/b01:1-3-2`)
  })

  it('drops what is malformed instead of saving it, and only returns inside the app', () => {
    const ctx = raiseContext({ channel: 'fax', sourceType: 'visit', sourceId: 'not-a-uuid', returnTo: '//evil.example/' })
    expect(ctx).toMatchObject({ channel: null, source: null, returnTo: null, orgPath: null })
    expect(raiseContext({ sourceType: 'reading.session', sourceId: id, returnTo: '/reading/session', channel: 'reading' })).toMatchObject({
      channel: 'reading',
      source: { type: 'reading.session', id },
      returnTo: '/reading/session',
    })
    expect(raiseContext({ sourceType: 'care.flag', sourceId: id }).source).toBeNull()
  })

  it('offers each level its own places', () => {
    const nodes: OrgNode[] = [
      { path: 'pl/s/c', kind: 'community', name: '社区' },
      { path: G, kind: 'group', name: '一组' },
      { path: `${G}/b01`, kind: 'building', name: '1栋' },
      { path: 'pl/s/c/g02', kind: 'group', name: '二组' },
    ]
    const under = (scopes: readonly string[], kind: OrgNode['kind']) => nodes.filter((x) => x.kind === kind && scopes.some((s) => x.path === s || x.path.startsWith(`${s}/`)))
    expect(placesFor('building', [`${G}/b01`], under).map((x) => x.name)).toEqual(['1栋'])
    expect(placesFor('group', [G], under).map((x) => x.name)).toEqual(['一组', '1栋'])
    expect(placesFor('community', ['pl/s/c'], under).map((x) => x.name)).toEqual(['社区', '一组', '二组', '1栋'])
    expect(placesFor('street', ['pl/s'], under).map((x) => x.name)).toEqual(['社区'])
  })

  it('reads a room as people say it, and refuses one not in the building', () => {
    const layout = { units: 2, floors: 6, roomsPerFloor: 2 }
    expect(doorKey({ unit: 2, room: '302' }, layout)).toBe('2-3-2')
    expect(doorKey({ unit: 1, room: ' ' }, layout)).toBeNull()
    expect(doorKey({ unit: 1, room: '909' }, layout)).toBe('bad')
    expect(doorKey({ unit: 3, room: '101' }, layout)).toBe('bad')
    expect(doorKey({ unit: 1, room: '1a2' }, layout)).toBe('bad')
    expect(doorOf('2-12-3')).toEqual({ unit: 2, room: '1203' })
    // nothing picked for the person: the form asks
    expect(doorOf(null)).toEqual({ unit: null, room: '' })
    expect(doorKey({ unit: null, room: '302' }, layout)).toBe('noUnit')
    expect(doorKey({ unit: null, room: '' }, layout)).toBeNull()
    // a building of one unit needs no pick
    expect(doorKey({ unit: null, room: '302' }, { units: 1, floors: 6, roomsPerFloor: 2 })).toBe('1-3-2')
  })
})
