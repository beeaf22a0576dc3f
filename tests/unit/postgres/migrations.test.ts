/**
 * PostgreSQL migrations: numbered files in src/server/migrations/postgres, each in one
 * transaction under an advisory lock, recorded with a checksum that refuses an edit.
 */
import pg from 'pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StartupError } from '../../../src/server/db'
import { migratePostgres, openPostgres, postgresMigrations } from '../../../src/server/postgres/db'
import { freshPgSchema } from '../server/helpers'

let schema: Awaited<ReturnType<typeof freshPgSchema>>
let pools: pg.Pool[] = []
const pool = () => {
  const p = new pg.Pool({ connectionString: schema.url, max: 2 })
  pools.push(p)
  return p
}
const tables = async (p: pg.Pool) =>
  (await p.query<{ t: string }>('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1')).rows.map((r) => r.t)

beforeEach(async () => {
  schema = await freshPgSchema()
})
afterEach(async () => {
  await Promise.all(pools.map((p) => p.end()))
  pools = []
  await schema.drop()
})

describe('PostgreSQL migrations', () => {
  it('two processes starting at once apply each migration once; a restart applies nothing', async () => {
    const shipped = postgresMigrations()
    expect(shipped.map((m) => m.name)[0]).toBe('001_init.sql')
    const [x, y] = await Promise.all([migratePostgres(pool(), shipped), migratePostgres(pool(), shipped)])
    expect([...x, ...y].sort()).toEqual(shipped.map((m) => m.name))
    expect(await migratePostgres(pool(), shipped)).toEqual([])
    const p = pool()
    expect(await tables(p)).toEqual(['app_lock_policies', 'audit_trail', 'database_identity', 'handovers', 'known_devices', 'ledger_activity', 'ledger_care', 'ledger_covered', 'ledger_feedback', 'ledger_open', 'ledger_services', 'ledger_sessions', 'ledger_state', 'ledger_tallies', 'ledger_visits', 'login_failures', 'org_nodes', 'push_usage', 'quarantine', 'record_claims', 'records', 'schema_migrations', 'sessions', 'user_scopes', 'users'])
    const rows = (await p.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations ORDER BY version')).rows
    expect(rows.map((r) => r.name)).toEqual(shipped.map((m) => m.name))
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.checksum))).toBe(true)
  })

  it('refuses to start when an applied migration was edited, naming it; openPostgres says so in one line', async () => {
    const shipped = postgresMigrations()
    await migratePostgres(pool(), shipped)
    const edited = shipped.map((m) => (m.version === 1 ? { ...m, sql: m.sql.replace('name        TEXT NOT NULL,', 'name TEXT,') } : m))
    expect(edited[0]!.sql).not.toBe(shipped[0]!.sql)
    await expect(migratePostgres(pool(), edited)).rejects.toThrow(/001_init\.sql.*edited after it was applied/)
    const err = await openPostgres(schema.url, { migrations: edited }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StartupError)
    expect((err as Error).message).not.toContain('\n')
  })

  it('an older build refuses a database a newer build migrated, naming the newest migration', async () => {
    const shipped = postgresMigrations()
    await migratePostgres(pool(), shipped)
    await pool().query("INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES (998, '998_future.sql', '2027-01-01T00:00:00Z', 'x')")
    const err = await openPostgres(schema.url, { migrations: shipped }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StartupError)
    expect((err as Error).message).toMatch(/数据库结构比本程序新.*998_future\.sql.* \/ The database schema is newer than this build \(it has migration 998_future\.sql; this build knows up to \d+\)/)
    expect((err as Error).message).not.toContain('\n')
  })

  it('a failing migration leaves nothing half-applied', async () => {
    const bad = [...postgresMigrations(), { version: 99, name: '099_bad.sql', sql: 'CREATE TABLE half (x INTEGER); SELECT * FROM no_such_table;' }]
    await expect(migratePostgres(pool(), bad)).rejects.toThrow(/Migration 099_bad\.sql failed and changed nothing: .*no_such_table/)
    const p = pool()
    expect(await tables(p)).not.toContain('half')
    expect((await p.query('SELECT * FROM schema_migrations WHERE version = 99')).rows).toEqual([])
  })
})
