/**
 * Test helpers: a fresh SQLite file in a temp dir, the demo district, an app to
 * `inject()` into, and record builders.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp, type AppOptions } from '../../../src/server/app'
import { hashPassword } from '../../../src/server/auth'
import { openDatabase, type Db } from '../../../src/server/db'
import { DEMO_PASSWORD, seedDemo } from '../../../src/server/demo'
import { createSqliteStorage, type Storage } from '../../../src/server/storage'
import { uuidv7 } from '../../../src/shared/ids'
import type { LocalRecord } from '../../../src/shared/records'
import type { LoginResponse } from '../../../src/shared/protocol'

export const PHONES = {
  zhang: '13800000001', // building leader, mingtongxiang g01 b01+b02
  li: '13800000011', // building leader, zhuangyuanlou g01 b01
  wang: '13800000002', // group leader, mingtongxiang g01
  liu: '13800000003', // community staff, mingtongxiang
  chen: '13800000004', // street staff, tuodong
  yang: '13800000005', // district staff
  admin: '13800000000',
} as const

export const B01 = 'pl/tuodong/mingtongxiang/g01/b01' // 2 units × 6 floors × 2 rooms
export const B02 = 'pl/tuodong/mingtongxiang/g01/b02'
export const ZYL_B01 = 'pl/tuodong/zhuangyuanlou/g01/b01'

let demoHash: Promise<string> | undefined
/** One scrypt hash of the demo password, shared by every test in the file. */
export function demoPasswordHash(): Promise<string> {
  demoHash ??= hashPassword(DEMO_PASSWORD)
  return demoHash
}

export interface TestEnv {
  app: FastifyInstance
  db: Db
  storage: Storage
  dir: string
  /** the app's clock; move it with `clock.t += …` */
  clock: { t: number }
  close: () => Promise<void>
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'loudong-test-'))
}

export async function setup(opts: Partial<Omit<AppOptions, 'db' | 'now'>> & { seed?: boolean; dir?: string } = {}): Promise<TestEnv> {
  const dir = opts.dir ?? tempDir()
  const db = openDatabase(dir)
  const storage = createSqliteStorage(db)
  if (opts.seed !== false && storage.org.count() === 0) await seedDemo(storage, { passwordHash: await demoPasswordHash() })
  const clock = { t: Date.parse('2026-05-01T10:00:00Z') }
  const { seed: _seed, dir: _dir, ...appOpts } = opts
  const app = await buildApp({ db, now: () => clock.t, ...appOpts })
  return {
    app,
    db,
    storage,
    dir,
    clock,
    close: async () => {
      await app.close()
      db.close()
      if (!opts.dir) rmSync(dir, { recursive: true, force: true })
    },
  }
}

export async function login(app: FastifyInstance, phone: string, password = DEMO_PASSWORD): Promise<LoginResponse> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { phone, password } })
  if (res.statusCode !== 200) throw new Error(`login ${phone} failed: ${res.statusCode} ${res.body}`)
  return res.json<LoginResponse>()
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

export function visit(authorId: string, over: Omit<Partial<LocalRecord<'visit'>>, 'body'> & { body?: Partial<LocalRecord<'visit'>['body']> } = {}): LocalRecord<'visit'> {
  const { body, ...rest } = over
  return {
    id: uuidv7(),
    type: 'visit',
    v: 1,
    orgPath: B01,
    authorId,
    deviceId: 'dev-test-1',
    clientTime: '2026-05-01T09:30:00.000Z',
    ...rest,
    body: {
      household: '1-3-2',
      outcome: 'met',
      purposes: ['care'],
      note: '王奶奶身体还好,提醒按时吃药',
      visitedAt: '2026-05-01T09:20:00.000Z',
      ...body,
    },
  }
}

export function voidOf(authorId: string, target: string, orgPath = B01): LocalRecord<'void'> {
  return {
    id: uuidv7(),
    type: 'void',
    v: 1,
    orgPath,
    authorId,
    deviceId: 'dev-test-1',
    clientTime: '2026-05-01T09:40:00.000Z',
    body: { target, reason: '记错了户' },
  }
}

export function correctionOf(authorId: string, target: string, orgPath = B01): LocalRecord<'correction'> {
  return {
    id: uuidv7(),
    type: 'correction',
    v: 1,
    orgPath,
    authorId,
    deviceId: 'dev-test-1',
    clientTime: '2026-05-01T09:45:00.000Z',
    body: { target, targetType: 'visit', fields: { note: '改正:王奶奶血压偏高' } },
  } as LocalRecord<'correction'>
}

export async function push(app: FastifyInstance, token: string, records: unknown[], headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/api/v1/sync/push', headers: { ...bearer(token), ...headers }, payload: { records } })
}
