/**
 * The password rule (src/shared/password.ts) and its parity: the same cases give the
 * same answer through the app's form check, the server's own-password route, the
 * admin CLI and the import, so no path can set a password another one refuses.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COMMON_PASSWORDS } from '../../../src/shared/commonPasswords'
import { message } from '../../../src/shared/messages'
import { isCommonPassword, PASSWORD_MIN, passwordProblem, type PasswordProblem } from '../../../src/shared/password'
import { runAdmin } from '../../../src/server/admin'
import { bearer, login, PHONES, setup, type TestEnv } from '../server/helpers'

const PHONE = PHONES.wang

/** [password, the problem with it for the account of PHONE] */
const CASES: [string, PasswordProblem | null][] = [
  ['', 'password_short'],
  ['abc1234', 'password_short'],
  ['七个中文字符啊', 'password_short'],
  ['八个中文字符好了', null],
  ['x'.repeat(201), 'password_long'],
  ['x'.repeat(200), null],
  [PHONE, 'password_phone'],
  [`+86${PHONE}`, 'password_phone'],
  [`${PHONE}ab`, 'password_phone'],
  [[...PHONE].map((d) => String.fromCharCode(0xff10 + Number(d))).join(''), 'password_phone'], // full-width digits
  ['13800000003', null], // someone else's number is just digits
  ['123456789', 'password_common'],
  ['88888888', 'password_common'],
  ['5201314520', 'password_common'],
  ['woaini1314', 'password_common'],
  ['PASSWORD1', 'password_common'],
  ['  password123  ', 'password_common'],
  ['qwertyuiop', 'password_common'],
  ['lao-wang-302', null],
  ['demo-1234', null],
]

describe('the password rule', () => {
  it.each(CASES)('%j → %s', (password, problem) => {
    expect(passwordProblem(password, PHONE)).toBe(problem)
  })

  it('ships about a thousand common passwords, lower case, with the Chinese-typical numeric ones', () => {
    expect(COMMON_PASSWORDS.length).toBeGreaterThanOrEqual(1000)
    for (const p of ['123456', '88888888', '5201314', '1314520', '66666666', '11111111', '12345678', 'iloveyou', 'a123456789']) expect(isCommonPassword(p), p).toBe(true)
    expect(COMMON_PASSWORDS.every((p) => p === p.toLowerCase() && p.trim() === p && p.length > 0)).toBe(true)
  })

  it('every problem has words in both languages naming the figure the rule uses', () => {
    expect(message('password_short', 'zh-CN')).toContain(String(PASSWORD_MIN))
    expect(message('password_short', 'en')).toContain(String(PASSWORD_MIN))
    for (const code of ['password_long', 'password_phone', 'password_common'] as const) {
      expect(message(code, 'zh-CN')).toMatch(/[\u4e00-\u9fff]/)
      expect(message(code, 'en')).toMatch(/^[ -~]+$/)
    }
  })
})

describe('every path that sets a password applies the same rule', () => {
  let env: TestEnv
  beforeAll(async () => {
    env = await setup()
  })
  afterAll(async () => {
    await env.close()
  })

  // the server route (one's own change), the admin CLI (user:password) and the import: each
  // accepts exactly the cases the shared rule accepts, and names the same problem
  it.each(CASES.filter(([p]) => p.length <= 201))('%j', async (password, problem) => {
    const wang = await login(env.app, PHONE, 'demo-1234')
    const route = await env.app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: bearer(wang.token), payload: { current: 'demo-1234', next: password } })
    expect(route.statusCode === 200 ? null : route.json().error.code).toBe(problem)

    const errors: string[] = []
    const io = { out: () => {}, err: (l: string) => errors.push(l) }
    // back to the known password for the next path (and the next case)
    const reset = () => runAdmin(['user:password', '--phone', PHONE, '--password', 'demo-1234'], io, env.adminEnv)
    expect(await reset()).toBe(0)

    if (password.trim() !== '') {
      const cli = await runAdmin(['user:password', '--phone', PHONE, '--password', password], io, env.adminEnv)
      expect(cli === 0 ? null : errors.pop()).toEqual(problem === null ? null : expect.stringContaining(message(problem, 'zh-CN')))
      expect(await reset()).toBe(0)
    }

    const file = join(env.dir, 'case.json')
    writeFileSync(file, JSON.stringify({ nodes: [], users: [{ phone: PHONE, name: '王志强', role: 'group_leader', scopes: ['pl/tuodong/mingtongxiang/g01'], password }] }))
    const imported = await runAdmin(['import', file, '--demo'], io, env.adminEnv)
    expect(imported === 0 ? null : errors.pop()).toEqual(problem === null ? null : expect.stringContaining(message(problem, 'en')))
    expect(await reset()).toBe(0)
  })
})
