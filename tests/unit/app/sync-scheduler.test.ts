import { describe, expect, it } from 'vitest'
import { SyncScheduler } from '@app/sync/scheduler'
import { ManualTimers } from './fakes'

describe('SyncScheduler', () => {
  it('turns a burst of saves into one run, 2 s after the last', () => {
    const timers = new ManualTimers()
    let runs = 0
    const s = new SyncScheduler({ run: () => runs++, timers })
    s.poke()
    s.poke()
    s.poke()
    expect(timers.size).toBe(1)
    expect(timers.delays).toEqual([2000, 2000, 2000])
    timers.fireAll()
    expect(runs).toBe(1)
  })

  it('runs periodically once started, and not after stop', () => {
    const timers = new ManualTimers()
    let runs = 0
    const s = new SyncScheduler({ run: () => runs++, timers, periodMs: 60_000 })
    s.start()
    timers.fireAll()
    timers.fireAll()
    expect(runs).toBe(2)
    expect(timers.delays).toEqual([60_000, 60_000, 60_000])
    s.stop()
    expect(timers.size).toBe(0)
    timers.fireAll()
    expect(runs).toBe(2)
  })
})
