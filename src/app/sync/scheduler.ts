/**
 * When to sync while the app is open: shortly after a save (debounced, so a
 * burst of saves makes one push) and on a slow periodic timer. DOM-free; the
 * page wires visibility and online events to `poke`/`run` itself.
 */
import type { Timers } from './timers'

export const AFTER_SAVE_DEBOUNCE_MS = 2000
export const PERIODIC_MS = 60_000

export interface SchedulerOptions {
  run: () => void
  timers: Timers
  debounceMs?: number
  periodMs?: number
}

export class SyncScheduler {
  private debounceHandle: unknown = null
  private periodicHandle: unknown = null
  private started = false

  constructor(private readonly opts: SchedulerOptions) {}

  start(): void {
    if (this.started) return
    this.started = true
    this.armPeriodic()
  }

  stop(): void {
    this.started = false
    this.clear('debounceHandle')
    this.clear('periodicHandle')
  }

  /** Runs once, `debounceMs` after the last poke. */
  poke(): void {
    this.clear('debounceHandle')
    this.debounceHandle = this.opts.timers.setTimeout(() => {
      this.debounceHandle = null
      this.opts.run()
    }, this.opts.debounceMs ?? AFTER_SAVE_DEBOUNCE_MS)
  }

  private armPeriodic(): void {
    this.periodicHandle = this.opts.timers.setTimeout(() => {
      this.periodicHandle = null
      if (!this.started) return
      this.opts.run()
      this.armPeriodic()
    }, this.opts.periodMs ?? PERIODIC_MS)
  }

  private clear(key: 'debounceHandle' | 'periodicHandle'): void {
    if (this[key] !== null) this.opts.timers.clearTimeout(this[key])
    this[key] = null
  }
}
