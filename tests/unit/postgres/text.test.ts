/**
 * What PostgreSQL's text cannot hold (U+0000) and where the portable subset shows:
 * refused or matched against nothing, never a 500, and nothing else lost.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bearer, login, PHONES, push, setup, visit, type TestEnv } from '../server/helpers'
import type { PushResult } from '../../../src/shared/protocol'

let env: TestEnv
beforeEach(async () => {
  env = await setup({ backend: 'postgres' })
})
afterEach(async () => {
  await env.close()
})

describe('PostgreSQL: NUL and empty strings', () => {
  it('a NUL in an envelope field is refused as bad_value and quarantined; the rest of the batch and NUL in a note are stored', async () => {
    const zhang = await login(env.app, PHONES.zhang)
    const bad = visit(zhang.user.id, { deviceId: 'dev\u0000x' })
    const good = visit(zhang.user.id, { body: { note: '带\u0000空字符的备注 😀' } })
    const res = await push(env.app, zhang.token, [bad, good])
    expect(res.statusCode, res.body).toBe(200)
    const [r1, r2] = res.json<{ results: PushResult[] }>().results
    expect(r1).toMatchObject({ id: bad.id, status: 'rejected', code: 'bad_value', path: 'deviceId' })
    expect(r2).toMatchObject({ id: good.id, status: 'accepted' })
    expect((await env.storage.records.getById(good.id))!.body).toEqual(good.body)
    const q = await env.storage.quarantine.list()
    expect(q).toHaveLength(1)
    expect(JSON.parse(q[0]!.raw)).toEqual(bad)
  })

  it('a NUL in a phone, token or record id finds nothing instead of failing', async () => {
    const res = await env.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { phone: '1380000\u00000001', password: 'demo-1234' } })
    expect(res.statusCode).toBe(401)
    expect(await env.storage.records.getById('a\u0000b')).toBeNull()
    expect((await env.storage.records.existing(['a\u0000b'])).size).toBe(0)
    const zhang = await login(env.app, PHONES.zhang)
    const pulled = await env.app.inject({ url: '/api/v1/sync/pull', headers: bearer(zhang.token) })
    expect(pulled.statusCode).toBe(200)
  })

  it('the quarantine keeps "whole record" (path \'\') as NULL and gives it back as \'\'', async () => {
    const zhang = await login(env.app, PHONES.zhang)
    const r = visit(zhang.user.id)
    await push(env.app, zhang.token, [r])
    await push(env.app, zhang.token, [{ ...r, body: { ...r.body, note: '改过' } }])
    expect(await env.sql("SELECT path FROM quarantine WHERE code = 'conflict'")).toEqual([{ path: null }])
    expect((await env.storage.quarantine.list())[0]!.path).toBe('')
  })
})
