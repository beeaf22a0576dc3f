/**
 * The ledger's wire shapes (GET /api/v1/ledger and /api/v1/ledger/ranking), as
 * valibot schemas read by the server (queries) and the device (answers).
 */
import * as v from 'valibot'
import { LEVELS } from './org'
import { RANKING_COMPONENTS } from './ledger'
import { ROLES } from './roles'

/** `YYYY-MM`, months 01–12. */
export const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/

export const LEDGER_FORMATS = ['json', 'xlsx', 'csv'] as const
/** Which sheet a CSV holds (an XLSX holds them all). */
export const LEDGER_SHEETS = ['summary', 'visits', 'feedback', 'reading'] as const
export type LedgerSheet = (typeof LEDGER_SHEETS)[number]

export const LedgerQuery = v.object({
  scope: v.pipe(v.string(), v.regex(/^[a-z0-9_-]{1,40}(\/[a-z0-9_-]{1,40}){0,4}$/)),
  /** default: this Shanghai month */
  month: v.optional(v.pipe(v.string(), v.regex(MONTH_RE))),
  format: v.optional(v.picklist(LEDGER_FORMATS), 'json'),
  sheet: v.optional(v.picklist(LEDGER_SHEETS), 'summary'),
})
export type LedgerQuery = v.InferOutput<typeof LedgerQuery>

const count = v.pipe(v.number(), v.integer(), v.minValue(0))
const share = v.nullable(v.pipe(v.number(), v.minValue(0), v.maxValue(1)))
const byLevel = v.object(Object.fromEntries(LEVELS.map((l) => [l, count])) as Record<(typeof LEVELS)[number], typeof count>)

export const LedgerFiguresSchema = v.object({
  households: count,
  householdsCovered: count,
  visits: count,
  visitsMet: count,
  visitsNobodyHome: count,
  visitsDeclined: count,
  publicityVisits: count,
  careHouseholds: count,
  careOnTime: count,
  feedbackCollected: count,
  feedbackResolved: count,
  feedbackResolvedByLevel: byLevel,
  feedbackOpen: count,
  feedbackOpenByLevel: byLevel,
  feedbackOverdue: count,
  feedbackReopened: count,
  reportedBack: count,
  satisfied: count,
  selfGovernanceRate: share,
  replyResolveRate: share,
  medianResolutionDays: v.nullable(v.pipe(v.number(), v.minValue(0))),
  readingSessions: count,
  readingAttendance: count,
  readingHouseholds: count,
  leadersWithoutRecords: count,
})

export const LedgerResponse = v.object({
  scope: v.string(),
  name: v.string(),
  kind: v.picklist(LEVELS),
  month: v.pipe(v.string(), v.regex(MONTH_RE)),
  totals: LedgerFiguresSchema,
  rows: v.array(v.object({ path: v.string(), name: v.string(), kind: v.picklist(LEVELS), figures: LedgerFiguresSchema })),
  quietLeaders: v.array(v.object({ id: v.string(), name: v.string(), role: v.picklist(ROLES), scopes: v.array(v.string()) })),
})
export type LedgerResponse = v.InferOutput<typeof LedgerResponse>

const weightsSchema = v.object(Object.fromEntries(RANKING_COMPONENTS.map((c) => [c, v.number()])) as Record<(typeof RANKING_COMPONENTS)[number], v.NumberSchema<undefined>>)

export const RankingResponse = v.object({
  scope: v.string(),
  name: v.string(),
  month: v.pipe(v.string(), v.regex(MONTH_RE)),
  weights: weightsSchema,
  /** who set the weights and when; absent while the defaults apply */
  weightsSetBy: v.optional(v.string()),
  weightsSetAt: v.optional(v.string()),
  rows: v.array(
    v.object({
      path: v.string(),
      name: v.string(),
      rank: v.number(),
      score: v.number(),
      components: v.object(Object.fromEntries(RANKING_COMPONENTS.map((c) => [c, share])) as Record<(typeof RANKING_COMPONENTS)[number], typeof share>),
    }),
  ),
})
export type RankingResponse = v.InferOutput<typeof RankingResponse>
