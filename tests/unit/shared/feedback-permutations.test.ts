/**
 * The feedback fold under every order in which six offline actions can reach
 * the server: whichever order, only the level holding the item acts on it, the
 * item's state follows from its effective steps, and the fold depends on server
 * order alone, never on the order records are handed to it.
 */
import { describe, expect, it } from 'vitest'
import { foldFeedback, levelIndex, type FeedbackView } from '@shared/feedback'
import type { AnyRecord } from '@shared/records'

const B01 = 'pl/tuodong/mingtongxiang/g01/b01'

const raise: AnyRecord = {
  id: 'f',
  type: 'feedback',
  v: 1,
  orgPath: B01,
  authorId: 'u-building',
  deviceId: 'd',
  clientTime: '2026-05-01T09:00:00.000Z',
  seq: 1,
  serverTime: '2026-05-01T09:00:01.000Z',
  body: { category: 'repair', description: '楼道灯坏了', urgency: 'normal', channel: 'visit', raisedAt: '2026-05-01T08:55:00.000Z' },
}

function event(id: string, authorId: string, body: Record<string, unknown>, minute: number): AnyRecord {
  return {
    id,
    type: 'feedback.event',
    v: 1,
    orgPath: B01,
    authorId,
    deviceId: 'd',
    clientTime: `2026-05-01T10:${String(minute).padStart(2, '0')}:00.000Z`,
    body: { feedback: 'f', text: '说明', ...body },
  } as AnyRecord
}

const EVENTS: AnyRecord[] = [
  event('up-group', 'u-group', { action: 'escalate', toLevel: 'group' }, 1),
  event('up-community', 'u-group', { action: 'escalate', toLevel: 'community' }, 2),
  event('fix-building', 'u-building', { action: 'resolve', atLevel: 'building' }, 3),
  event('fix-group', 'u-group', { action: 'resolve', atLevel: 'group' }, 4),
  event('fix-community', 'u-community', { action: 'resolve', atLevel: 'community' }, 5),
  event('again', 'u-building', { action: 'reopen' }, 6),
]

function* permutations<T>(items: readonly T[]): Generator<T[]> {
  if (items.length <= 1) {
    yield [...items]
    return
  }
  for (let i = 0; i < items.length; i++) {
    const rest = [...items.slice(0, i), ...items.slice(i + 1)]
    for (const p of permutations(rest)) yield [items[i]!, ...p]
  }
}

/** The order the server accepted them in: seq 2, 3, … and a receipt time to match. */
function arrived(order: readonly AnyRecord[]): AnyRecord[] {
  return order.map((r, i) => ({ ...r, seq: i + 2, serverTime: `2026-05-01T11:${String(i).padStart(2, '0')}:00.000Z` }) as AnyRecord)
}

describe('feedback fold over every arrival order', () => {
  it('only the level holding the item resolves it, its state follows its effective steps, and input order never matters', () => {
    let orders = 0
    const outcomes = new Set<string>()
    for (const order of permutations(EVENTS)) {
      orders++
      const log = [raise, ...arrived(order)]
      const view: FeedbackView = foldFeedback(log).get('f')!
      let level = 'building'
      let status = 'open'
      for (const entry of view.timeline.slice(1)) {
        if (entry.action === 'resolve' && entry.effective) {
          // the author's level (atLevel) is the level that held the item then
          expect(entry.atLevel).toBe(level)
          expect(status).toBe('open')
        }
        if (entry.action === 'resolve' && !entry.effective && status === 'open') {
          expect(entry.reason).toBe(levelIndex(entry.heldBy!) < levelIndex(entry.atLevel!) ? 'held_elsewhere' : 'not_yet_here')
          expect(entry.heldBy).toBe(level)
        }
        if (entry.effective && entry.action === 'escalate') level = entry.toLevel!
        if (entry.effective && entry.action === 'resolve') status = 'resolved'
        if (entry.effective && entry.action === 'reopen') status = 'open'
        expect([entry.level, entry.status]).toEqual([level, status])
      }
      expect([view.currentLevel, view.status]).toEqual([level, status])
      if (view.status === 'resolved') expect(view.resolvedLevel).toBe(view.currentLevel)
      // trusted times never run backwards
      if (view.at.resolved !== undefined) expect(view.at.resolved).toBeGreaterThanOrEqual(view.at.raised)
      // the same log in any array order folds the same: only seq orders it
      expect(foldFeedback([...log].reverse()).get('f')).toEqual(view)
      outcomes.add(`${view.status}@${view.currentLevel}`)
    }
    expect(orders).toBe(720)
    // the orders reach every outcome the actions allow, so the checks above were exercised
    expect([...outcomes].sort()).toEqual(['open@building', 'open@community', 'open@group', 'resolved@building', 'resolved@community', 'resolved@group'])
  })

  it('a phone clock before 2020 or after the server received the step moves no figure', () => {
    const early = { ...raise, body: { ...(raise.body as object), raisedAt: '2020-01-01T00:00:00.000+08:00' } } as AnyRecord
    const late = { ...event('fix', 'u-building', { action: 'resolve', atLevel: 'building' }, 0), clientTime: '2035-01-01T00:00:00.000Z', seq: 2, serverTime: '2026-05-02T00:00:00.000Z' } as AnyRecord
    const before = { ...late, id: 'fix2', clientTime: '2019-01-01T00:00:00.000Z' } as AnyRecord
    const v1 = foldFeedback([early, late]).get('f')!
    expect(v1.at.resolved).toBe(Date.parse('2026-05-02T00:00:00.000Z'))
    const v2 = foldFeedback([raise, before]).get('f')!
    // a resolve stamped before the raise counts as at the raise: never a negative duration
    expect(v2.at.resolved).toBe(v2.at.raised)
  })
})
