/**
 * `npm run server`: opens the database (PostgreSQL when DATABASE_URL=postgres://…,
 * otherwise the SQLite file in DATA_DIR, default ./data), migrates it, seeds the demo
 * district into an empty one (never with NODE_ENV=production), and serves the API and the built PWA.
 * Environment: PORT (8080), HOST (0.0.0.0), DATA_DIR (./data), DATABASE_URL (unset),
 * DATABASE_POOL (10), DIST_DIR (./dist), TRUST_PROXY (the proxy hops, 1 behind one reverse proxy, or its addresses),
 * LOG (1 for request logs; bodies are never logged), PUSH_RECORDS_PER_MINUTE (1000) and
 * PUSH_BYTES_PER_DAY (20 MB): the per-account push limits.
 */
import { resolve } from 'node:path'
import { buildApp, DEFAULT_PUSH_LIMITS } from './app'
import { purgeQuarantine, QUARANTINE_PURGE_EVERY_MS } from './quarantine'
import type { PushLimits } from './storage'
import { PUSH_MAX_BYTES, PUSH_MAX_RECORDS } from '../shared/protocol'
import { StartupError } from './db'
import { formatLogins, hasDemoAccounts, seedDemoIfEmpty } from './demo'
import { openStorage, type Opened } from './open'
import { parseTrustProxy, startupWarnings, type TrustProxy } from './proxy'

function fail(message: string): never {
  console.error(message)
  process.exit(1)
}

/** A positive whole number from the environment, or `fallback` when unset. */
function positiveEnv(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1) fail(`${name} 无效:${raw} / Invalid ${name}: ${raw}`)
  return n
}

async function main(): Promise<void> {
  // the database, its WAL and anything else this process creates are the server user's alone
  process.umask(0o077)
  const port = Number(process.env.PORT ?? 8080)
  const host = process.env.HOST ?? '0.0.0.0'
  const dataDir = resolve(process.env.DATA_DIR ?? './data')
  const distDir = resolve(process.env.DIST_DIR ?? './dist')
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`PORT 无效:${process.env.PORT} / Invalid PORT: ${process.env.PORT}`)

  let trustProxy: TrustProxy = false
  try {
    trustProxy = parseTrustProxy(process.env.TRUST_PROXY)
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err))
  }

  const pushLimits: PushLimits = {
    recordsPerMinute: positiveEnv('PUSH_RECORDS_PER_MINUTE', DEFAULT_PUSH_LIMITS.recordsPerMinute),
    bytesPerDay: positiveEnv('PUSH_BYTES_PER_DAY', DEFAULT_PUSH_LIMITS.bytesPerDay),
  }
  // a minute or a day that cannot take one full push would refuse that phone's batch for ever
  if (pushLimits.recordsPerMinute < PUSH_MAX_RECORDS) fail(`PUSH_RECORDS_PER_MINUTE 不能小于一次上传的上限 ${PUSH_MAX_RECORDS} / PUSH_RECORDS_PER_MINUTE must be at least one push (${PUSH_MAX_RECORDS} records)`)
  if (pushLimits.bytesPerDay < PUSH_MAX_BYTES) fail(`PUSH_BYTES_PER_DAY 不能小于一次上传的上限 ${PUSH_MAX_BYTES} / PUSH_BYTES_PER_DAY must be at least one push (${PUSH_MAX_BYTES} bytes)`)

  let opened: Opened
  try {
    opened = await openStorage({ databaseUrl: process.env.DATABASE_URL, dataDir, poolSize: process.env.DATABASE_POOL })
  } catch (err) {
    fail(err instanceof StartupError ? err.message : `无法启动 / Cannot start: ${err instanceof Error ? err.message : String(err)}`)
  }

  // a database from before the ledger's summaries (or loaded around the append) is summarised once, before serving
  if (await opened.storage.ledger.stale()) {
    const t0 = Date.now()
    console.log('[loudong] 正在根据记录生成台账汇总 / building the ledger summaries from the log …')
    const n = await opened.storage.ledger.rebuild()
    console.log(`[loudong] 台账汇总完成 / ledger summaries built: ${n} records, ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  }

  // production never creates demo data or demo accounts: an empty database stays empty until the import
  const production = process.env.NODE_ENV === 'production'
  let seeded: Awaited<ReturnType<typeof seedDemoIfEmpty>> = null
  try {
    if (!production) seeded = await seedDemoIfEmpty(opened.storage, { records: process.env.DEMO_RECORDS !== '0' })
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code === 'SQLITE_FULL') fail(`磁盘已满,无法写入 ${dataDir} / The disk is full; cannot write to ${dataDir}`)
    throw err
  }

  const { storage } = opened
  const demo = seeded !== null || (await hasDemoAccounts(storage))
  const app = await buildApp({ storage, distDir, demo, logger: process.env.LOG === '1', trustProxy, pushLimits })
  const head = await storage.identity.head()

  // refused records are kept QUARANTINE_KEEP_DAYS, then deleted (now, and hourly)
  const purge = () =>
    purgeQuarantine(storage, Date.now()).catch((err: unknown) => console.error(`[loudong] 清理隔离区失败 / quarantine purge failed: ${err instanceof Error ? err.message : String(err)}`))
  await purge()
  setInterval(() => void purge(), QUARANTINE_PURGE_EVERY_MS).unref()

  let closing = false
  const shutdown = (signal: string) => {
    if (closing) return
    closing = true
    console.log(`[loudong] ${signal}: 正在关闭 / shutting down`)
    const force = setTimeout(() => process.exit(1), 10_000)
    force.unref()
    app
      .close()
      .then(() => storage.close())
      .then(() => process.exit(0))
      .catch(() => process.exit(1))
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))

  try {
    await app.listen({ port, host })
  } catch (err) {
    const code = (err as { code?: string }).code
    await storage.close()
    if (code === 'EADDRINUSE') fail(`端口 ${port} 已被占用,请设置其他 PORT / Port ${port} is already in use; set another PORT`)
    if (code === 'EACCES') fail(`没有权限监听端口 ${port} / No permission to listen on port ${port}`)
    fail(`无法监听 ${host}:${port} / Cannot listen on ${host}:${port}: ${err instanceof Error ? err.message : String(err)}`)
  }

  const shownPort = (app.server.address() as { port: number } | null)?.port ?? port
  console.log(`楼栋通服务器已启动 / Loudong server running: http://localhost:${shownPort}`)
  console.log(`${opened.sqlite ? '数据目录 / data' : '数据库 / database'}: ${opened.where}`)
  console.log(`数据库身份 / database identity: ${head.identity} (highest seq ${head.highestSeq})`)
  if (seeded) {
    console.log('\n已创建演示数据(盘龙区)。演示账号 / Demo district created. Demo logins:\n')
    console.log(formatLogins(seeded))
  }
  for (const line of startupWarnings({ host, trustProxy })) console.warn(line)
  if (demo) console.warn('\n注意:这是演示数据库,含公开密码的演示账号,不要录入真实居民信息 / NOTE: this is a demo database with public demo logins; do not enter real residents')
  else if (production && (await storage.org.count()) === 0) {
    console.log('数据库为空,请导入组织架构和账号 / The database is empty; import the district: npm run admin -- import <file>')
  }
}

main().catch((err: unknown) => fail(`无法启动 / Cannot start: ${err instanceof Error ? err.message : String(err)}`))
