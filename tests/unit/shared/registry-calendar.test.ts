import { describe, expect, it } from 'vitest'
import { BODY_SCHEMAS, BODY_VERSION, RECORD_TYPES } from '@shared/records'
import { MESSAGES } from '@shared/messages'
import { daysBetween, monthRange, monthStart } from '@shared/time'
import * as shared from '@shared/index'

describe('record registry', () => {
  it('knows every record type of the design, each with a body version', () => {
    expect([...RECORD_TYPES].sort()).toEqual(['care.flag', 'correction', 'feedback', 'feedback.event', 'household.erasure', 'household.profile', 'ledger.weights', 'reading.session', 'visit', 'void', 'volunteer', 'volunteer.pairing', 'volunteer.service', 'volunteer.team', 'wish', 'wish.address', 'wish.event'])
    for (const t of RECORD_TYPES) {
      expect(BODY_VERSION[t]).toBeGreaterThanOrEqual(1)
      expect(BODY_SCHEMAS[t]).toBeDefined()
    }
  })

  it('has words in both languages for every message code', () => {
    for (const [code, [zh, en]] of Object.entries(MESSAGES)) {
      expect(zh.length, code).toBeGreaterThan(0)
      expect(en.length, code).toBeGreaterThan(0)
    }
  })

  it('re-exports the feature modules from the shared index', () => {
    for (const name of ['foldFeedback', 'inboxFor', 'feedbackMetrics', 'foldReadingSessions', 'readingSummary', 'draftToBody', 'careList', 'buildingCoverage', 'doorStatus', 'applyAmendments']) {
      expect(typeof (shared as Record<string, unknown>)[name], name).toBe('function')
    }
  })
})

describe('Asia/Shanghai months and days', () => {
  it('gives a month as the half-open range of its Shanghai instants', () => {
    const dec = monthRange('2026-12')
    expect(new Date(dec.from).toISOString()).toBe('2026-11-30T16:00:00.000Z')
    expect(new Date(dec.to).toISOString()).toBe('2026-12-31T16:00:00.000Z')
    expect(monthRange('2027-01').from).toBe(dec.to)
    expect(monthStart('2026-12')).toBe(dec.from)
  })

  it('counts calendar days between day keys', () => {
    expect(daysBetween('2026-11-30', '2026-12-01')).toBe(1)
    expect(daysBetween('2026-12-31', '2027-01-01')).toBe(1)
    expect(daysBetween('2027-03-01', '2027-02-27')).toBe(-2)
  })
})
