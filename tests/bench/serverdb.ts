/**
 * The server database the figures run against: the bench world's org tree and
 * accounts plus a year of records (1,000,000 by default), written straight into
 * a database migrated by the server's own code. Built once and cached under
 * `.tmp/bench/cache/<key>/`; each run works on a copy.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { DB_FILE, openDatabase } from '../../src/server/db'
import { createSqliteStorage } from '../../src/server/storage'
import { hashPassword, hashToken, newToken } from '../../src/server/auth'
import { contentHash } from '../../src/server/sync/push'
import { BENCH_PASSWORD, DATA_VERSION, DAY_MS, generateLog, type BenchUser, type GenRecord, type BenchWorld } from './data'

const MIGRATIONS = fileURLToPath(new URL('../../src/server/migrations/sqlite/', import.meta.url))

export interface CachedDb {
  file: string
  records: number
  /** records per org path prefix the figures need */
  counts: { pullScope: number; big: number }
  maxSeq: number
  /** ms spent generating now; 0 when it came from the cache */
  generatedMs: number
  /** the instant the log ends at (generation time) */
  end: number
}

interface Meta {
  records: number
  counts: CachedDb['counts']
  maxSeq: number
  end: number
}

/** The cache key: data version, seed, record count, this month (the log is "the last year") and the migrations. */
export function cacheKey(world: BenchWorld, total: number, now: number): string {
  const month = new Date(now + 8 * 60 * 60 * 1000).toISOString().slice(0, 7)
  const migrations = createHash('sha256')
    .update(
      readdirSync(MIGRATIONS)
        .filter((f) => f.endsWith('.sql'))
        .sort()
        .map((f) => f + readFileSync(join(MIGRATIONS, f), 'utf8'))
        .join('\n'),
    )
    .digest('hex')
    .slice(0, 8)
  return `v${DATA_VERSION}-${world.seed}-${total}-${month}-m${migrations}`
}

/** Returns the cached database for this key, generating it first when missing. */
export async function ensureServerDb(world: BenchWorld, total: number, cacheRoot: string, log: (s: string) => void): Promise<CachedDb> {
  const now = Date.now()
  const dir = join(cacheRoot, cacheKey(world, total, now))
  const metaFile = join(dir, 'meta.json')
  const file = join(dir, DB_FILE)
  if (existsSync(metaFile) && existsSync(file)) {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as Meta
    return { file, ...meta, generatedMs: 0 }
  }
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  log(`generating the server database (${total.toLocaleString('en')} records) in ${dir} …`)
  const t0 = performance.now()
  const db = openDatabase(dir)
  const storage = createSqliteStorage(db)
  const passwordHash = await hashPassword(BENCH_PASSWORD)
  await storage.transaction(async (tx) => {
    for (const n of world.nodes) await tx.org.upsert(n)
    for (const u of world.users) await tx.users.upsert({ id: u.id, phone: u.phone, name: u.name, role: u.role, scopes: u.scopes, passwordHash })
  })
  // A bulk load: no journal and no fsync while writing, then back to the server's WAL.
  db.pragma('journal_mode = OFF')
  db.pragma('synchronous = OFF')
  db.pragma('cache_size = -262144')
  const insert = db.prepare(
    `INSERT INTO records (id, type, v, org_path, author_id, device_id, client_time, body, content_hash, server_time, target_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const pullScope = world.pullUser.scopes[0]!
  const counts = { pullScope: 0, big: 0 }
  let records = 0
  let maxSeq = 0
  const end = Math.floor(now / DAY_MS) * DAY_MS
  const insertDay = db.transaction((day: GenRecord[]) => {
    for (const g of day) {
      const r = g.record
      const res = insert.run(r.id, r.type, r.v, r.orgPath, r.authorId, r.deviceId, r.clientTime, JSON.stringify(r.body), contentHash(r), new Date(Date.parse(r.clientTime) + g.delayMs).toISOString(), g.targetId)
      maxSeq = Number(res.lastInsertRowid)
      records++
      if (r.orgPath === pullScope || r.orgPath.startsWith(pullScope + '/')) counts.pullScope++
      if (r.orgPath === world.big.path) counts.big++
    }
  })
  for (const day of generateLog(world, total, end)) insertDay(day)
  // written around the append, so the ledger's summaries are built from the log as a server start would
  const tl = performance.now()
  await storage.ledger.rebuild()
  log(`ledger summaries built from ${records.toLocaleString('en')} records in ${((performance.now() - tl) / 1000).toFixed(1)} s`)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.close()
  const meta: Meta = { records, counts, maxSeq, end }
  writeFileSync(metaFile, JSON.stringify(meta, null, 2))
  const generatedMs = performance.now() - t0
  log(`generated ${records.toLocaleString('en')} records in ${(generatedMs / 1000).toFixed(1)} s`)
  return { file, ...meta, generatedMs }
}

/**
 * Copies the cached database into `dataDir` and opens a session for each given
 * user (as a login would, minus scrypt): returns their bearer tokens.
 */
export function prepareRunDb(cached: CachedDb, dataDir: string, users: readonly BenchUser[]): Map<string, string> {
  rmSync(dataDir, { recursive: true, force: true })
  mkdirSync(dataDir, { recursive: true })
  copyFileSync(cached.file, join(dataDir, DB_FILE))
  const db = openDatabase(dataDir)
  const tokens = new Map<string, string>()
  const now = Date.now()
  const create = db.prepare('INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)')
  db.transaction(() => {
    for (const u of users) {
      const token = newToken()
      create.run(hashToken(token), u.id, now, now)
      tokens.set(u.id, token)
    }
  })()
  db.close()
  return tokens
}
