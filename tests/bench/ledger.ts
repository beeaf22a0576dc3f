/**
 * Ledger figures of issue 13: a street's and the district's monthly ledger
 * from the running server over the 1,000,000-record district, as street and
 * district staff would ask for them (GET /api/v1/ledger, JSON). The month is
 * the last full Shanghai month of the generated year.
 */
import { hashToken, newToken } from '../../src/server/auth'
import { openDatabase } from '../../src/server/db'
import { createSqliteStorage } from '../../src/server/storage'
import { monthKey, previousMonthKey } from '../../src/shared/time'
import type { RunningServer } from '../e2e/harness'
import type { BenchWorld } from './data'
import type { Measures } from './device'
import { median } from './util'

/** Adds a street and a district staff account with an open session to the running server's database. */
async function staffTokens(dataDir: string, street: string): Promise<{ street: string; district: string }> {
  const db = openDatabase(dataDir)
  try {
    const storage = createSqliteStorage(db)
    const out = { street: newToken(), district: newToken() }
    await storage.transaction(async (tx) => {
      const s = await tx.users.upsert({ phone: '13700000001', name: '街道台账', role: 'street_staff', scopes: [street], passwordHash: 'x' })
      const d = await tx.users.upsert({ phone: '13700000002', name: '区台账', role: 'district_staff', scopes: ['pl'], passwordHash: 'x' })
      await tx.sessions.create(hashToken(out.street), s.id, Date.now())
      await tx.sessions.create(hashToken(out.district), d.id, Date.now())
    })
    return out
  } finally {
    db.close()
  }
}

async function timed(url: string, token: string): Promise<{ ms: number; visits: number }> {
  const t0 = performance.now()
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
  const body = (await res.json()) as { totals?: { visits: number } }
  const ms = performance.now() - t0
  if (!res.ok || !body.totals) throw new Error(`ledger answered ${res.status}`)
  return { ms, visits: body.totals.visits }
}

/**
 * `ledgerStreet` and `ledgerDistrict`: median ms over `runs` requests after one
 * (timed, reported) first request. Each figure is written into `out` as soon as
 * it is measured, so a district that runs past the step's deadline keeps the street's.
 */
export async function ledgerFigure(server: RunningServer, world: BenchWorld, runs: number, log: (s: string) => void, out: Measures = {}): Promise<Measures> {
  const street = world.nodes.find((n) => n.kind === 'street')!.path
  const tokens = await staffTokens(server.dataDir, street)
  const month = previousMonthKey(monthKey(Date.now()))
  for (const [id, scope, token, n] of [['ledgerStreet', street, tokens.street, runs], ['ledgerDistrict', 'pl', tokens.district, runs]] as const) {
    const url = `${server.url}/api/v1/ledger?scope=${scope}&month=${month}`
    const first = await timed(url, token)
    log(`  ${id} first request: ${Math.round(first.ms)} ms`)
    const ms: number[] = []
    let visits = 0
    for (let r = 0; r < n; r++) {
      const t = await timed(url, token)
      ms.push(t.ms)
      visits = t.visits
      log(`  ${id} run ${r + 1}: ${Math.round(t.ms)} ms`)
    }
    out[id] = { value: median(ms), runs: ms, detail: `${scope}, ${month}: ${visits.toLocaleString('en')} visits in the month; from the monthly tallies and summaries kept at append time; first request ${Math.round(first.ms)} ms` }
  }
  return out
}
