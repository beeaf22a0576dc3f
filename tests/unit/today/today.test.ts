import { describe, expect, it } from 'vitest'
import type { CareItem, FeedbackTimelineEntry, FeedbackView } from '@shared/index'
import { latestNews, newsCount, newsFor } from '../../../src/app/components/feedback/news'
import { callbackToday, careToday, inboxToday, newsToday, todayList } from '../../../src/app/components/today/items'
import { jumpFloors } from '../../../src/app/components/rounds/floorJump'

const entry = (authorId: string, action: FeedbackTimelineEntry['action'], effective = true): FeedbackTimelineEntry =>
  ({ recordId: `${authorId}-${action}`, action, authorId, clientTime: '2026-11-01T00:00:00Z', text: '', effective, level: 'building', status: 'open' }) as FeedbackTimelineEntry
const view = (id: string, raisedBy: string, timeline: FeedbackTimelineEntry[], extra: Partial<FeedbackView> = {}): FeedbackView =>
  ({ id, raisedBy, timeline, urgency: 'normal', at: { raised: 0, levelSince: 0 }, ...extra }) as FeedbackView

describe('feedback that comes back', () => {
  const me = 'zhang'
  const resolvedByOther = view('f1', me, [entry(me, 'raise'), entry(me, 'escalate'), entry('wang', 'comment'), entry('wang', 'resolve')])

  it('counts only what others did that moved the item: resolve, escalate, reopen, when effective', () => {
    expect(newsCount(resolvedByOther, me)).toBe(1)
    expect(newsCount(view('f', me, [entry('wang', 'escalate', false), entry('liu', 'reopen')]), me)).toBe(1)
    expect(latestNews(resolvedByOther, me)?.action).toBe('resolve')
  })

  it('shows news until the item is opened as it stands, and again when someone moves it further', () => {
    expect([...newsFor([resolvedByOther], me, {}).keys()]).toEqual(['f1'])
    expect(newsFor([resolvedByOther], me, { f1: 1 }).size).toBe(0)
    const reopened = view('f1', me, [...resolvedByOther.timeline, entry('liu', 'reopen')])
    expect(newsFor([reopened], me, { f1: 1 }).get('f1')).toBe(2)
  })

  it('says nothing about items someone else raised', () => {
    expect(newsFor([view('f2', 'wang', [entry('liu', 'resolve')])], me, {}).size).toBe(0)
  })
})

describe('今日', () => {
  it('lists resolved items waiting for 回访 that are mine to report back, longest waiting first', () => {
    const DAY = 86_400_000
    const resolved = (id: string, raisedBy: string, resolvedLevel: 'building' | 'community', days: number, extra: Partial<FeedbackView> = {}) =>
      view(id, raisedBy, [], { status: 'resolved', resolvedLevel, currentLevel: resolvedLevel, at: { raised: 0, levelSince: 0, resolved: 10 * DAY - days * DAY }, ...extra })
    const me = { id: 'zhang', level: 'building' as const }
    const items = callbackToday(
      [
        resolved('mine-at-community', 'zhang', 'community', 2),
        resolved('others-at-building', 'wang', 'building', 5),
        resolved('others-at-community', 'wang', 'community', 9),
        resolved('told', 'zhang', 'building', 7, { reportedBack: { at: 0, reportedAt: '', how: 'phone', residentView: 'satisfied', by: 'zhang' } }),
        view('open', 'zhang', [], { status: 'open' }),
      ],
      me,
      10 * DAY,
    )
    expect(todayList([items]).get('callback')!.map((i) => [i.feedback!.id, i.late])).toEqual([
      ['others-at-building', 5],
      ['mine-at-community', 2],
    ])
    expect(callbackToday([resolved('x', 'zhang', 'building', 1)], null, 10 * DAY)).toEqual([])
  })

  const care = (household: string, overdueDays: number) => ({ building: 'b', household, overdueDays }) as CareItem

  it('lists care households due today or overdue, most overdue first; not the ones due later', () => {
    const list = todayList([careToday([care('1-1-1', 0), care('1-1-2', 5), care('1-1-3', -2)], (b, h) => `/visits/h/${h}/${b}`)])
    expect(list.get('care')!.map((i) => [i.care!.household, i.to])).toEqual([
      ['1-1-2', '/visits/h/1-1-2/b'],
      ['1-1-1', '/visits/h/1-1-1/b'],
    ])
  })

  it('puts urgent feedback first, then the one waiting longest at my level; each a tap from its page', () => {
    const day = 86_400_000
    const now = 10 * day
    const inbox = [
      view('old', 'x', [], { at: { raised: 0, levelSince: 2 * day } }),
      view('new', 'x', [], { at: { raised: 0, levelSince: 9 * day } }),
      view('urgent', 'x', [], { urgency: 'urgent', at: { raised: 0, levelSince: 9.5 * day } }),
    ]
    const items = todayList([inboxToday(inbox, now)]).get('inbox')!
    expect(items.map((i) => [i.feedback!.id, i.late])).toEqual([
      ['urgent', 0],
      ['old', 8],
      ['new', 1],
    ])
    expect(items[0]!.to).toBe('/feedback/urgent')
  })

  it('keeps every section, empty ones too, with news last in its own section', () => {
    const list = todayList([newsToday([view('n', 'me', [])])])
    expect([...list.keys()]).toEqual(['care', 'inbox', 'callback', 'news'])
    expect(list.get('news')!.map((i) => i.key)).toEqual(['news:n'])
  })
})

describe('floor jump', () => {
  it('offers a 33-storey tower its top, every fifth floor and the ground; low buildings none', () => {
    expect(jumpFloors(33)).toEqual([33, 30, 25, 20, 15, 10, 5, 1])
    expect(jumpFloors(18)).toEqual([18, 15, 10, 5, 1])
    expect(jumpFloors(7)).toEqual([])
  })
})
