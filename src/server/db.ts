/**
 * The SQLite database: opening it with durable settings, and applying the numbered
 * SQL migrations in `./migrations/sqlite/` once each, recorded in `schema_migrations`
 * with a checksum so a shipped migration edited afterwards is refused at start.
 * (PostgreSQL's counterpart is `./postgres/db.ts`, its migrations `./migrations/postgres/`.)
 */
import Database from 'better-sqlite3'
import { createHash } from 'node:crypto'
import { accessSync, chmodSync, closeSync, constants, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statfsSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export type Db = Database.Database

export const DB_FILE = 'loudong.db'
/** `migrations/` beside this file; the server build (scripts/build-server.mjs) copies it beside the bundle */
export const MIGRATIONS_ROOT = fileURLToPath(new URL('./migrations/', import.meta.url))
const MIGRATIONS_DIR = join(MIGRATIONS_ROOT, 'sqlite')
/** Below this much free space the server refuses to start: it could not accept records safely. */
const MIN_FREE_BYTES = 16 * 1024 * 1024

/**
 * A problem that stops the server from starting. Its message is one line, Chinese
 * then English, printed without a stack trace.
 */
export class StartupError extends Error {
  constructor(zh: string, en: string) {
    super(`${zh} / ${en}`)
    this.name = 'StartupError'
  }
}

function errCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : ''
}

/** Turns a file-system or SQLite error met while opening the data directory into a StartupError. */
export function describeStartupError(err: unknown, dataDir: string): StartupError {
  if (err instanceof StartupError) return err
  const code = errCode(err)
  if (code === 'ENOSPC' || code === 'SQLITE_FULL') {
    return new StartupError(`磁盘已满,无法写入数据目录 ${dataDir}`, `The disk is full; cannot write to the data directory ${dataDir}`)
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN')) {
    return new StartupError(`数据目录 ${dataDir} 不可写(只读或无权限),请设置可写的 DATA_DIR`, `The data directory ${dataDir} is not writable (read-only or no permission); set DATA_DIR to a writable directory`)
  }
  if (code === 'ENOENT') {
    return new StartupError(`无法创建数据目录 ${dataDir},请设置可写的 DATA_DIR`, `Cannot create the data directory ${dataDir}; set DATA_DIR to a writable directory`)
  }
  if (code === 'ENOTDIR' || code === 'EEXIST') {
    return new StartupError(`数据目录 ${dataDir} 不是一个目录`, `The data directory ${dataDir} is not a directory`)
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new StartupError(`数据库文件 ${join(dataDir, DB_FILE)} 已损坏或不是数据库`, `The database file ${join(dataDir, DB_FILE)} is damaged or not a database`)
  }
  const detail = err instanceof Error ? err.message.split('\n')[0] : String(err)
  return new StartupError(`无法打开数据目录 ${dataDir}:${detail}`, `Cannot open the data directory ${dataDir}: ${detail}`)
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir can spin forever on
 * pseudo file systems such as /proc, and a startup must fail, not hang.
 */
function makeDirs(dir: string): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' })
    return
  }
  const parent = dirname(dir)
  if (parent !== dir) makeDirs(parent)
  mkdirSync(dir, PRIVATE_DIR_MODE)
}

/** Residents' personal data: the database, its WAL and backups are the server user's alone. */
export const PRIVATE_FILE_MODE = 0o600
const PRIVATE_DIR_MODE = 0o700

/**
 * Makes `file` readable and writable by this process's user only: creates it empty
 * with mode 0600 when missing (so it never exists with wider rights, whatever the
 * umask), else narrows its mode. SQLite creates `-wal` and `-shm` with the mode of
 * their database file, so they follow.
 */
export function makePrivateFile(file: string): void {
  try {
    closeSync(openSync(file, 'wx', PRIVATE_FILE_MODE))
  } catch (err) {
    if (errCode(err) !== 'EEXIST') throw err
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, PRIVATE_FILE_MODE)
}

/** `file` and its `-wal` / `-shm` beside it, those that exist, narrowed to the owner (files made by an older build). */
function narrowDatabaseFiles(file: string): void {
  makePrivateFile(file)
  for (const extra of [`${file}-wal`, `${file}-shm`]) if (existsSync(extra) && (statSync(extra).mode & 0o077) !== 0) chmodSync(extra, PRIVATE_FILE_MODE)
}

/** Applies the durable settings every connection needs. */
export function configure(db: Db): Db {
  db.pragma('journal_mode = WAL')
  // FULL: an accepted record has reached the disk before the device is told "accepted".
  db.pragma('synchronous = FULL')
  db.pragma('busy_timeout = 5000')
  db.pragma('foreign_keys = ON')
  return db
}

/** Opens a database file (created if missing, mode 0600) with the durable settings. */
export function openDatabaseFile(file: string): Db {
  narrowDatabaseFiles(file)
  return configure(new Database(file))
}

/**
 * `PRAGMA quick_check` (every page and b-tree, without matching indexes to rows: seconds on
 * a large file): a damaged file is refused at start rather than answering "accepted" on top
 * of it. Throws StartupError naming the file and SQLite's first complaint.
 */
export function checkIntegrity(db: Db, file: string): void {
  const result = String(db.pragma('quick_check(1)', { simple: true }))
  if (result !== 'ok') {
    const detail = result.replace(/\s*\n\s*/g, ' ').slice(0, 300)
    throw new StartupError(
      `数据库文件 ${file} 已损坏(${detail}),拒绝启动;请从备份恢复`,
      `The database file ${file} is damaged (${detail}); refusing to start. Restore it from a backup`,
    )
  }
}

/**
 * Opens `${dataDir}/loudong.db`, creating the directory if needed, and migrates it.
 * Every failure becomes a StartupError with a one-line bilingual message.
 */
export function openDatabase(dataDir: string): Db {
  const dir = resolve(dataDir)
  let db: Db | undefined
  try {
    makeDirs(dir)
    accessSync(dir, constants.W_OK)
    const fs = statfsSync(dir)
    if (fs.bavail * fs.bsize < MIN_FREE_BYTES) throw Object.assign(new Error('disk full'), { code: 'ENOSPC' })
    db = openDatabaseFile(join(dir, DB_FILE))
    checkIntegrity(db, join(dir, DB_FILE))
    migrate(db)
    return db
  } catch (err) {
    db?.close()
    throw describeStartupError(err, dir)
  }
}

export interface Migration {
  version: number
  name: string
  sql: string
}

/** sha256 hex of a migration's SQL, line endings normalised (a checkout with CRLF is the same file). */
export function migrationChecksum(m: Migration): string {
  return createHash('sha256').update(m.sql.replace(/\r\n/g, '\n'), 'utf8').digest('hex')
}

/**
 * Throws when a migration already applied to this database was changed since: the
 * schema it describes is not the schema the database has. A shipped migration is
 * never edited; a change is a new numbered file.
 */
export function checkApplied(applied: readonly { version: number; name: string; checksum: string | null }[], migrations: readonly Migration[]): void {
  // a newer build migrated this database: this build would not know its tables and would write wrongly
  const known = Math.max(0, ...migrations.map((m) => m.version))
  const newer = applied.filter((r) => r.version > known).sort((a, b) => b.version - a.version)[0]
  if (newer) {
    throw new StartupError(
      `数据库结构比本程序新(已应用迁移 ${newer.name},本程序只认识到第 ${known} 号),拒绝启动;请运行更新版本的楼栋通`,
      `The database schema is newer than this build (it has migration ${newer.name}; this build knows up to ${known}); refusing to start. Run the newer Loudong build`,
    )
  }
  for (const row of applied) {
    const m = migrations.find((x) => x.version === row.version)
    if (m && row.checksum !== null && row.checksum !== migrationChecksum(m)) {
      throw new StartupError(
        `数据库迁移 ${m.name} 在应用后被修改过,拒绝启动;请恢复原文件,把改动写成新的编号迁移`,
        `Migration ${m.name} was edited after it was applied; refusing to start. Restore the file and put the change in a new numbered migration`,
      )
    }
  }
}

/** A migration whose SQL failed, named in one bilingual line (its transaction rolls back: nothing of it stays). */
export function migrationFailed(m: Migration, err: unknown): StartupError {
  const detail = (err instanceof Error ? err.message : String(err)).split('\n')[0]
  return new StartupError(`数据库迁移 ${m.name} 失败,未做任何更改:${detail}`, `Migration ${m.name} failed and changed nothing: ${detail}`)
}

export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .map((file) => /^(\d+)_([\w-]+)\.sql$/.exec(file))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ version: Number(m[1]), name: m[0], sql: readFileSync(join(dir, m[0]), 'utf8') }))
    .sort((a, b) => a.version - b.version)
}

/**
 * Applies, in order, the migrations not yet recorded in `schema_migrations`; each in
 * its own IMMEDIATE transaction so two processes starting at once cannot both apply one.
 * First refuses (StartupError) if an applied migration's file changed since. Returns the
 * names of the migrations applied now.
 */
export function migrate(db: Db, migrations: Migration[] = loadMigrations()): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    checksum TEXT
  )`)
  db.transaction(() => {
    // databases made before checksums: record the shipped files' as they are now
    const columns = db.prepare<[], { name: string }>('PRAGMA table_info(schema_migrations)').all()
    if (!columns.some((c) => c.name === 'checksum')) db.exec('ALTER TABLE schema_migrations ADD COLUMN checksum TEXT')
    const fill = db.prepare('UPDATE schema_migrations SET checksum = ? WHERE version = ? AND checksum IS NULL')
    for (const m of migrations) fill.run(migrationChecksum(m), m.version)
  }).immediate()
  checkApplied(db.prepare<[], { version: number; name: string; checksum: string | null }>('SELECT version, name, checksum FROM schema_migrations').all(), migrations)
  const has = db.prepare<[number], { version: number }>('SELECT version FROM schema_migrations WHERE version = ?')
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES (?, ?, ?, ?)')
  const applied: string[] = []
  for (const m of migrations) {
    db.transaction(() => {
      if (has.get(m.version)) return
      try {
        db.exec(m.sql)
      } catch (err) {
        throw migrationFailed(m, err)
      }
      record.run(m.version, m.name, new Date().toISOString(), migrationChecksum(m))
      applied.push(m.name)
    }).immediate()
  }
  return applied
}
