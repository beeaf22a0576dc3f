/**
 * Small helpers the figures share: statistics, the machine description,
 * deadlines, and a scope that closes whatever a figure opened even when it
 * timed out.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'

export function median(xs: readonly number[]): number {
  if (!xs.length) return Number.NaN
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** Nearest-rank percentile, p in (0, 100]. */
export function percentile(xs: readonly number[], p: number): number {
  if (!xs.length) return Number.NaN
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!
}

export interface Machine {
  nproc: number
  cpu: string
  ramGiB: number
  node: string
  chromium: string
  os: string
  /** 1-minute load average when the run started: other work on the machine skews figures */
  loadAtStart: number
}

export function describeMachine(chromiumPath: string | null): Machine {
  let cpu = cpus()[0]?.model ?? 'unknown'
  try {
    const m = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))
    if (m) cpu = m[1]!.trim()
  } catch {
    // not Linux: os.cpus() is as good
  }
  let chromium = 'unknown'
  if (chromiumPath) {
    try {
      chromium = execFileSync(chromiumPath, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim()
    } catch {
      // reported as unknown
    }
  }
  let os: string = process.platform
  try {
    const m = /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))
    if (m) os = `${m[1]} (${process.platform})`
  } catch {
    // keep the platform name
  }
  let loadAtStart = 0
  try {
    loadAtStart = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0])
  } catch {
    // not Linux
  }
  return { nproc: cpus().length, cpu, ramGiB: Math.round(totalmem() / 2 ** 30), node: process.version, chromium, os, loadAtStart }
}

export class TimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: no answer in ${Math.round(ms / 1000)} s`)
    this.name = 'TimeoutError'
  }
}

/** Rejects after `ms` unless `p` settles first. */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms)))])
  } finally {
    clearTimeout(timer)
  }
}

/** What a figure opened (browsers, servers, temp dirs), closed in reverse order when it ends or times out. */
export class Scope {
  private readonly closers: (() => unknown)[] = []

  defer(fn: () => unknown): void {
    this.closers.push(fn)
  }

  async close(): Promise<void> {
    while (this.closers.length) {
      const fn = this.closers.pop()!
      try {
        await withTimeout(Promise.resolve().then(fn), 15_000, 'cleanup')
      } catch {
        // best effort: one stuck cleanup must not keep the rest open
      }
    }
  }
}

export function errorText(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err)
  return msg.split('\n')[0]!.slice(0, 300)
}

/** /proc/<pid>/status memory lines in MiB (Linux only). */
export function processMemory(pid: number): { rssMiB: number; peakMiB: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(s)?.[1] ?? Number.NaN)
    return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024 }
  } catch {
    return null
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
