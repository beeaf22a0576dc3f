/**
 * POST /api/v1/sync/push and GET /api/v1/sync/pull (DESIGN.md §3).
 */
import type { FastifyPluginAsync } from 'fastify'
import * as v from 'valibot'
import type { AppContext } from '../app'
import { HttpError, langOf } from '../errors'
import { pushRecords } from '../sync/push'
import { callerOf } from './auth'
import { effectiveScopes, scopeHash } from '../scope'
import { mayReadType } from '../../shared/rules'
import { checkRecordShape, type LocalRecord, type StoredRecord } from '../../shared/records'
import { maskPhone } from '../../shared/phone'
import { auditErasure, journalErasures } from '../erasure'
import { volunteerReaderFor } from '../volunteers'
import { visibleToVolunteer } from '../../shared/volunteerScope'
import {
  MissingRequest,
  PULL_MAX_LIMIT,
  PUSH_MAX_BYTES,
  PUSH_MAX_RECORDS,
  PullQuery,
  PushRequest,
  type MissingResponse,
  type PullResponse,
  type PushResponse,
} from '../../shared/protocol'

/** The bytes a push counts against the day's limit: its body as sent, or as parsed when the length was not given. */
function bodyBytes(header: string | undefined, body: unknown): number {
  const n = Number(header)
  return Number.isInteger(n) && n >= 0 ? n : Buffer.byteLength(JSON.stringify(body ?? null), 'utf8')
}

/**
 * Residents' phone numbers leave the server masked (138****0001): the full number
 * is only ever answered by the audited reveal (routes/household.ts).
 */
function maskedProfile(r: StoredRecord): StoredRecord {
  if (r.type !== 'household.profile' || !r.body.phone) return r
  return { ...r, body: { ...r.body, phone: maskPhone(r.body.phone) } }
}

/** The erasure records of a push that were appended now (not duplicates: those are journalled already). */
function acceptedErasures(input: readonly unknown[], results: PushResponse['results']): LocalRecord[] {
  const out: LocalRecord[] = []
  results.forEach((res, i) => {
    if (res.status !== 'accepted') return
    // the shape check is for erasures only: run on every accepted record it cost ≈ 1 ms a push of 100
    const raw = input[i]
    if (typeof raw !== 'object' || raw === null || (raw as { type?: unknown }).type !== 'household.erasure') return
    const shape = checkRecordShape(input[i])
    if (shape.ok && shape.record.type === 'household.erasure') out.push(shape.record)
  })
  return out
}

export const syncRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  async (app) => {
    app.post('/api/v1/sync/push', { bodyLimit: PUSH_MAX_BYTES }, async (req): Promise<PushResponse> => {
      const user = callerOf(req)
      const parsed = v.safeParse(PushRequest, req.body)
      if (!parsed.success) throw new HttpError(400, 'bad_request')
      const { records, known } = parsed.output
      if (records.length > PUSH_MAX_RECORDS) throw new HttpError(413, 'too_large')
      // a device that synced with the database before a restore sends back what it lacks first
      if (known) {
        const head = await ctx.storage.identity.head()
        if (known.identity !== head.identity || known.cursor > head.highestSeq) throw new HttpError(409, 'database_restored')
      }
      const now = ctx.now()
      // the account's limits (README "Abuse limits"); a 429 is "try later" to the device, never a refusal of its records
      const wait = await ctx.storage.usage.take(user.id, records.length, bodyBytes(req.headers['content-length'], req.body), now, ctx.pushLimits)
      if (wait > 0) throw new HttpError(429, 'push_limited', { 'retry-after': String(wait) })
      const scopes = await effectiveScopes(ctx.storage, user.scopes)
      const results = await pushRecords(records, { storage: ctx.storage, user, scopes, now, lang: langOf(req) })
      const erasures = acceptedErasures(records, results)
      if (erasures.length) {
        if (ctx.erasureJournal) journalErasures(ctx.erasureJournal, erasures)
        for (const e of erasures) await auditErasure(ctx.storage, e, user.id, now)
      }
      // read after the append: the highest seq covers every seq answered here
      return { results, now: new Date(now).toISOString(), database: await ctx.storage.identity.head() }
    })

    app.post('/api/v1/sync/missing', async (req): Promise<MissingResponse> => {
      callerOf(req)
      const parsed = v.safeParse(MissingRequest, req.body)
      if (!parsed.success) throw new HttpError(400, 'bad_request')
      const ids = parsed.output.ids
      const stored = await ctx.storage.records.existing(ids)
      return { missing: ids.filter((id) => !stored.has(id)), database: await ctx.storage.identity.head() }
    })

    app.get('/api/v1/sync/pull', async (req): Promise<PullResponse> => {
      const user = callerOf(req)
      const query = v.safeParse(PullQuery, req.query)
      if (!query.success) throw new HttpError(400, 'bad_request')
      const after = query.output.after
      const limit = Math.min(query.output.limit, PULL_MAX_LIMIT)
      const scopes = await effectiveScopes(ctx.storage, user.scopes)
      const page = await ctx.storage.records.pull(scopes, after, limit)
      const last = page.records[page.records.length - 1]
      const cursor = last ? last.seq : after
      // profiles and care details only to those who work with the household (mayReadType);
      // a volunteer account reads only what concerns it (src/shared/volunteerScope.ts);
      // the cursor still passes the records left out, so a page may hold fewer than it covers
      const reader = await volunteerReaderFor(ctx.storage, user)
      const records = page.records.filter((r) => mayReadType(user.role, r.type) && (!reader || visibleToVolunteer(r, reader))).map(maskedProfile)
      // read after the page: the highest seq is at least the page's last
      const database = await ctx.storage.identity.head()
      const answer: PullResponse = { records, cursor, more: page.more, scope: scopeHash(scopes), scopes, role: user.role, now: new Date(ctx.now()).toISOString(), database }
      if (query.output.count) answer.remaining = page.more ? await ctx.storage.records.countAfter(scopes, cursor) : 0
      return answer
    })
  }
