import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { B01, BACKEND, bearer, login, PHONES, push, setup, tempDir, visit, type TestEnv } from './helpers'
import { runAdmin } from '../../../src/server/admin'
import { DB_FILE } from '../../../src/server/db'
import { journalPath, reapplyErasures } from '../../../src/server/erasure'
import { uuidv7 } from '../../../src/shared/ids'
import type { LocalRecord, RecordType } from '../../../src/shared/records'
import type { PullResponse } from '../../../src/shared/protocol'
import { ERASED_TEXT } from '../../../src/shared/erasure'

const NAME = '王秀英'
const PHONE = '13912345678'
const HH = '1-3-2'

let env: TestEnv
let journal: string
beforeEach(async () => {
  const dir = tempDir()
  journal = join(dir, 'erasures.jsonl')
  env = await setup({ erasureJournal: journal })
})
afterEach(async () => {
  await env.close()
})

const pull = async (token: string) => {
  const res = await env.app.inject({ url: '/api/v1/sync/pull?limit=2000', headers: bearer(token) })
  expect(res.statusCode, res.body).toBe(200)
  return res.json<PullResponse>()
}

function rec<T extends RecordType>(authorId: string, type: T, body: LocalRecord<T>['body'], orgPath = B01): LocalRecord<T> {
  return { id: uuidv7(), type, v: 1, orgPath, authorId, deviceId: 'dev-pipl', clientTime: '2026-05-01T09:30:00.000Z', body } as LocalRecord<T>
}

/** A household's personal data as a building leader writes it: profile, care flag with consent, a visit and feedback naming her. */
async function householdWithData(): Promise<{ leader: string; visitId: string; feedbackId: string }> {
  const zhang = await login(env.app, PHONES.zhang)
  const profile = rec(zhang.user.id, 'household.profile', { household: HH, displayName: NAME, phone: PHONE })
  const care = rec(zhang.user.id, 'care.flag', {
    household: HH, kind: 'disabled', intervalDays: 14, active: true, note: `${NAME}腿脚不便`,
    consent: { how: 'written', by: 'self', at: '2026-05-01T09:00:00.000Z' },
  })
  const v = visit(zhang.user.id, { body: { household: HH, note: `${NAME}说血压高,电话${PHONE}` } })
  const fb = rec(zhang.user.id, 'feedback', {
    category: 'repair', description: `${NAME}家水管漏水`, household: HH, urgency: 'normal', channel: 'visit', raisedAt: '2026-05-01T09:25:00.000Z',
  })
  const ev = rec(zhang.user.id, 'feedback.event', { feedback: fb.id, action: 'comment', text: `已告诉${NAME}` })
  const res = await push(env.app, zhang.token, [profile, care, v, fb, ev])
  expect(res.json<{ results: { status: string }[] }>().results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'accepted'])
  return { leader: zhang.token, visitId: v.id, feedbackId: fb.id }
}

const holdsPersonalData = (page: PullResponse) => JSON.stringify(page.records).includes(NAME) || JSON.stringify(page.records).includes(PHONE)

describe('erasure of a household (PIPL Art. 47)', () => {
  it('community staff erase: later pulls carry neither name nor phone, the facts stay, and the erasure holds no personal data', async () => {
    const { visitId, feedbackId } = await householdWithData()
    const wang = await login(env.app, PHONES.wang)
    expect(holdsPersonalData(await pull(wang.token))).toBe(true)

    const liu = await login(env.app, PHONES.liu)
    const erasure = rec(liu.user.id, 'household.erasure', { household: HH, reason: '居民申请删除' })
    expect((await push(env.app, liu.token, [erasure])).json<{ results: { status: string }[] }>().results[0]!.status).toBe('accepted')

    for (const phone of [PHONES.wang, PHONES.zhang, PHONES.liu]) {
      const page = await pull((await login(env.app, phone)).token)
      expect(holdsPersonalData(page), phone).toBe(false)
      // the facts stay: the visit and its outcome, the feedback and its event
      const visitNow = page.records.find((r) => r.id === visitId)
      expect(visitNow?.type === 'visit' && visitNow.body.outcome).toBe('met')
      const fbNow = page.records.find((r) => r.id === feedbackId)
      expect(fbNow?.type === 'feedback' && fbNow.body.description).toBe(ERASED_TEXT)
    }
    const page = await pull(wang.token)
    const care = page.records.find((r) => r.type === 'care.flag')!
    expect(care.body).toEqual({ household: HH, kind: 'other', intervalDays: 14, active: true })

    // the erasure record: who (author), when (serverTime), which household, why; nothing else
    const stored = page.records.find((r) => r.id === erasure.id)!
    expect(Object.keys(stored.body).sort()).toEqual(['household', 'reason'])
    expect(stored.authorId).toBe(liu.user.id)
    expect(JSON.stringify(stored)).not.toContain(NAME)
    expect(JSON.stringify(stored)).not.toContain(PHONE)
    // journalled for a restore, with no personal data either
    const line = readFileSync(journal, 'utf8')
    expect(line).toContain(erasure.id)
    expect(line).not.toContain(NAME)
  })

  it('a building leader may not erase (not_staff), and a re-sent original changes nothing back', async () => {
    const zhang = await login(env.app, PHONES.zhang)
    const refused = await push(env.app, zhang.token, [rec(zhang.user.id, 'household.erasure', { household: HH, reason: '居民申请删除' })])
    expect(refused.json<{ results: { status: string; code?: string }[] }>().results[0]).toMatchObject({ status: 'rejected', code: 'not_staff' })

    const profile = rec(zhang.user.id, 'household.profile', { household: HH, displayName: NAME, phone: PHONE })
    await push(env.app, zhang.token, [profile])
    const liu = await login(env.app, PHONES.liu)
    await push(env.app, liu.token, [rec(liu.user.id, 'household.erasure', { household: HH, reason: '已搬离' })])
    // a phone that never heard the answer sends the same profile again: a duplicate, still redacted
    const again = await push(env.app, zhang.token, [profile])
    expect(again.json<{ results: { status: string }[] }>().results[0]!.status).toBe('duplicate')
    expect(holdsPersonalData(await pull(zhang.token))).toBe(false)
  })

  it('a record made offline before the erasure and sent after it is stored redacted; one made after it is kept', async () => {
    const zhang = await login(env.app, PHONES.zhang)
    const liu = await login(env.app, PHONES.liu)
    env.clock.t = Date.parse('2026-05-01T10:00:00Z')
    await push(env.app, liu.token, [rec(liu.user.id, 'household.erasure', { household: HH, reason: '居民申请删除' })])
    env.clock.t = Date.parse('2026-05-01T12:00:00Z')
    // written at 09:30 on a phone without signal, sent at 12:00
    const late = visit(zhang.user.id, { clientTime: '2026-05-01T09:30:00.000Z', body: { household: HH, note: `${NAME}不在家` } })
    const lateProfile = rec(zhang.user.id, 'household.profile', { household: HH, displayName: NAME, phone: PHONE })
    // written at 11:00, after the erasure (a new resident)
    const after = rec(zhang.user.id, 'household.profile', { household: HH, displayName: '新住户赵阿姨' })
    after.clientTime = '2026-05-01T11:00:00.000Z'
    const res = await push(env.app, zhang.token, [late, lateProfile, after])
    expect(res.json<{ results: { status: string }[] }>().results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted'])
    const page = await pull(zhang.token)
    expect(holdsPersonalData(page)).toBe(false)
    expect(JSON.stringify(page.records)).toContain('新住户赵阿姨')
    // the phone sends its copy again: still a duplicate (the hash is of what it sent)
    expect((await push(env.app, zhang.token, [late])).json<{ results: { status: string }[] }>().results[0]!.status).toBe('duplicate')
  })

  it('the quarantine keeps no refused copy of the erased words', async () => {
    const zhang = await login(env.app, PHONES.zhang)
    // refused (a bad number), kept in quarantine as sent
    const refused = await push(env.app, zhang.token, [rec(zhang.user.id, 'household.profile', { household: HH, displayName: NAME, phone: '12345' })])
    expect(refused.json<{ results: { status: string }[] }>().results[0]!.status).toBe('rejected')
    const other = await push(env.app, zhang.token, [rec(zhang.user.id, 'household.profile', { household: '1-1-1', displayName: '李大爷', phone: '999' })])
    expect(other.json<{ results: { status: string }[] }>().results[0]!.status).toBe('rejected')
    expect(JSON.stringify(await env.storage.quarantine.list())).toContain(NAME)
    const liu = await login(env.app, PHONES.liu)
    await push(env.app, liu.token, [rec(liu.user.id, 'household.erasure', { household: HH, reason: '居民申请删除' })])
    const kept = JSON.stringify(await env.storage.quarantine.list())
    expect(kept).not.toContain(NAME)
    expect(kept).toContain('李大爷')
  })

  it('npm run admin -- household:erase does the same from the command line, and refuses a room not in the building', async () => {
    await householdWithData()
    const out: string[] = []
    const err: string[] = []
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }
    expect(await runAdmin(['household:erase', B01, '9-9-9', '--reason', '居民申请删除'], io, env.adminEnv)).toBe(1)
    expect(await runAdmin(['household:erase', B01, HH], io, env.adminEnv)).toBe(1)
    expect(await runAdmin(['household:erase', B01, HH, '--reason', '居民申请删除'], io, env.adminEnv)).toBe(0)
    expect(out.join('\n')).toContain('302')
    const wang = await login(env.app, PHONES.wang)
    const page = await pull(wang.token)
    expect(holdsPersonalData(page)).toBe(false)
    expect(page.records.some((r) => r.type === 'household.erasure' && r.authorId === 'admin-cli')).toBe(true)
    expect(readFileSync(journalPath(env.dir), 'utf8')).toContain('household.erasure')
  })

  // on a SQLite file whichever backend the suite runs (the PostgreSQL restore is pg_restore's, the re-apply the same)
  it('a restored SQLite backup taken before the erasure gets it again at start: its next pull shows no name or phone', async () => {
    if (BACKEND !== 'sqlite') {
      await env.close()
      env = await setup({ backend: 'sqlite' })
    }
    await householdWithData()
    const io = { out: () => {}, err: (l: string) => console.error(l) }
    const backup = join(tempDir(), 'before.db')
    expect(await runAdmin(['backup', backup], io, env.adminEnv)).toBe(0)
    expect(await runAdmin(['household:erase', B01, HH, '--reason', '居民申请删除'], io, env.adminEnv)).toBe(0)

    // restore: stop, put the backup in place of the database, start again
    const dir = env.dir
    await env.app.close()
    await env.storage.close()
    for (const f of [DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`]) if (existsSync(join(dir, f))) rmSync(join(dir, f))
    copyFileSync(backup, join(dir, DB_FILE))
    const restored = await setup({ dir })
    try {
      const wang = await login(restored.app, PHONES.wang)
      const before = await restored.app.inject({ url: '/api/v1/sync/pull?limit=2000', headers: bearer(wang.token) })
      expect(before.body).toContain(NAME) // the backup holds the data…
      // …until the start re-applies the journal (main.ts does this before it listens)
      expect(await reapplyErasures(restored.storage, journalPath(dir))).toEqual({ applied: 1, bad: 0 })
      const after = await restored.app.inject({ url: '/api/v1/sync/pull?limit=2000', headers: bearer(wang.token) })
      expect(after.body).not.toContain(NAME)
      expect(after.body).not.toContain(PHONE)
      expect(after.json<PullResponse>().records.some((r) => r.type === 'household.erasure')).toBe(true)
      // a second start finds it applied
      expect(await reapplyErasures(restored.storage, journalPath(dir))).toEqual({ applied: 0, bad: 0 })
    } finally {
      await restored.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('who reads profiles and care details', () => {
  it('street and district staff pull no household profile or care flag; the building leader, group leader and community staff do', async () => {
    await householdWithData()
    for (const phone of [PHONES.chen, PHONES.yang, PHONES.admin]) {
      const page = await pull((await login(env.app, phone)).token)
      expect(page.records.filter((r) => r.type === 'household.profile' || r.type === 'care.flag'), phone).toEqual([])
      // the cursor still passes them, and the rest of the log comes
      expect(page.records.some((r) => r.type === 'visit')).toBe(true)
      expect(page.role).toBeDefined()
    }
    for (const phone of [PHONES.zhang, PHONES.wang, PHONES.liu]) {
      const page = await pull((await login(env.app, phone)).token)
      expect(page.records.some((r) => r.type === 'household.profile') && page.records.some((r) => r.type === 'care.flag'), phone).toBe(true)
    }
  })
})

describe('consent to a sensitive care category', () => {
  it('refuses disabled or low income without consent, and a withdrawal that keeps the category', async () => {
    const zhang = await login(env.app, PHONES.zhang)
    const base = { household: HH, intervalDays: 14, active: true }
    const res = await push(env.app, zhang.token, [
      rec(zhang.user.id, 'care.flag', { ...base, kind: 'low_income' }),
      rec(zhang.user.id, 'care.flag', { ...base, kind: 'alone_elderly' }),
      rec(zhang.user.id, 'care.flag', { ...base, kind: 'disabled', consent: { how: 'oral', by: 'family', at: '2026-05-01T09:00:00.000Z' } }),
      rec(zhang.user.id, 'care.flag', { ...base, kind: 'disabled', consentWithdrawn: true }),
      rec(zhang.user.id, 'care.flag', { ...base, kind: 'other', consentWithdrawn: true }),
    ])
    expect(res.json<{ results: { status: string; code?: string }[] }>().results.map((r) => r.code ?? r.status)).toEqual([
      'consent_required', 'accepted', 'accepted', 'bad_value', 'accepted',
    ])
  })
})
