/**
 * Test helpers: a fresh database (a SQLite file in a temp dir, or with
 * LOUDONG_TEST_BACKEND=postgres an empty schema in the test cluster), the demo
 * district, an app to `inject()` into, and record builders.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import pg from 'pg'
import { inject } from 'vitest'
import { buildApp, type AppOptions } from '../../../src/server/app'
import { hashPassword } from '../../../src/server/auth'
import { openDatabase } from '../../../src/server/db'
import { DEMO_PASSWORD, seedDemo } from '../../../src/server/demo'
import { createSqliteStorage, type Storage } from '../../../src/server/storage'
import { openPostgres } from '../../../src/server/postgres/db'
import { createPostgresStorage } from '../../../src/server/postgres/storage'
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

/** The backend this run of the server suite uses (npm test runs it once with each). */
export const BACKEND: 'sqlite' | 'postgres' = process.env.LOUDONG_TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite'

/** The test cluster's URL; fails with how to install PostgreSQL when there is none. */
export function pgBaseUrl(): string {
  const url = inject('pgUrl')
  if (!url) throw new Error(inject('pgProblem') || 'no PostgreSQL for the tests')
  return url
}

let adminPool: pg.Pool | undefined
/**
 * A new empty schema in the test cluster, so tests running at once never meet:
 * `url` makes every connection use it (search_path), `drop()` removes it.
 */
export async function freshPgSchema(): Promise<{ url: string; schema: string; drop: () => Promise<void> }> {
  const base = pgBaseUrl()
  adminPool ??= new pg.Pool({ connectionString: base, max: 2, idleTimeoutMillis: 1000, allowExitOnIdle: true })
  const schema = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`
  await adminPool.query(`CREATE SCHEMA ${schema}`)
  const url = `${base}${base.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`
  return { url, schema, drop: async () => void (await adminPool!.query(`DROP SCHEMA ${schema} CASCADE`)) }
}

export interface TestEnv {
  app: FastifyInstance
  storage: Storage
  /** runs one parameterless SQL statement on the test database (either backend); BIGINTs come back as numbers */
  sql: <T = Record<string, unknown>>(query: string) => Promise<T[]>
  /** DATABASE_URL of this env on PostgreSQL (for the admin CLI and child processes), undefined on SQLite */
  databaseUrl: string | undefined
  /** a temp dir of this env (the SQLite file is here) */
  dir: string
  /** what `runAdmin` needs to open this env's database */
  adminEnv: { dataDir: string; databaseUrl?: string }
  /** the app's clock; move it with `clock.t += …` */
  clock: { t: number }
  close: () => Promise<void>
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'loudong-test-'))
}

/**
 * A fresh app over a fresh database of BACKEND. `dir` (SQLite) or `databaseUrl`
 * (PostgreSQL) opens an existing one instead, as a restart would.
 */
export async function setup(opts: Partial<Omit<AppOptions, 'storage' | 'now'>> & { seed?: boolean; dir?: string; databaseUrl?: string; backend?: 'sqlite' | 'postgres' } = {}): Promise<TestEnv> {
  const dir = opts.dir ?? tempDir()
  let storage: Storage
  let sql: TestEnv['sql']
  let databaseUrl: string | undefined
  let dropSchema = async () => {}
  if ((opts.backend ?? BACKEND) === 'postgres' && !opts.dir) {
    const fresh = opts.databaseUrl ? null : await freshPgSchema()
    databaseUrl = opts.databaseUrl ?? fresh!.url
    const pool = await openPostgres(databaseUrl, { poolSize: 4 })
    storage = createPostgresStorage(pool)
    sql = async <T>(query: string) => {
      // several statements in one string run on one connection and answer an array
      const result = (await pool.query(query)) as pg.QueryResult | pg.QueryResult[]
      return (Array.isArray(result) ? result.flatMap((r) => r.rows) : result.rows) as T[]
    }
    if (fresh) dropSchema = fresh.drop
  } else {
    const db = openDatabase(dir)
    storage = createSqliteStorage(db)
    sql = async <T>(query: string) => {
      const statement = db.prepare(query)
      if (statement.reader) return statement.all() as T[]
      statement.run()
      return []
    }
  }
  if (opts.seed !== false && (await storage.org.count()) === 0) await seedDemo(storage, { passwordHash: await demoPasswordHash() })
  const clock = { t: Date.parse('2026-05-01T10:00:00Z') }
  const { seed: _seed, dir: _dir, databaseUrl: _url, backend: _backend, ...appOpts } = opts
  const app = await buildApp({ storage, now: () => clock.t, ...appOpts })
  return {
    app,
    storage,
    sql,
    databaseUrl,
    dir,
    adminEnv: { dataDir: dir, ...(databaseUrl ? { databaseUrl } : {}) },
    clock,
    close: async () => {
      await app.close()
      await storage.close()
      await dropSchema()
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
