/**
 * Issue 7: a lazy chunk that fails to load after a deploy reloads the page
 * exactly once; the guard (sessionStorage, time window) stops a reload loop.
 */
import { describe, expect, it, vi } from 'vitest'
import { CHUNK_RELOAD_WINDOW_MS, isChunkLoadError, reloadOnceForChunk } from '@app/router/chunkReload'

class MemoryStorage {
  readonly map = new Map<string, string>()
  getItem(k: string) {
    return this.map.get(k) ?? null
  }
  setItem(k: string, v: string) {
    this.map.set(k, v)
  }
}

const chromeError = new TypeError('Failed to fetch dynamically imported module: http://localhost/assets/VisitsHome-abc123.js')
const safariError = new TypeError('Importing a module script failed.')
const firefoxError = new TypeError('error loading dynamically imported module: http://localhost/assets/x.js')

describe('chunk load failures', () => {
  it('are recognised in the words of each browser, and ChunkLoadError by name', () => {
    for (const e of [chromeError, safariError, firefoxError, Object.assign(new Error('x'), { name: 'ChunkLoadError' })]) expect(isChunkLoadError(e)).toBe(true)
    expect(isChunkLoadError(new Error('Cannot read properties of undefined'))).toBe(false)
    expect(isChunkLoadError(null)).toBe(false)
  })

  it('reload once; a second failure in the window does not reload again; after the window one more is allowed', () => {
    const storage = new MemoryStorage()
    const reload = vi.fn()
    let now = 1_000_000
    expect(reloadOnceForChunk(chromeError, { storage, now, reload })).toBe(true)
    now += 2_000
    expect(reloadOnceForChunk(chromeError, { storage, now, reload })).toBe(false)
    expect(reloadOnceForChunk(chromeError, { storage, now: now + 10_000, reload })).toBe(false)
    expect(reload).toHaveBeenCalledTimes(1)
    expect(reloadOnceForChunk(chromeError, { storage, now: now + CHUNK_RELOAD_WINDOW_MS, reload })).toBe(true)
    expect(reload).toHaveBeenCalledTimes(2)
  })

  it('other errors and a blocked sessionStorage never reload', () => {
    const reload = vi.fn()
    expect(reloadOnceForChunk(new Error('bug'), { storage: new MemoryStorage(), now: 1, reload })).toBe(false)
    const blocked = { getItem: () => { throw new DOMException('denied', 'SecurityError') }, setItem: () => undefined }
    expect(reloadOnceForChunk(chromeError, { storage: blocked, now: 1, reload })).toBe(false)
    expect(reload).not.toHaveBeenCalled()
  })

  it('offline never reloads (a chunk kept only after a first use online, pwa/lazyChunks.ts), and keeps the one reload for later', () => {
    const storage = new MemoryStorage()
    const reload = vi.fn()
    expect(reloadOnceForChunk(chromeError, { storage, now: 1_000_000, reload, online: false })).toBe(false)
    expect(reload).not.toHaveBeenCalled()
    expect(reloadOnceForChunk(chromeError, { storage, now: 1_000_001, reload, online: true })).toBe(true)
    expect(reload).toHaveBeenCalledTimes(1)
  })
})
