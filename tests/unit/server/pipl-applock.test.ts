import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bearer, login, PHONES, setup, type TestEnv } from './helpers'
import { IDLE_MINUTES_DEFAULT, type AppLockResponse } from '../../../src/shared/appLock'

let env: TestEnv
beforeEach(async () => {
  env = await setup()
})
afterEach(async () => {
  await env.close()
})

const policyOf = async (token: string) => {
  const res = await env.app.inject({ url: '/api/v1/app-lock', headers: bearer(token) })
  expect(res.statusCode, res.body).toBe(200)
  return res.json<AppLockResponse>().policy
}
const setPolicy = (token: string, community: string, required: boolean, idleMinutes: number) =>
  env.app.inject({ method: 'POST', url: '/api/v1/app-lock', headers: bearer(token), payload: { community, required, idleMinutes } })

describe('app lock policy per community', () => {
  it('community staff require a PIN for their community; every device in it reads the policy, others keep the defaults', async () => {
    const liu = await login(env.app, PHONES.liu)
    const zhang = await login(env.app, PHONES.zhang)
    const li = await login(env.app, PHONES.li)
    expect(await policyOf(zhang.token)).toEqual({ required: false, idleMinutes: IDLE_MINUTES_DEFAULT })

    expect((await setPolicy(liu.token, 'pl/tuodong/mingtongxiang', true, 3)).statusCode).toBe(200)
    for (const phone of [PHONES.zhang, PHONES.wang, PHONES.liu]) expect(await policyOf((await login(env.app, phone)).token), phone).toEqual({ required: true, idleMinutes: 3 })
    // another community, and staff above communities: the defaults
    expect(await policyOf(li.token)).toEqual({ required: false, idleMinutes: IDLE_MINUTES_DEFAULT })
    expect(await policyOf((await login(env.app, PHONES.chen)).token)).toEqual({ required: false, idleMinutes: IDLE_MINUTES_DEFAULT })

    // only that community's staff set it, within bounds
    expect((await setPolicy(zhang.token, 'pl/tuodong/mingtongxiang', false, 5)).statusCode).toBe(403)
    expect((await setPolicy(liu.token, 'pl/tuodong/zhuangyuanlou', true, 5)).statusCode).toBe(403)
    expect((await setPolicy(liu.token, 'pl/tuodong/mingtongxiang', true, 0)).statusCode).toBe(400)
    expect((await setPolicy(liu.token, 'pl/tuodong/mingtongxiang', false, 10)).statusCode).toBe(200)
    expect(await policyOf(zhang.token)).toEqual({ required: false, idleMinutes: 10 })
  })
})
