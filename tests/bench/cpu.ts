/**
 * CPU time of the processes an ingest run keeps busy, read from Linux's
 * /proc: how many CPU milliseconds each side (the app's server processes,
 * PostgreSQL, the load generator in this process) spends per 1,000 records.
 * On a machine where all of them share two cores, that, not the wall clock,
 * says how fast any arrangement of them could go.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

/** Clock ticks per second of /proc's times (USER_HZ, 100 on Linux everywhere it matters). */
const TICKS = 100

/** utime + stime (+ cutime + cstime with `reaped`: children that have exited), in ms; 0 for a process that is gone. */
function processMs(pid: number, reaped: boolean): number {
  let stat: string
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return 0
  }
  // the command name (field 2) may hold spaces: count fields after its closing parenthesis
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const at = (n: number) => Number(f[n - 3])
  return ((at(14) + at(15) + (reaped ? at(16) + at(17) : 0)) * 1000) / TICKS
}

/** The pids whose parent is `ppid`. */
function childrenOf(ppid: number): number[] {
  const out: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid) out.push(Number(name))
    } catch {
      // gone meanwhile
    }
  }
  return out
}

/** A PostgreSQL cluster's CPU in ms: the postmaster, its live backends and those that have exited. */
export function postgresMs(clusterDir: string): number {
  const pid = Number(readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0])
  return processMs(pid, true) + childrenOf(pid).reduce((n, c) => n + processMs(c, false), 0)
}

/** Processes' CPU in ms (their exited children included). */
export function processesMs(pids: readonly number[]): number {
  return pids.reduce((n, pid) => n + processMs(pid, true), 0)
}

/** This process's CPU in ms (the load generator, autocannon, runs here). */
export function selfMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/** Whether /proc can be read here (Linux): elsewhere the CPU rows are left out. */
export function canReadCpu(): boolean {
  return processMs(process.pid, false) > 0
}
