/**
 * The ledger's summaries (kept at append time, src/server/ledger/summaries.ts)
 * give exactly the figures of a full fold of the log (src/shared/ledger.ts
 * computeLedger) — on a randomized log appended batch by batch: the demo
 * months, then visits corrected into other months and voided, feedback
 * escalated, resolved, reopened and reported back across months and levels,
 * care flags set and lifted, volunteers' services to care households (care
 * contacts) corrected into other months and voided, reading sessions corrected and voided, device
 * clocks ahead of the server, times a second either side of Shanghai
 * midnight. Every scope level and several months are compared, and the
 * monthly tallies kept per place against the fold's (`tallyItems`), then the
 * same after a rebuild from the log. Runs on the suite's backend (SQLite, or
 * PostgreSQL with LOUDONG_TEST_BACKEND=postgres).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, login, PHONES, setup, type TestEnv } from './helpers'
import { seedDemoLedger } from '../../../src/server/demoLedger'
import { loadLedgerSource, loadSheetSource, peopleUnder, recordsUnder } from '../../../src/server/ledger/load'
import { ledgerCsv } from '../../../src/server/ledger/export'
import { volunteerSheet } from '../../../src/server/ledger/volunteerSheet'
import { computeLedger, ledgerItems, ledgerOfItems, tallyItems, type LedgerTally } from '../../../src/shared/ledger'
import { householdsOf, levelOfPath, LEVELS, type Level, type OrgNode } from '../../../src/shared/org'
import { handlingLevelOf } from '../../../src/shared/feedback'
import { uuidv7 } from '../../../src/shared/ids'
import { FEEDBACK_CATEGORIES, type LocalRecord } from '../../../src/shared/records'
import type { BatchItem } from '../../../src/server/storage'

let env: TestEnv
const NOW = Date.parse('2026-07-20T04:00:00Z')
const MONTHS = ['2026-03', '2026-04', '2026-05', '2026-06', '2026-07']

/** mulberry32: the same log on every run */
function rng(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

let nodes: OrgNode[]

beforeAll(async () => {
  env = await setup()
  env.clock.t = NOW
  await seedDemoLedger(env.storage, Date.parse('2026-06-10T04:00:00Z'))
  nodes = await env.storage.org.subtree('pl')
  await appendRandomLog(rng(13), 1600)
}, 240_000)
afterAll(async () => {
  await env.close()
})

/** Appends `n` random records in batches of up to 40, each batch with its own server time. */
async function appendRandomLog(rand: () => number, n: number): Promise<void> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!
  const buildings = nodes.filter((x) => x.kind === 'building' && x.layout)
  const points = nodes.filter((x) => x.kind === 'reading_point')
  const feedbackPlaces = nodes.filter((x) => handlingLevelOf(x.path) !== null)
  const authors = (await env.storage.users.overlapping(['pl'])).map((p) => p.id)
  const visits: { id: string; orgPath: string }[] = []
  const sessions: { id: string; orgPath: string }[] = []
  const services: { id: string; orgPath: string }[] = []
  // each item's state as the fold will see it, so most events take effect (the rest are kept, not effective)
  const feedback: { id: string; orgPath: string; level: Level; resolved: boolean }[] = []
  // instants from March to July, a fifth of them a second either side of a Shanghai midnight at a month's end
  const instant = (): number => {
    if (rand() < 0.2) {
      const edge = Date.parse(`2026-0${pick([4, 5, 6, 7])}-01T00:00:00+08:00`)
      return edge + pick([-1000, 0, 1000, -60_000])
    }
    return Date.parse('2026-03-01T00:00:00+08:00') + Math.floor(rand() * 140 * 86_400_000)
  }
  const iso = (t: number) => new Date(t).toISOString()
  let serverClock = Date.parse('2026-03-01T00:00:00Z')
  let made = 0
  while (made < n) {
    const batch: LocalRecord[] = []
    const size = 1 + Math.floor(rand() * 40)
    for (let i = 0; i < size && made < n; i++, made++) {
      const t = instant()
      const base = { id: uuidv7(), v: 1, authorId: pick(authors), deviceId: 'dev-rand', clientTime: iso(t) }
      const roll = rand()
      const record = ((): LocalRecord | null => {
        if (roll < 0.04) {
          // a volunteer's service to households that are often on the care list (the first rooms of a building)
          const b = pick(buildings)
          const rooms = householdsOf(b.layout!).slice(0, 6)
          const households = [...new Set([pick(rooms), pick(rooms)])]
          const r = {
            ...base, type: 'volunteer.service' as const, orgPath: b.path,
            body: { volunteer: uuidv7(), kind: 'care_visit' as const, note: '随机服务', servedAt: iso(t), hours: 1, households },
          }
          services.push(r)
          return r
        }
        if (roll < 0.055 && services.length) {
          const target = pick(services)
          if (rand() < 0.3) return { ...base, type: 'void' as const, orgPath: target.orgPath, body: { target: target.id, reason: '作废' } }
          return { ...base, type: 'correction' as const, orgPath: target.orgPath, body: { target: target.id, targetType: 'volunteer.service' as const, fields: { servedAt: iso(instant()) } } }
        }
        if (roll < 0.35) {
          const b = pick(buildings)
          const r = {
            ...base, type: 'visit' as const, orgPath: b.path,
            body: {
              household: pick(householdsOf(b.layout!)), outcome: pick(['met', 'met', 'nobody_home', 'declined'] as const),
              purposes: rand() < 0.4 ? ['policy' as const] : ['care' as const], note: '随机', visitedAt: iso(t),
            },
          }
          visits.push(r)
          return r
        }
        if (roll < 0.45 && visits.length) {
          const target = pick(visits)
          const fields = rand() < 0.5 ? { visitedAt: iso(instant()) } : rand() < 0.5 ? { outcome: pick(['met', 'nobody_home', 'declined'] as const) } : { purposes: ['policy' as const, 'safety' as const] }
          return { ...base, type: 'correction' as const, orgPath: target.orgPath, body: { target: target.id, targetType: 'visit' as const, fields } }
        }
        if (roll < 0.49 && visits.length) {
          const target = pick(visits)
          return { ...base, type: 'void' as const, orgPath: target.orgPath, body: { target: target.id, reason: '作废' } }
        }
        if (roll < 0.6) {
          const place = pick(feedbackPlaces)
          const r = {
            ...base, type: 'feedback' as const, orgPath: place.path,
            body: { category: pick(FEEDBACK_CATEGORIES), description: '随机事项', urgency: pick(['urgent', 'normal'] as const), channel: 'visit' as const, raisedAt: iso(t) },
          }
          feedback.push({ id: r.id, orgPath: r.orgPath, level: handlingLevelOf(r.orgPath)!, resolved: false })
          return r
        }
        if (roll < 0.82 && feedback.length) {
          const target = pick(feedback)
          const plausible = rand() < 0.75
          const up = LEVELS[LEVELS.indexOf(target.level) - 1]
          const body = ((): LocalRecord<'feedback.event'>['body'] => {
            const a = rand()
            if (target.resolved && plausible) {
              if (a < 0.35) return { feedback: target.id, text: '重开', action: 'reopen' }
              return {
                feedback: target.id, text: '回访', action: 'report_back', how: 'phone',
                residentView: pick(['satisfied', 'fairly_satisfied', 'dissatisfied', 'no_view'] as const), reportedAt: iso(instant()),
              }
            }
            if (plausible) {
              if (a < 0.4 && up && up !== 'building') return { feedback: target.id, text: '上报', action: 'escalate', toLevel: up }
              return { feedback: target.id, text: '办结', action: 'resolve', atLevel: target.level }
            }
            if (a < 0.3) return { feedback: target.id, text: '上报', action: 'escalate', toLevel: pick(['group', 'community', 'street', 'district'] as const) }
            if (a < 0.6) return { feedback: target.id, text: '办结', action: 'resolve', atLevel: pick(LEVELS) }
            if (a < 0.72) return { feedback: target.id, text: '重开', action: 'reopen' }
            if (a < 0.92) return { feedback: target.id, text: '回访', action: 'report_back', how: 'wechat', residentView: 'satisfied', reportedAt: iso(instant()) }
            return { feedback: target.id, text: '备注', action: 'comment' }
          })()
          if (body.action === 'escalate' && !target.resolved && body.toLevel === up) target.level = up
          if (body.action === 'resolve' && !target.resolved && body.atLevel === target.level) target.resolved = true
          if (body.action === 'reopen' && target.resolved) target.resolved = false
          return { ...base, type: 'feedback.event' as const, orgPath: target.orgPath, body }
        }
        if (roll < 0.88) {
          const b = pick(buildings)
          return {
            ...base, type: 'care.flag' as const, orgPath: b.path,
            body: { household: pick(householdsOf(b.layout!).slice(0, 6)), kind: 'alone_elderly' as const, intervalDays: pick([7, 14, 30]), active: rand() < 0.8 },
          }
        }
        if (roll < 0.94 && points.length) {
          const point = pick(points)
          const b = pick(buildings)
          const households = [{ building: b.path, household: pick(householdsOf(b.layout!)) }]
          const r = {
            ...base, type: 'reading.session' as const, orgPath: point.path,
            body: { startedAt: iso(t), endedAt: iso(t + 3_600_000), reader: '读报人', materials: ['报纸'], headCount: 3 + Math.floor(rand() * 20), households, notes: '' },
          }
          sessions.push(r)
          return r
        }
        if (roll < 0.97 && sessions.length) {
          const target = pick(sessions)
          return { ...base, type: 'correction' as const, orgPath: target.orgPath, body: { target: target.id, targetType: 'reading.session' as const, fields: { headCount: 1 + Math.floor(rand() * 30) } } }
        }
        if (sessions.length) {
          const target = pick(sessions)
          return { ...base, type: 'void' as const, orgPath: target.orgPath, body: { target: target.id, reason: '作废' } }
        }
        return null
      })()
      if (record) batch.push(record)
    }
    // the server's clock moves on; now and then a device clock is ahead of it (its times are capped at receipt)
    serverClock = Math.max(serverClock + Math.floor(rand() * 3 * 86_400_000), Math.min(...batch.map((r) => Date.parse(r.clientTime))) + (rand() < 0.8 ? 60_000 : -5 * 86_400_000))
    const items: BatchItem[] = batch.map((record) => {
      const target = record.type === 'correction' || record.type === 'void' ? record.body.target : record.type === 'feedback.event' ? record.body.feedback : null
      return { kind: 'append', record, hash: record.id, raw: '{}', ...(target ? { reference: { id: target, check: () => null } } : {}) }
    })
    const outcomes = await env.storage.records.appendBatch(items, { userId: batch[0]?.authorId ?? 'x', serverTime: iso(serverClock), reason: (c) => c })
    expect(outcomes.every((o) => o.status === 'accepted')).toBe(true)
  }
}

/** The scopes compared: the district, a street, a community, a group and a building under it, and another community. */
function scopes(): string[] {
  const at = (level: Level) => nodes.filter((n) => levelOfPath(n.path) === level).map((n) => n.path)
  const community = at('community')[0]!
  const group = at('group').find((g) => g.startsWith(community + '/'))!
  const building = at('building').find((b) => b.startsWith(group + '/'))!
  return ['pl', at('street')[0]!, community, group, building, at('community').at(-1)!]
}

/** Places with anything counted, by path: zero tallies are as good as none. */
const counted = (ts: readonly LedgerTally[]): LedgerTally[] =>
  ts
    .filter((t) => t.visits || t.householdsCovered || t.feedbackOverdue || Object.values(t.feedbackOpenByLevel).some((n) => n))
    .sort((a, b) => (a.path < b.path ? -1 : 1))

async function compareAll(): Promise<number> {
  let compared = 0
  for (const scope of scopes()) {
    const [records, subtree, people] = await Promise.all([recordsUnder(env.storage, scope), env.storage.org.subtree(scope), peopleUnder(env.storage, scope)])
    const foldedItems = ledgerItems(records)
    for (const month of MONTHS) {
      const input = { nodes: subtree, people, scope, month, now: NOW }
      const folded = computeLedger({ ...input, records })
      const items = await env.storage.ledger.items(scope, month)
      // the server reads tallies, not every item; per place they are what the fold counts
      expect(items.tallies, `${scope} ${month}`).toBeDefined()
      expect(counted(items.tallies!), `${scope} ${month} tallies`).toEqual(counted(tallyItems(foldedItems, month)))
      const summarised = ledgerOfItems(items, input)
      expect(summarised, `${scope} ${month}`).toEqual(folded)
      compared++
    }
  }
  return compared
}

describe('ledger summaries against the full fold', () => {
  it('the log exercises what can move: corrections, voids, escalations, resolutions, reopenings, 回访, care, sessions', async () => {
    const ledger = computeLedger({ records: await recordsUnder(env.storage, 'pl'), nodes, people: await peopleUnder(env.storage, 'pl'), scope: 'pl', month: '2026-05', now: NOW })
    const t = ledger.totals
    // figures that would be zero if the log did not reach them
    expect(t.visits).toBeGreaterThan(50)
    expect(t.feedbackResolved).toBeGreaterThan(5)
    expect(t.feedbackOpen).toBeGreaterThan(5)
    expect(t.feedbackReopened).toBeGreaterThan(0)
    expect(t.reportedBack).toBeGreaterThan(0)
    expect(t.careHouseholds).toBeGreaterThan(0)
    expect(t.readingSessions).toBeGreaterThan(0)
    // services reach care households and change someone's care on time in some month
    const records = await recordsUnder(env.storage, 'pl')
    const withoutServices = records.filter((r) => r.type !== 'volunteer.service')
    const careOnTime = (rs: typeof records, month: string) =>
      computeLedger({ records: rs, nodes, people: [], scope: 'pl', month, now: NOW }).totals.careOnTime
    expect(MONTHS.some((m) => careOnTime(records, m) > careOnTime(withoutServices, m))).toBe(true)
    expect(Object.values(t.feedbackResolvedByLevel).filter((n) => n > 0).length).toBeGreaterThan(1)
  })

  it('kept at append time: every scope level and month gives the fold’s ledger', async () => {
    expect(await compareAll()).toBe(scopes().length * MONTHS.length)
  }, 240_000)

  it('through the API: the district’s ledger is the fold’s', async () => {
    const yang = await login(env.app, PHONES.yang)
    const res = await env.app.inject({ url: '/api/v1/ledger?scope=pl&month=2026-05', headers: bearer(yang.token) })
    expect(res.statusCode).toBe(200)
    const folded = computeLedger({ records: await recordsUnder(env.storage, 'pl'), nodes, people: await peopleUnder(env.storage, 'pl'), scope: 'pl', month: '2026-05', now: NOW })
    expect(res.json()).toEqual(JSON.parse(JSON.stringify(folded)))
  })

  it('the export’s detailed sheets, read through the summaries for the scope and month, list what the whole log gives', async () => {
    let rows = 0
    for (const scope of scopes().slice(0, 3)) {
      const whole = await loadLedgerSource(env.storage, scope)
      for (const month of MONTHS) {
        const bounded = await loadSheetSource(env.storage, scope, month)
        expect(bounded.records.length).toBeLessThan(whole.records.length)
        const ledger = ledgerOfItems(await env.storage.ledger.items(scope, month), { nodes: whole.nodes, people: whole.people, scope, month, now: NOW })
        for (const sheet of ['visits', 'feedback', 'reading'] as const) {
          const csv = ledgerCsv(ledger, bounded, sheet)
          expect(csv, `${scope} ${month} ${sheet}`).toBe(ledgerCsv(ledger, whole, sheet))
          rows += csv.split('\r\n').length - 2
        }
        expect(volunteerSheet(scope, month, bounded).rows, `${scope} ${month} volunteers`).toEqual(volunteerSheet(scope, month, whole).rows)
      }
    }
    expect(rows).toBeGreaterThan(100)
  }, 240_000)

  it('rebuilt from the log (a database from before them): the same figures', async () => {
    await env.sql('UPDATE ledger_state SET stale = 1')
    expect(await env.storage.ledger.stale()).toBe(true)
    expect(await env.storage.ledger.rebuild()).toBe(await env.storage.records.count())
    expect(await env.storage.ledger.stale()).toBe(false)
    await compareAll()
  }, 240_000)
})
