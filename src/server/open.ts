/**
 * Which database the server and the admin CLI use: PostgreSQL when DATABASE_URL is a
 * postgres:// URL, otherwise the SQLite file in DATA_DIR (the default, nothing to set up).
 */
import { openDatabase, StartupError, type Db } from './db'
import { createSqliteStorage, type Storage } from './storage'
import { DEFAULT_POOL_SIZE, isPostgresUrl, openPostgres, redactUrl } from './postgres/db'
import { createPostgresStorage } from './postgres/storage'

export interface Opened {
  storage: Storage
  /** the SQLite handle (for the file backup), null on PostgreSQL */
  sqlite: Db | null
  /** the PostgreSQL URL (for pg_dump), null on SQLite */
  url: string | null
  /** the PostgreSQL schema the tables are in (search_path), null on SQLite */
  schema: string | null
  /** where the data is, for the start-up line (no password) */
  where: string
}

export interface OpenOptions {
  /** DATABASE_URL; anything but a postgres:// URL means SQLite */
  databaseUrl?: string | undefined
  /** DATA_DIR for SQLite */
  dataDir: string
  /** DATABASE_POOL: connections per process on PostgreSQL */
  poolSize?: string | undefined
}

/** Opens and migrates the database. Throws StartupError (one bilingual line) when it cannot. */
export async function openStorage(opts: OpenOptions): Promise<Opened> {
  const url = opts.databaseUrl?.trim()
  if (url && !isPostgresUrl(url)) {
    throw new StartupError(`DATABASE_URL 应以 postgres:// 开头(不设则使用 SQLite 文件)`, `DATABASE_URL must start with postgres:// (leave it unset for the SQLite file)`)
  }
  if (isPostgresUrl(url)) {
    const poolSize = opts.poolSize ? Number(opts.poolSize) : DEFAULT_POOL_SIZE
    if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 1000) throw new StartupError(`DATABASE_POOL 无效:${opts.poolSize}`, `Invalid DATABASE_POOL: ${opts.poolSize}`)
    const pool = await openPostgres(url, { poolSize })
    const schema = (await pool.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]!.s
    return { storage: createPostgresStorage(pool), sqlite: null, url, schema, where: redactUrl(url) }
  }
  const db = openDatabase(opts.dataDir)
  return { storage: createSqliteStorage(db), sqlite: db, url: null, schema: null, where: opts.dataDir }
}
