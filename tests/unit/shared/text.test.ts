/**
 * Text length is counted as a person counts characters, the same for the form
 * counter, the device check and the server check, and the limit is named.
 */
import { describe, expect, it } from 'vitest'
import { clipText, textLength } from '@shared/text'
import { checkRecordShape, message, NOTE_MAX } from '@shared/index'

describe('textLength', () => {
  it('counts an emoji, a family emoji, a rare character and an accented letter as one each', () => {
    expect(textLength('楼道灯坏了')).toBe(5)
    expect(textLength('👍')).toBe(1)
    expect(textLength('👨‍👩‍👧')).toBe(1)
    expect(textLength('𠮷')).toBe(1)
    expect(textLength('e\u0301')).toBe(1)
    expect(textLength('a\tb\nc')).toBe(5)
  })

  it('clips without splitting a character', () => {
    expect(clipText('ab👨‍👩‍👧cd', 3)).toBe('ab👨‍👩‍👧')
    expect(clipText('短', 5)).toBe('短')
  })
})

describe('length limits in the schemas', () => {
  const visit = (note: string) => ({
    id: '01890a5d-ac96-774b-bcce-b302099a8057',
    type: 'visit',
    v: 1,
    orgPath: 'pl/a/b/g01/b01',
    authorId: 'u',
    deviceId: 'd',
    clientTime: '2026-05-01T10:00:00.000Z',
    body: { household: '1-1-1', outcome: 'met', purposes: [], note, visitedAt: '2026-05-01T10:00:00.000Z' },
  })

  it('takes NOTE_MAX emoji (two UTF-16 units each) and refuses one more, naming the limit', () => {
    expect(checkRecordShape(visit('😀'.repeat(NOTE_MAX))).ok).toBe(true)
    const refused = checkRecordShape(visit('😀'.repeat(NOTE_MAX + 1)))
    expect(refused).toEqual({ ok: false, issue: { code: 'note_too_long', path: 'body.note', max: NOTE_MAX } })
    expect(message('note_too_long', 'zh-CN', { max: NOTE_MAX })).toBe('备注太长，最多 2000 字')
    expect(message('note_too_long', 'en', { max: NOTE_MAX })).toBe('The note is too long (2000 characters at most)')
  })
})
