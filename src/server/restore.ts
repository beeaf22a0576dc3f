/**
 * `npm run admin -- restore FILE` on SQLite, with the server stopped. A backup lacks
 * the records accepted after it and would hand their seq values to new records; the
 * restored database therefore gets a new identity (storage.ts IdentityStore), and
 * every device that sees it sends again what the server lacks and pulls from the
 * start (src/app/sync/restored.ts). PostgreSQL restores with pg_restore and then
 * `identity:renew` (POSTGRES_RESTORE_STEPS, the README's "Restore").
 */
import Database from 'better-sqlite3'
import { existsSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { checkApplied, DB_FILE, loadMigrations, makePrivateFile, openDatabase, StartupError, type Db } from './db'
import { createSqliteStorage } from './storage'

export interface RestoreIo {
  out: (line: string) => void
  err: (line: string) => void
}

/** What the README says, for the command's help and its refusal on PostgreSQL. */
export const POSTGRES_RESTORE_STEPS = [
  '  1. stop every server process',
  "  2. pg_restore --clean --if-exists --no-owner --single-transaction --dbname='postgres://…' backup.dump",
  '  3. DATABASE_URL=… npm run admin -- identity:renew',
  '  4. start the servers',
]

/** Reads a backup's facts, or says in one line why it cannot be restored. */
function checkBackup(file: string): { records: number; highestSeq: number } {
  if (!existsSync(file)) throw new StartupError(`找不到备份文件 ${file}`, `Backup file not found: ${file}`)
  let db: Db
  try {
    db = new Database(file, { readonly: true, fileMustExist: true })
  } catch (err) {
    throw new StartupError(`无法打开备份文件 ${file}`, `Cannot open the backup file ${file}: ${err instanceof Error ? err.message : String(err)}`)
  }
  try {
    let result: string
    try {
      // the whole check, indexes matched to rows: a restore is rare and must not start from a damaged file
      result = String(db.pragma('integrity_check(1)', { simple: true }))
    } catch (err) {
      result = err instanceof Error ? err.message : String(err)
    }
    if (result !== 'ok') {
      const detail = result.replace(/\s*\n\s*/g, ' ').slice(0, 200)
      throw new StartupError(`备份文件 ${file} 已损坏(${detail}),未做任何更改`, `The backup file ${file} is damaged (${detail}); nothing was changed`)
    }
    const tables = new Set(db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => r.name))
    if (!tables.has('records') || !tables.has('schema_migrations')) {
      throw new StartupError(`${file} 不是楼栋通的数据库备份,未做任何更改`, `${file} is not a Loudong database backup; nothing was changed`)
    }
    // a backup made by a newer build: this build would not know its tables
    checkApplied(db.prepare<[], { version: number; name: string; checksum: string | null }>('SELECT version, name, checksum FROM schema_migrations').all(), loadMigrations())
    const row = db.prepare<[], { n: number; top: number | null }>('SELECT count(*) AS n, max(seq) AS top FROM records').get()!
    return { records: row.n, highestSeq: row.top ?? 0 }
  } finally {
    db.close()
  }
}

/**
 * Refuses while a server (or anything) has the database open: a WAL-mode connection
 * blocks an exclusive lock. Closing the last connection here checkpoints a WAL left
 * by a crash into the file, so the database set aside is whole.
 */
function checkStopped(live: string): void {
  const db = new Database(live, { fileMustExist: true, timeout: 0 })
  try {
    db.pragma('locking_mode = EXCLUSIVE')
    db.exec('BEGIN EXCLUSIVE')
    db.exec('ROLLBACK')
  } catch (err) {
    const code = (err as { code?: string }).code ?? ''
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      throw new StartupError('数据库正在使用(服务器还在运行?),请先停止服务器再恢复', 'The database is in use (is the server still running?); stop the server, then restore')
    }
    throw err
  } finally {
    db.close()
  }
}

/** ISO time usable in a file name. */
const stamp = (now: Date): string => now.toISOString().replace(/[:.]/g, '-')

/**
 * Replaces `${dataDir}/loudong.db` with a copy of `file`: checks the backup, checks
 * no one has the database open, sets the current database aside as
 * `loudong.db.before-restore-<time>` (with any `-wal`/`-shm` of its own, so nothing
 * stale is left to be replayed into the restored file), copies the backup in through
 * SQLite's backup (mode 0600), migrates it, checks it, and renews its identity.
 * Returns the exit code; every refusal is one bilingual line and changes nothing.
 */
export async function restoreSqlite(file: string, dataDir: string, io: RestoreIo, now = new Date()): Promise<number> {
  const facts = checkBackup(file)
  const live = join(dataDir, DB_FILE)
  const incoming = `${live}.restoring`
  rmSync(incoming, { force: true })
  // the copy is made before anything is moved: a failure here leaves the database as it was
  const source = new Database(file, { readonly: true, fileMustExist: true })
  try {
    makePrivateFile(incoming)
    await source.backup(incoming, { progress: () => 0x7fffffff })
  } finally {
    source.close()
  }
  let keptAs: string | null = null
  if (existsSync(live)) {
    checkStopped(live)
    keptAs = `${live}.before-restore-${stamp(now)}`
    renameSync(live, keptAs)
    for (const extra of ['-wal', '-shm']) if (existsSync(live + extra)) renameSync(live + extra, keptAs + extra)
  }
  // whatever is left beside the name would be read as the new file's own log
  for (const extra of ['-wal', '-shm', '-journal']) rmSync(live + extra, { force: true })
  renameSync(incoming, live)

  const db = openDatabase(dataDir)
  const storage = createSqliteStorage(db)
  try {
    const head = await storage.identity.renew(now.toISOString())
    io.out(`恢复完成 / Restored ${file}: ${facts.records} records, highest seq ${head.highestSeq}, integrity ok`)
    io.out(`数据库新身份 / New database identity: ${head.identity}`)
    if (keptAs) io.out(`原数据库保留为 / The previous database is kept as ${keptAs}`)
    io.out('手机下次同步时会重新上传服务器缺少的记录 / Phones send again what the server lacks at their next sync')
  } finally {
    await storage.close()
  }
  return 0
}
