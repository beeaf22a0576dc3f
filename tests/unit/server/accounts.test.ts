/**
 * Accounts managed in the app: /api/v1/accounts with the scope and role rule enforced
 * on the server, one-time codes that must be changed, one's own password change and
 * "sign out my other devices", every action in the audit trail; and the command line
 * and the import following the same password rule and revoking sessions.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bearer, login, PHONES, setup, type TestEnv } from './helpers'
import { runAdmin } from '../../../src/server/admin'
import type { AccountAnswer, AccountList } from '../../../src/shared/accounts'
import type { AuditAction } from '../../../src/shared/audit'

let env: TestEnv
beforeEach(async () => {
  env = await setup()
})
afterEach(async () => {
  await env.close()
})

const MTX = 'pl/tuodong/mingtongxiang'
const ZYL = 'pl/tuodong/zhuangyuanlou'

const call = (token: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
  env.app.inject({ method, url, headers: bearer(token), ...(payload !== undefined ? { payload: payload as object } : {}) })

const loginReq = (phone: string, password: string) => env.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { phone, password } })

async function auditActions(scopes = ['pl']): Promise<{ action: AuditAction; actorId: string | null; target: string | null; scope: string }[]> {
  return (await env.storage.audit.read({ scopes, limit: 100 })).reverse()
}

describe('accounts in the app', () => {
  it('community staff add a building leader with a one-time code; the leader must choose a password before anything else', async () => {
    const liu = await login(env.app, PHONES.liu)
    const res = await call(liu.token, 'POST', '/api/v1/accounts', { phone: '13900000101', name: '钱芳', role: 'building_leader', scopes: [`${MTX}/g02/b01`] })
    expect(res.statusCode).toBe(200)
    const { account, code } = res.json<AccountAnswer>()
    expect(account).toMatchObject({ phone: '13900000101', name: '钱芳', role: 'building_leader', scopes: [`${MTX}/g02/b01`], disabled: false, mustChangePassword: true })
    expect(code).toMatch(/^\d{8}$/)
    expect(JSON.stringify(await env.sql('SELECT * FROM users'))).not.toContain(code)

    const qian = (await loginReq('13900000101', code!)).json()
    expect(qian.user.mustChangePassword).toBe(true)
    // the code opens nothing but the change of password
    const blocked = await call(qian.token, 'GET', '/api/v1/sync/pull')
    expect(blocked.statusCode).toBe(403)
    expect(blocked.json().error.code).toBe('password_change_required')
    expect((await call(qian.token, 'GET', '/api/v1/me')).statusCode).toBe(200)
    // the shared rule: not the phone, not a common password
    expect((await call(qian.token, 'POST', '/api/v1/auth/password', { next: '13900000101' })).json().error.code).toBe('password_phone')
    expect((await call(qian.token, 'POST', '/api/v1/auth/password', { next: '88888888' })).json().error.code).toBe('password_common')
    expect((await call(qian.token, 'POST', '/api/v1/auth/password', { next: 'short' })).json().error.code).toBe('password_short')
    const changed = await call(qian.token, 'POST', '/api/v1/auth/password', { next: 'qian-fang-2b01' })
    expect(changed.statusCode).toBe(200)
    expect(changed.json().user.mustChangePassword).toBeUndefined()
    expect((await call(qian.token, 'GET', '/api/v1/sync/pull')).statusCode).toBe(200)
    expect((await loginReq('13900000101', code!)).statusCode).toBe(401)
    expect((await loginReq('13900000101', 'qian-fang-2b01')).statusCode).toBe(200)

    const trail = await auditActions()
    expect(trail.map((e) => [e.action, e.actorId, e.target])).toEqual([
      ['account.add', liu.user.id, account.id],
      ['account.password_changed', account.id, account.id],
    ])
    expect(trail[0]!.scope).toBe(`${MTX}/g02/b01`)
  })

  it('lists only the accounts the caller may manage: their community\'s leaders, not themselves, not other communities', async () => {
    const liu = await login(env.app, PHONES.liu)
    const list = (await call(liu.token, 'GET', '/api/v1/accounts')).json<AccountList>()
    expect(list.accounts.map((a) => a.phone).sort()).toEqual([PHONES.zhang, PHONES.wang].sort())
    // the street's staff also see (and manage) the communities' staff
    const chen = await login(env.app, PHONES.chen)
    const street = (await call(chen.token, 'GET', '/api/v1/accounts')).json<AccountList>()
    expect(street.accounts.map((a) => a.phone)).toEqual(expect.arrayContaining([PHONES.zhang, PHONES.li, PHONES.wang, PHONES.liu]))
    expect(street.accounts.map((a) => a.phone)).not.toContain(PHONES.chen)
    // a leader manages nobody
    const zhang = await login(env.app, PHONES.zhang)
    expect((await call(zhang.token, 'GET', '/api/v1/accounts')).statusCode).toBe(403)
  })

  it('refuses, on the server, what is outside the caller\'s scope or at or above their level', async () => {
    const liu = await login(env.app, PHONES.liu)
    const liId = (await env.storage.users.byPhone(PHONES.li))!.id
    const add = (body: object) => call(liu.token, 'POST', '/api/v1/accounts', { phone: '13900000102', name: '孙强', ...body })
    // another community's building
    expect((await add({ role: 'building_leader', scopes: [`${ZYL}/g01/b02`] })).json().error.code).toBe('scope_not_allowed')
    // staff at their own level, or above
    expect((await add({ role: 'community_staff', scopes: [MTX] })).json().error.code).toBe('role_not_allowed')
    expect((await add({ role: 'street_staff', scopes: ['pl/tuodong'] })).json().error.code).toBe('role_not_allowed')
    // a scope that does not fit the role (a group leader takes a group)
    expect((await add({ role: 'group_leader', scopes: [`${MTX}/g01/b01`] })).json().error.code).toBe('scope_not_allowed')
    // another community's leader cannot be touched at all
    for (const [method, url, payload] of [
      ['PATCH', `/api/v1/accounts/${liId}`, { name: '改名' }],
      ['POST', `/api/v1/accounts/${liId}/disable`, undefined],
      ['POST', `/api/v1/accounts/${liId}/reset`, undefined],
    ] as const) {
      const res = await call(liu.token, method, url, payload)
      expect(res.statusCode, url).toBe(404)
    }
    // nor raised to staff, nor moved out of the community
    const zhangId = (await env.storage.users.byPhone(PHONES.zhang))!.id
    expect((await call(liu.token, 'PATCH', `/api/v1/accounts/${zhangId}`, { role: 'community_staff', scopes: [MTX] })).json().error.code).toBe('role_not_allowed')
    expect((await call(liu.token, 'PATCH', `/api/v1/accounts/${zhangId}`, { scopes: [`${ZYL}/g01/b02`] })).json().error.code).toBe('scope_not_allowed')
    // one's own account only through the own-password route
    expect((await call(liu.token, 'POST', `/api/v1/accounts/${liu.user.id}/reset`)).json().error.code).toBe('cannot_manage_self')
    // an existing phone is not a new account
    expect((await call(liu.token, 'POST', '/api/v1/accounts', { phone: PHONES.li, name: '李', role: 'building_leader', scopes: [`${MTX}/g01/b01`] })).statusCode).toBe(409)
    expect(await env.storage.users.byPhone('13900000102')).toBeNull()
    expect((await env.storage.users.byPhone(PHONES.li))!.name).toBe('李建华')
    expect(await auditActions()).toEqual([])
  })

  it('edits buildings and role within the community; disables (sessions end, device told) and enables again', async () => {
    const liu = await login(env.app, PHONES.liu)
    const zhang = await login(env.app, PHONES.zhang)
    const zhangId = zhang.user.id
    const edit = await call(liu.token, 'PATCH', `/api/v1/accounts/${zhangId}`, { scopes: [`${MTX}/g01/b01`, `${MTX}/g02/b01`] })
    expect(edit.statusCode).toBe(200)
    expect(edit.json<AccountAnswer>().account.scopes).toEqual([`${MTX}/g01/b01`, `${MTX}/g02/b01`])
    // the leader's next request sees the new scope
    expect((await call(zhang.token, 'GET', '/api/v1/me')).json().user.scopes).toEqual([`${MTX}/g01/b01`, `${MTX}/g02/b01`])
    expect((await call(liu.token, 'PATCH', `/api/v1/accounts/${zhangId}`, { role: 'group_leader', scopes: [`${MTX}/g02`] })).statusCode).toBe(200)

    expect((await call(liu.token, 'POST', `/api/v1/accounts/${zhangId}/disable`)).json<AccountAnswer>().account.disabled).toBe(true)
    const after = await call(zhang.token, 'GET', '/api/v1/me')
    expect(after.statusCode).toBe(403)
    expect(after.json().error.code).toBe('account_disabled')
    expect((await loginReq(PHONES.zhang, 'demo-1234')).statusCode).toBe(403)
    expect((await call(liu.token, 'GET', '/api/v1/accounts')).json<AccountList>().accounts.find((a) => a.id === zhangId)?.disabled).toBe(true)
    expect((await call(liu.token, 'POST', `/api/v1/accounts/${zhangId}/enable`)).statusCode).toBe(200)
    expect((await loginReq(PHONES.zhang, 'demo-1234')).statusCode).toBe(200)

    expect((await auditActions()).map((e) => e.action)).toEqual([
      // each edit is filed where the account was and where it is now (two entries when those differ)
      'account.edit', 'account.edit', 'account.edit', 'account.edit', 'account.disable', 'account.enable',
    ])
  })

  it('resets a forgotten password to a one-time code: every old session ends and the old password no longer works', async () => {
    const liu = await login(env.app, PHONES.liu)
    const wang = await login(env.app, PHONES.wang)
    const wangId = wang.user.id
    const res = await call(liu.token, 'POST', `/api/v1/accounts/${wangId}/reset`)
    const { code, account } = res.json<AccountAnswer>()
    expect(account.mustChangePassword).toBe(true)
    expect((await call(wang.token, 'GET', '/api/v1/me')).statusCode).toBe(401)
    expect((await loginReq(PHONES.wang, 'demo-1234')).statusCode).toBe(401)
    expect((await loginReq(PHONES.wang, code!)).json().user.mustChangePassword).toBe(true)
    const [entry] = await auditActions()
    expect(entry).toMatchObject({ action: 'account.reset_password', actorId: liu.user.id, target: wangId, scope: `${MTX}/g01` })
  })
})

describe('one\'s own password and devices', () => {
  it('a change needs the current password, follows the rule, and ends every other session but this one', async () => {
    const phone = await login(env.app, PHONES.zhang)
    const tablet = await login(env.app, PHONES.zhang)
    const pw = (body: object) => call(phone.token, 'POST', '/api/v1/auth/password', body)
    expect((await pw({ current: 'wrong-one', next: 'zhang-xiuying-7' })).json().error.code).toBe('wrong_current_password')
    expect((await pw({ next: 'zhang-xiuying-7' })).json().error.code).toBe('wrong_current_password')
    expect((await pw({ current: 'demo-1234', next: '5201314520' })).json().error.code).toBe('password_common')
    const ok = await pw({ current: 'demo-1234', next: 'zhang-xiuying-7' })
    expect(ok.statusCode).toBe(200)
    expect((await call(phone.token, 'GET', '/api/v1/me')).statusCode).toBe(200)
    expect((await call(tablet.token, 'GET', '/api/v1/me')).statusCode).toBe(401)
    expect((await auditActions()).map((e) => e.action)).toEqual(['account.password_changed'])
  })

  it('"sign out my other devices" ends every other session of the person, and says how many', async () => {
    const a = await login(env.app, PHONES.wang)
    const b = await login(env.app, PHONES.wang)
    const c = await login(env.app, PHONES.wang)
    const other = await login(env.app, PHONES.zhang)
    const res = await call(a.token, 'POST', '/api/v1/auth/logout-others')
    expect(res.json()).toEqual({ revoked: 2 })
    expect((await call(a.token, 'GET', '/api/v1/me')).statusCode).toBe(200)
    for (const t of [b.token, c.token]) expect((await call(t, 'GET', '/api/v1/me')).statusCode).toBe(401)
    expect((await call(other.token, 'GET', '/api/v1/me')).statusCode).toBe(200)
    expect(await auditActions()).toMatchObject([{ action: 'account.signed_out_all', actorId: a.user.id, target: a.user.id }])
  })
})

describe('the command line and the import follow the same rules', () => {
  const run = (...argv: string[]) => runAdmin(argv, { out: () => {}, err: (l) => errors.push(l) }, env.adminEnv)
  let errors: string[] = []
  beforeEach(() => {
    errors = []
  })

  it('user:add into the demo database is refused like a real import; --demo adds anyway', async () => {
    const args = ['user:add', '--phone', '13900000201', '--name', '周红', '--role', 'building_leader', '--scope', `${MTX}/g02/b01`, '--password', 'zhou-hong-2026']
    expect(await run(...args)).toBe(1)
    expect(errors.join('\n')).toMatch(/演示数据库[^]*NODE_ENV=production/)
    expect(await env.storage.users.byPhone('13900000201')).toBeNull()
    expect(await run(...args, '--demo')).toBe(0)
    expect(await env.storage.users.byPhone('13900000201')).not.toBeNull()
    expect((await auditActions()).map((e) => [e.action, e.actorId])).toEqual([['account.add', null]])
  })

  it('user:add, user:password and import refuse a common password or the phone number', async () => {
    expect(await run('user:add', '--demo', '--phone', '13900000202', '--name', '吴', '--role', 'building_leader', '--scope', `${MTX}/g02/b01`, '--password', '12345678')).toBe(1)
    expect(errors.join('\n')).toContain('这个密码太常见')
    expect(await run('user:password', '--phone', PHONES.wang, '--password', PHONES.wang)).toBe(1)
    expect(errors.join('\n')).toContain('密码不能用手机号')
    const file = join(env.dir, 'u.csv')
    writeFileSync(file, `phone,name,role,scopes,password\n13900000203,郑,building_leader,${MTX}/g02/b01,88888888\n`)
    expect(await run('import', file, '--demo')).toBe(1)
    expect(errors.join('\n')).toContain('This password is too common')
    expect(await env.storage.users.byPhone('13900000202')).toBeNull()
    expect(await env.storage.users.byPhone('13900000203')).toBeNull()
  })

  it('a password changed by the import ends the person\'s sessions; the same password again changes nothing', async () => {
    const wang = await login(env.app, PHONES.wang)
    const same = join(env.dir, 'same.csv')
    writeFileSync(same, `phone,name,role,scopes,password\n${PHONES.wang},王志强,group_leader,${MTX}/g01,demo-1234\n`)
    expect(await run('import', same, '--demo')).toBe(0)
    expect((await call(wang.token, 'GET', '/api/v1/me')).statusCode).toBe(200)
    const changed = join(env.dir, 'changed.csv')
    writeFileSync(changed, `phone,name,role,scopes,password\n${PHONES.wang},王志强,group_leader,${MTX}/g01,wang-zhiqiang-9\n`)
    expect(await run('import', changed, '--demo')).toBe(0)
    expect((await call(wang.token, 'GET', '/api/v1/me')).statusCode).toBe(401)
    expect((await auditActions()).map((e) => [e.action, e.target])).toEqual([['account.password_changed', wang.user.id]])
  })

  it('user:password --once sets a one-time code the person must change', async () => {
    expect(await run('user:password', '--phone', PHONES.wang, '--password', 'once-code-731', '--once')).toBe(0)
    expect((await loginReq(PHONES.wang, 'once-code-731')).json().user.mustChangePassword).toBe(true)
    expect((await auditActions()).map((e) => e.action)).toEqual(['account.reset_password'])
  })
})
