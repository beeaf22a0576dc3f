// @vitest-environment jsdom
/** Issue 16: 我的 on a computer speaks of a computer, not of a phone's home screen. */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { onDesk } from '@app/pwa/install'

function pointers(fine: boolean, coarse: boolean): void {
  vi.stubGlobal('matchMedia', (q: string) => ({ matches: q === '(pointer: fine)' ? fine : q === '(any-pointer: coarse)' ? coarse : false }))
}

afterEach(() => vi.unstubAllGlobals())

describe('onDesk', () => {
  it('is a computer with a mouse and no touch screen, and nothing else', () => {
    pointers(true, false)
    expect(onDesk()).toBe(true)
    // a touch laptop or a tablet with a pen: it has a screen to touch and may have a home screen
    pointers(true, true)
    expect(onDesk()).toBe(false)
    pointers(false, true)
    expect(onDesk()).toBe(false)
  })
})
