/**
 * PostgreSQL: the connection pool selected by DATABASE_URL=postgres://…, and the
 * numbered migrations in `../migrations/postgres/`, each applied in one transaction
 * under an advisory lock (two processes starting at once apply it once) and recorded
 * with its checksum in `schema_migrations`, like SQLite's (../db.ts).
 */
import pg from 'pg'
import { join } from 'node:path'
import { checkApplied, loadMigrations, migrationChecksum, migrationFailed, MIGRATIONS_ROOT, StartupError, type Migration } from '../db'

export type Pool = pg.Pool
export type PoolClient = pg.PoolClient

const MIGRATIONS_DIR = join(MIGRATIONS_ROOT, 'postgres')

/** Advisory lock keys (any bigint; these spell "ldmig" and "ldapp"). */
export const MIGRATE_LOCK = 0x6c646d6967
export const APPEND_LOCK = 0x6c64617070

/** Connections per server process unless DATABASE_POOL says otherwise. */
export const DEFAULT_POOL_SIZE = 10

/** True for a DATABASE_URL naming PostgreSQL. */
export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//i.test(url)
}

const INT8_OID = 20
/** BIGINT columns (seq, epoch ms, counts) arrive as numbers: they stay far below 2^53. */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
}

export function postgresMigrations(): Migration[] {
  return loadMigrations(MIGRATIONS_DIR)
}

/** The URL with any password hidden, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@')
}

/** Turns a connection or migration error into a one-line bilingual StartupError. */
export function describePostgresError(err: unknown, url: string): StartupError {
  if (err instanceof StartupError) return err
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : ''
  const where = redactUrl(url)
  if (code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'ENOTFOUND' || code === 'ETIMEDOUT') {
    return new StartupError(`无法连接数据库 ${where}(服务器未运行或地址有误)`, `Cannot reach the database at ${where} (server not running or wrong address)`)
  }
  if (code === '28P01' || code === '28000') return new StartupError(`数据库 ${where} 拒绝登录(用户名或密码错误)`, `The database at ${where} refused the login (wrong user or password)`)
  if (code === '3D000') return new StartupError(`数据库 ${where} 不存在,请先创建(见 README)`, `The database ${where} does not exist; create it first (see the README)`)
  if (code === '42501') return new StartupError(`数据库用户没有建表权限 ${where}`, `The database user may not create tables in ${where}`)
  const detail = err instanceof Error ? err.message.split('\n')[0] : String(err)
  return new StartupError(`无法打开数据库 ${where}:${detail}`, `Cannot open the database ${where}: ${detail}`)
}

/**
 * A pool on `url` (options in the URL, e.g. `?options=-c search_path=loudong`, pass
 * through), migrated. Every failure becomes a StartupError with one bilingual line.
 */
export async function openPostgres(url: string, opts: { poolSize?: number; migrations?: Migration[] } = {}): Promise<Pool> {
  const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? DEFAULT_POOL_SIZE, types, connectionTimeoutMillis: 10_000 })
  // an idle connection the server dropped must not crash the process
  pool.on('error', (err) => console.error(`[loudong] 数据库连接断开 / database connection lost: ${err.message}`))
  try {
    await migratePostgres(pool, opts.migrations ?? postgresMigrations())
    return pool
  } catch (err) {
    await pool.end().catch(() => {})
    throw describePostgresError(err, url)
  }
}

/**
 * Runs `fn` in one transaction on a pooled connection: COMMIT when it resolves, ROLLBACK
 * when it throws. `begin` may add parameterless statements to the BEGIN's round trip.
 */
export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await pool.connect()
  let broken = false
  try {
    await client.query(begin)
    const result = await fn(client)
    await client.query('COMMIT')
    return result
  } catch (err) {
    await client.query('ROLLBACK').catch(() => (broken = true))
    throw err
  } finally {
    // a connection that could not even roll back is closed, not reused
    client.release(broken)
  }
}

/**
 * Applies, in order, the migrations not yet in `schema_migrations`, each in its own
 * transaction holding MIGRATE_LOCK; first refuses when an applied one was edited.
 * Returns the names applied now.
 */
export async function migratePostgres(pool: Pool, migrations: Migration[]): Promise<string[]> {
  await withTransaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATE_LOCK])
    await c.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TEXT NOT NULL,
      checksum TEXT NOT NULL
    )`)
  })
  const applied: string[] = []
  for (const m of migrations) {
    await withTransaction(pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATE_LOCK])
      const rows = (await c.query<{ version: number; name: string; checksum: string }>('SELECT version, name, checksum FROM schema_migrations')).rows
      checkApplied(rows, migrations)
      if (rows.some((r) => r.version === m.version)) return
      await c.query(m.sql).catch((err: unknown) => {
        throw migrationFailed(m, err)
      })
      await c.query('INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES ($1, $2, $3, $4)', [m.version, m.name, new Date().toISOString(), migrationChecksum(m)])
      applied.push(m.name)
    })
  }
  return applied
}
