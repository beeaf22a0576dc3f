import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { describeStartupError, loadMigrations, migrate, openDatabase, openDatabaseFile, StartupError, DB_FILE } from '../../../src/server/db'
import { createSqliteStorage } from '../../../src/server/storage'
import { demoLogins, demoNodes, DEMO_USERS, formatLogins, seedDemoIfEmpty } from '../../../src/server/demo'
import { householdsOf } from '../../../src/shared/org'
import { scopeKindOf } from '../../../src/shared/roles'
import { tempDir } from './helpers'

const dirs: string[] = []
const fresh = () => {
  const d = tempDir()
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('openDatabase and migrations', () => {
  it('creates DATA_DIR, opens loudong.db in WAL mode with synchronous FULL, and applies every migration once', () => {
    const dir = join(fresh(), 'nested', 'data')
    const db = openDatabase(dir)
    expect(db.name).toBe(join(dir, DB_FILE))
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('synchronous', { simple: true })).toBe(2) // FULL
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0)
    const applied = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all()
    expect(applied).toEqual(loadMigrations().map((m) => ({ version: m.version, name: m.name })))
    expect(applied.slice(0, 2)).toEqual([{ version: 1, name: '001_init.sql' }, { version: 2, name: '002_record_targets.sql' }])
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name)
    expect(tables).toEqual(expect.arrayContaining(['org_nodes', 'users', 'sessions', 'records', 'quarantine', 'schema_migrations']))
    db.close()
  })

  it('a restart on the same file applies nothing again and keeps the data', async () => {
    const dir = fresh()
    const db1 = openDatabase(dir)
    await createSqliteStorage(db1).org.upsert({ path: 'pl', kind: 'district', name: '盘龙区' })
    db1.close()
    const db2 = openDatabase(dir)
    expect(migrate(db2)).toEqual([])
    expect((db2.prepare('SELECT count(*) AS n FROM schema_migrations').get() as { n: number }).n).toBe(loadMigrations().length)
    expect((await createSqliteStorage(db2).org.get('pl'))?.name).toBe('盘龙区')
    db2.close()
  })

  it('applies a new numbered migration in order, once', () => {
    const dir = fresh()
    const db = openDatabase(dir)
    const migDir = join(fresh(), 'migrations')
    mkdirSync(migDir)
    for (const m of loadMigrations()) writeFileSync(join(migDir, m.name), m.sql)
    writeFileSync(join(migDir, '901_extra.sql'), 'CREATE TABLE extra (x INTEGER);')
    writeFileSync(join(migDir, '900_before.sql'), 'CREATE TABLE before_extra (x INTEGER);')
    writeFileSync(join(migDir, 'README.md'), 'not a migration')
    const ms = loadMigrations(migDir)
    expect(ms.map((m) => m.name)).toEqual([...loadMigrations().map((m) => m.name), '900_before.sql', '901_extra.sql'])
    expect(migrate(db, ms)).toEqual(['900_before.sql', '901_extra.sql'])
    expect(migrate(db, ms)).toEqual([])
    db.close()
  })

  it('refuses to start when a migration already applied was edited since, and names it', () => {
    const dir = fresh()
    openDatabase(dir).close()
    const shipped = loadMigrations()
    const edited = shipped.map((m) => (m.version === 2 ? { ...m, sql: m.sql + '\nCREATE INDEX sneaky ON records (type);' } : m))
    const db = openDatabaseFile(join(dir, DB_FILE))
    expect(() => migrate(db, edited)).toThrow(StartupError)
    expect(() => migrate(db, edited)).toThrow(/002_record_targets\.sql.*edited after it was applied/)
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'sneaky'").get()).toBeUndefined()
    // the same text with CRLF line endings (a Windows checkout) is the same migration
    expect(migrate(db, shipped.map((m) => ({ ...m, sql: m.sql.replace(/\n/g, '\r\n') })))).toEqual([])
    db.close()
  })

  it('a database from before checksums gets them recorded, then guarded', () => {
    const dir = fresh()
    const db = openDatabase(dir)
    db.exec('CREATE TABLE old_migrations AS SELECT version, name, applied_at FROM schema_migrations')
    db.exec('DROP TABLE schema_migrations')
    db.exec('ALTER TABLE old_migrations RENAME TO schema_migrations')
    expect(migrate(db)).toEqual([])
    const rows = db.prepare('SELECT name, checksum FROM schema_migrations ORDER BY version').all() as { name: string; checksum: string }[]
    expect(rows.map((r) => r.name)).toEqual(loadMigrations().map((m) => m.name))
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.checksum))).toBe(true)
    const edited = loadMigrations().map((m) => (m.version === 1 ? { ...m, sql: m.sql.replace('phone          TEXT NOT NULL UNIQUE', 'phone TEXT') } : m))
    expect(() => migrate(db, edited)).toThrow(/001_init\.sql/)
    db.close()
  })

  it('a failing migration leaves nothing half-applied', () => {
    const db = openDatabase(fresh())
    const bad = [{ version: 99, name: '099_bad.sql', sql: 'CREATE TABLE half (x INTEGER); SELECT * FROM no_such_table;' }]
    expect(() => migrate(db, bad)).toThrow()
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined()
    expect(db.prepare('SELECT * FROM schema_migrations WHERE version = 99').get()).toBeUndefined()
    db.close()
  })

  it('refuses to start with a one-line bilingual message when DATA_DIR is not a directory', () => {
    const file = join(fresh(), 'a-file')
    writeFileSync(file, 'x')
    let err: unknown
    try {
      openDatabase(join(file, 'data'))
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(StartupError)
    const msg = (err as Error).message
    expect(msg).not.toContain('\n')
    expect(msg).toMatch(/[\u4e00-\u9fff].* \/ [A-Za-z]/)
  })

  it('explains read-only, permission, disk-full and damaged-file errors in Chinese and English', () => {
    const cases: [string, RegExp, RegExp][] = [
      ['EROFS', /不可写/, /not writable/],
      ['EACCES', /不可写/, /not writable/],
      ['SQLITE_READONLY', /不可写/, /not writable/],
      ['SQLITE_CANTOPEN', /不可写/, /not writable/],
      ['ENOSPC', /磁盘已满/, /disk is full/],
      ['SQLITE_FULL', /磁盘已满/, /disk is full/],
      ['SQLITE_NOTADB', /已损坏/, /damaged/],
      ['ENOENT', /无法创建/, /Cannot create/],
    ]
    for (const [code, zh, en] of cases) {
      const e = describeStartupError(Object.assign(new Error('x'), { code }), '/srv/loudong')
      expect(e.message, code).toMatch(zh)
      expect(e.message, code).toMatch(en)
      expect(e.message, code).toContain('/srv/loudong')
      expect(e.message).not.toContain('\n')
    }
  })

  it('refuses a damaged file at start (PRAGMA quick_check) with one line naming it', () => {
    const dir = fresh()
    const db = openDatabase(dir)
    db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, text TEXT); CREATE INDEX filler_text ON filler(text)')
    const add = db.prepare('INSERT INTO filler (text) VALUES (?)')
    db.transaction(() => {
      for (let i = 0; i < 3000; i++) add.run(`row ${i}`)
    })()
    const pageSize = db.pragma('page_size', { simple: true }) as number
    const pages = db.pragma('page_count', { simple: true }) as number
    db.close()
    // a torn write in the middle of the file: the header still says SQLite, a b-tree page is garbage
    const fd = openSync(join(dir, DB_FILE), 'r+')
    writeSync(fd, Buffer.alloc(200, 0xab), 0, 200, pageSize * (pages - 3) + 1000)
    closeSync(fd)
    let err: unknown
    try {
      openDatabase(dir)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(StartupError)
    const msg = (err as Error).message
    expect(msg).toMatch(/已损坏.*拒绝启动.* \/ The database file .*loudong\.db is damaged \(.+\); refusing to start/)
    expect(msg).not.toContain('\n')
  })

  it('an older build refuses a database a newer build migrated; a failing migration names itself and leaves nothing', () => {
    const dir = fresh()
    const db = openDatabase(dir)
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES (998, '998_future.sql', '2027-01-01T00:00:00Z', 'x')").run()
    db.close()
    expect(() => openDatabase(dir)).toThrow(/数据库结构比本程序新.*998_future\.sql.* \/ The database schema is newer than this build \(it has migration 998_future\.sql/)

    const other = openDatabase(fresh())
    const bad = [...loadMigrations(), { version: 900, name: '900_bad.sql', sql: 'CREATE TABLE half (x INTEGER); SELECT * FROM no_such_table;' }]
    expect(() => migrate(other, bad)).toThrow(/数据库迁移 900_bad\.sql 失败.* \/ Migration 900_bad\.sql failed and changed nothing: no such table: no_such_table/)
    expect(other.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").all()).toEqual([])
    other.close()
  })

  it('refuses a file that is not a database', () => {
    const dir = fresh()
    writeFileSync(join(dir, DB_FILE), 'this is not sqlite, just text '.repeat(100))
    expect(() => openDatabase(dir)).toThrow(/已损坏.*damaged/)
  })
})

describe('demo district', () => {
  it('has the seed document’s streets, ten communities, groups, buildings with layouts, and four reading points', () => {
    const nodes = demoNodes()
    const byKind = (k: string) => nodes.filter((n) => n.kind === k)
    expect(byKind('district').map((n) => [n.path, n.name])).toEqual([['pl', '盘龙区']])
    expect(byKind('street').map((n) => n.path)).toEqual(['pl/tuodong', 'pl/lianmeng', 'pl/qingyun', 'pl/gulou', 'pl/ciba'])
    expect(byKind('community').map((n) => n.path)).toEqual([
      'pl/tuodong/mingtongxiang', 'pl/tuodong/shangyi', 'pl/tuodong/zhuangyuanlou', 'pl/lianmeng/jinjulu', 'pl/lianmeng/jinxing',
      'pl/qingyun/jinsha', 'pl/gulou/wangqiying', 'pl/gulou/jinjianglu', 'pl/gulou/taoyuan', 'pl/ciba/qingsonglu',
    ])
    expect(byKind('group')).toHaveLength(20)
    const buildings = byKind('building')
    for (const g of byKind('group')) {
      const n = buildings.filter((b) => b.path.startsWith(g.path + '/')).length
      expect(n).toBeGreaterThanOrEqual(2)
      expect(n).toBeLessThanOrEqual(3)
    }
    const sizes = buildings.map((b) => householdsOf(b.layout!).length)
    expect(Math.min(...sizes)).toBe(24) // 2 × 6 × 2 walk-up
    expect(Math.max(...sizes)).toBe(264) // 2 × 33 × 4: 状元楼 1栋, the 33-storey tower
    const rps = byKind('reading_point')
    expect(rps.map((r) => r.name)).toEqual(['体育小区小广场', '金汁河畔', '体电所宿舍', '环卫站宿舍'])
    for (const r of rps) {
      expect(r.path).toMatch(/^pl\/tuodong\/zhuangyuanlou\/g0[12]\/rp-/)
      expect(r.place).toBeTruthy()
      expect(r.usualTime).toMatch(/^每天 \d{1,2}:\d{2}$/)
    }
    // every path unique, every parent present
    const paths = new Set(nodes.map((n) => n.path))
    expect(paths.size).toBe(nodes.length)
    for (const n of nodes) if (n.path !== 'pl') expect(paths.has(n.path.slice(0, n.path.lastIndexOf('/'))), n.path).toBe(true)
  })

  it('demo accounts have scopes that exist at their role’s level', () => {
    const kinds = new Map(demoNodes().map((n) => [n.path, n.kind]))
    for (const u of DEMO_USERS) for (const s of u.scopes) expect(kinds.get(s), `${u.name} ${s}`).toBe(scopeKindOf(u.role))
    const logins = demoLogins()
    expect(logins[0]).toEqual({ phone: '13800000001', role: '楼栋长', name: '张秀英', scope: '明通巷社区 第一居民小组 1栋、明通巷社区 第一居民小组 2栋' })
    const table = formatLogins(logins)
    expect(table).toContain('13800000000')
    expect(table).toContain('demo-1234')
  })

  it('leaves the months of records out when asked (DEMO_RECORDS=0)', async () => {
    const db = openDatabase(fresh())
    const storage = createSqliteStorage(db)
    await seedDemoIfEmpty(storage, { records: false })
    expect(await storage.org.count()).toBe(demoNodes().length)
    expect(await storage.records.count()).toBe(0)
    db.close()
  })

  it('is seeded only into an empty database', async () => {
    const db = openDatabase(fresh())
    const storage = createSqliteStorage(db)
    const first = await seedDemoIfEmpty(storage)
    expect(first).toHaveLength(DEMO_USERS.length)
    // and the reading point of the demo months (the ledger's records)
    expect(await storage.org.count()).toBe(demoNodes().length + 1)
    const records = await storage.records.count()
    expect(records).toBeGreaterThan(300)
    expect(await storage.quarantine.list()).toEqual([])
    expect(await seedDemoIfEmpty(storage)).toBeNull()
    expect(await storage.records.count()).toBe(records)
    expect((await storage.users.byPhone('13800000001'))!.passwordHash).toMatch(/^scrypt\$/)
    db.close()
  })
})
