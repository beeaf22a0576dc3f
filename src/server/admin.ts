/**
 * `npm run admin -- <command>`: the administrator's command line. It opens the same
 * database as the server (DATABASE_URL if set, else DATA_DIR, default ./data) and may
 * run while the server runs, except `restore` (./restore.ts), which needs it stopped.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { hashPassword } from './auth'
import { recordAudit } from './audit/record'
import { auditScopeOf } from '../shared/accounts'
import { message } from '../shared/messages'
import { passwordProblem } from '../shared/password'
import { makePrivateFile, StartupError, type Db } from './db'
import { DEMO_IMPORT_REFUSED, hasDemoAccounts } from './demo'
import { ImportError, importText, validateImport, applyImport } from './importer'
import { openStorage, type Opened } from './open'
import { ROLES } from '../shared/roles'
import { restoreSqlite, POSTGRES_RESTORE_STEPS } from './restore'
import { QUARANTINE_KEEP_DAYS, quarantineCutoff } from './quarantine'

export interface AdminIo {
  out: (line: string) => void
  err: (line: string) => void
}

type Args = { values: Record<string, unknown>; positionals: string[] }

interface Command {
  usage: string
  help: string
  options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>
  positionals: number
  run: (opened: Opened, args: Args, io: AdminIo) => Promise<number>
  /** runs instead of `run` without opening the database first (restore: the file is replaced) */
  runClosed?: (where: { dataDir: string; databaseUrl: string | undefined }, args: Args, io: AdminIo) => Promise<number>
}

class UsageError extends Error {}

function need(values: Record<string, unknown>, key: string): string {
  const v = values[key]
  if (typeof v !== 'string' || v.trim() === '') throw new UsageError(`缺少 --${key} / --${key} is required`)
  return v.trim()
}

const COMMANDS: Record<string, Command> = {
  import: {
    usage: 'import <file.json|file.csv>',
    help: [
      '导入组织架构和账号;全部通过校验才写入(一个事务),重复导入结果不变。',
      'Imports org nodes and accounts; written only if everything is valid (one transaction); importing again changes nothing.',
      '',
      'JSON: {"nodes": [{"path","kind","name","layout"?,"place"?,"usualTime"?}], "users": [{"phone","name","role","scopes":[],"password"}]}',
      'CSV of users: header  phone,name,role,scopes,password   (scopes separated by ;)',
      'CSV of nodes: header  path,kind,name,units,floors,roomsPerFloor,place,usualTime',
      `kinds: district, street, community, group, building, reading_point`,
      `roles: ${ROLES.join(', ')}`,
      'An existing account keeps its password when the password is left empty.',
      'Example: src/server/examples/district.example.json',
      'A demo database (one with the demo accounts) refuses the import: real residents never share it.',
      '--demo imports into the demo anyway (to try a file out; never with real residents).',
    ].join('\n'),
    options: { demo: { type: 'boolean' } },
    positionals: 1,
    run: async ({ storage }, { values, positionals }, io) => {
      const file = resolve(positionals[0]!)
      if (!existsSync(file)) throw new UsageError(`找不到文件 / file not found: ${file}`)
      if (!values.demo && (await hasDemoAccounts(storage))) {
        io.err(DEMO_IMPORT_REFUSED)
        return 1
      }
      const s = await importText(storage, file, readFileSync(file, 'utf8'))
      io.out(
        `导入完成 / Imported: 组织节点 nodes ${s.nodesAdded} 新增 added, ${s.nodesUpdated} 更新 updated; ` +
          `账号 users ${s.usersAdded} 新增 added, ${s.usersUpdated} 更新 updated`,
      )
      return 0
    },
  },
  'user:add': {
    usage: 'user:add --phone <11 digits> --name <name> --role <role> --scope <path> [--scope <path> …] --password <password>',
    help: [
      '新增账号(或按手机号更新已有账号)。 / Adds an account (or updates the one with that phone).',
      `roles: ${ROLES.join(', ')}; a scope must be a node of the role's level (admin: any).`,
      'Example: npm run admin -- user:add --phone 13900000001 --name 赵芳 --role building_leader --scope pl/tuodong/shangyi/g01/b01 --password chang-jia-123',
      '密码规则与应用相同:至少 8 位,不能是手机号,不能是常见密码。 / The app\'s password rule: 8 characters or more, not the phone number, not a common password.',
      'A demo database (one with the demo accounts) refuses it, as import does; --demo adds to the demo anyway.',
    ].join('\n'),
    options: { phone: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, scope: { type: 'string', multiple: true }, password: { type: 'string' }, demo: { type: 'boolean' } },
    positionals: 0,
    run: async ({ storage }, { values }, io) => {
      // demo and real residents never share a database: a real account is not added to the demo
      if (!values.demo && (await hasDemoAccounts(storage))) {
        io.err(DEMO_IMPORT_REFUSED)
        return 1
      }
      const scopes = (values.scope as string[] | undefined) ?? []
      if (!scopes.length) throw new UsageError('至少一个 --scope / at least one --scope is required')
      const data = await validateImport(
        { nodes: [], users: [{ where: 'user:add', item: { phone: need(values, 'phone'), name: need(values, 'name'), role: need(values, 'role'), scopes, password: need(values, 'password') } }] },
        storage,
      )
      const s = await applyImport(storage, data)
      io.out(s.usersAdded ? `已新增账号 / Added ${data.users[0]!.phone}` : `已更新账号 / Updated ${data.users[0]!.phone}`)
      return 0
    },
  },
  'user:disable': {
    usage: 'user:disable --phone <11 digits>',
    help: '停用账号并注销其全部登录;设备下次同步时会清除本机数据。 / Disables an account and revokes all its logins; its devices wipe themselves at the next sync.',
    options: { phone: { type: 'string' } },
    positionals: 0,
    run: async ({ storage }, { values }, io) => {
      const phone = need(values, 'phone')
      const user = await storage.users.byPhone(phone)
      if (!user) throw new UsageError(`没有这个手机号的账号 / no account with phone ${phone}`)
      const now = Date.now()
      const revoked = await storage.transaction(async (tx) => {
        await tx.users.setDisabled(phone, new Date(now).toISOString())
        const sessions = await tx.sessions.revokeAllFor(user.id, now)
        await recordAudit(tx, { actorId: null, action: 'account.disable', scope: auditScopeOf(user.scopes), target: user.id, detail: { sessions }, now })
        return sessions
      })
      io.out(`已停用 / Disabled ${phone} ${user.name}; 注销登录 revoked sessions: ${revoked}`)
      return 0
    },
  },
  'user:enable': {
    usage: 'user:enable --phone <11 digits>',
    help: '重新启用账号(需要重新登录)。 / Enables a disabled account again (it logs in afresh).',
    options: { phone: { type: 'string' } },
    positionals: 0,
    run: async ({ storage }, { values }, io) => {
      const phone = need(values, 'phone')
      const user = await storage.users.byPhone(phone)
      if (!user) throw new UsageError(`没有这个手机号的账号 / no account with phone ${phone}`)
      await storage.transaction(async (tx) => {
        await tx.users.setDisabled(phone, null)
        await recordAudit(tx, { actorId: null, action: 'account.enable', scope: auditScopeOf(user.scopes), target: user.id })
      })
      io.out(`已启用 / Enabled ${phone}`)
      return 0
    },
  },
  'user:password': {
    usage: 'user:password --phone <11 digits> --password <new password> [--once]',
    help: [
      '重设密码并注销该账号已有的登录。 / Sets a new password and revokes the account\'s existing logins.',
      '--once: 一次性密码,本人下次登录时必须改掉。 / a one-time code the person must change at the next login.',
      '密码规则与应用相同:至少 8 位,不能是手机号,不能是常见密码。 / The app\'s password rule: 8 characters or more, not the phone number, not a common password.',
    ].join('\n'),
    options: { phone: { type: 'string' }, password: { type: 'string' }, once: { type: 'boolean' } },
    positionals: 0,
    run: async ({ storage }, { values }, io) => {
      const phone = need(values, 'phone')
      const password = need(values, 'password')
      const user = await storage.users.byPhone(phone)
      if (!user) throw new UsageError(`没有这个手机号的账号 / no account with phone ${phone}`)
      const problem = passwordProblem(password, user.phone)
      if (problem) throw new UsageError(`${message(problem, 'zh-CN')} / ${message(problem, 'en')}`)
      const hash = await hashPassword(password)
      const once = values.once === true
      const now = Date.now()
      await storage.transaction(async (tx) => {
        await tx.users.setPassword(user.id, hash, once)
        const sessions = await tx.sessions.revokeAllFor(user.id, now)
        await recordAudit(tx, {
          actorId: null,
          action: once ? 'account.reset_password' : 'account.password_changed',
          scope: auditScopeOf(user.scopes),
          target: user.id,
          detail: { sessions, by: 'cli' },
          now,
        })
      })
      io.out(`已重设密码 / Password changed for ${phone}${once ? ' (一次性密码,下次登录须修改 / one-time: to be changed at the next login)' : ''}`)
      return 0
    },
  },
  backup: {
    usage: 'backup <file>',
    help: [
      '在线备份数据库到一个新文件;服务器无需停止,备份是某一时刻的一致副本。',
      'Copies the database to a new file while the server keeps running; the copy is consistent as of one moment.',
      'SQLite: a database file. PostgreSQL: runs pg_dump --format=custom (restore with pg_restore, see the README).',
      'Example: npm run admin -- backup backups/loudong-2026-05-01.db',
    ].join('\n'),
    options: { force: { type: 'boolean' } },
    positionals: 1,
    run: async (opened, { values, positionals }, io) => {
      const file = resolve(positionals[0]!)
      if (existsSync(file) && !values.force) throw new UsageError(`文件已存在(加 --force 覆盖) / the file exists (add --force to overwrite): ${file}`)
      if (!opened.sqlite) return backupPostgres(opened, file, io)
      const db: Db = opened.sqlite
      // created 0600 before SQLite writes into it: a backup holds residents' data
      makePrivateFile(file)
      // After the first step, copy all remaining pages in one step: one read snapshot,
      // so writers never make the copy start over.
      await db.backup(file, { progress: () => 0x7fffffff })
      const copy = new Database(file, { readonly: true, fileMustExist: true })
      try {
        const check = copy.pragma('integrity_check', { simple: true })
        const records = (copy.prepare('SELECT count(*) AS n FROM records').get() as { n: number }).n
        if (check !== 'ok') {
          io.err(`备份校验失败 / the backup failed its integrity check: ${String(check)}`)
          return 1
        }
        io.out(`备份完成 / Backup written: ${file} (${records} records, integrity ok)`)
      } finally {
        copy.close()
      }
      return 0
    },
  },
}

/** Restore, identity and quarantine: the recovery and abuse commands (README "Restore", "Abuse limits"). */
const RECOVERY_COMMANDS: Record<string, Command> = {
  restore: {
    usage: 'restore <backup-file>',
    help: [
      '用备份替换数据库(SQLite;先停止服务器)。检查备份文件,原数据库改名保留,删除旧的 -wal/-shm,并给数据库一个新身份:',
      '备份之后同步过的手机会在下次同步时重新上传服务器缺少的记录,再从头下载。',
      'Replaces the database with a backup (SQLite; stop the server first). Checks the file (integrity, a Loudong',
      'database, a schema this build knows), keeps the current database beside it under a new name, removes stale',
      '-wal/-shm files and gives the database a new identity: phones that synced after the backup send what the server',
      'lacks again at their next sync, then pull from the start.',
      '',
      'PostgreSQL: see the README ("Restore"):',
      ...POSTGRES_RESTORE_STEPS,
    ].join('\n'),
    options: {},
    positionals: 1,
    run: () => Promise.reject(new Error('unreachable')),
    runClosed: async ({ dataDir, databaseUrl }, { positionals }, io) => {
      if (databaseUrl?.trim()) {
        io.err(['PostgreSQL 用 pg_restore 恢复,再更新数据库身份 / On PostgreSQL restore with pg_restore, then renew the identity:', ...POSTGRES_RESTORE_STEPS].join('\n'))
        return 1
      }
      return restoreSqlite(resolve(positionals[0]!), resolve(dataDir), io)
    },
  },
  'identity:renew': {
    usage: 'identity:renew',
    help: [
      '给数据库一个新身份(PostgreSQL 用 pg_restore 恢复后运行;SQLite 的 restore 已自动完成)。',
      'Gives the database a new identity: run it after a pg_restore (SQLite\'s restore does it itself). Phones that',
      'see the new identity send again the records the server lacks and pull from the start.',
    ].join('\n'),
    options: {},
    positionals: 0,
    run: async ({ storage }, _args, io) => {
      const head = await storage.identity.renew(new Date().toISOString())
      io.out(`数据库新身份 / New database identity: ${head.identity} (highest seq ${head.highestSeq})`)
      return 0
    },
  },
  'quarantine:list': {
    usage: 'quarantine:list [--phone <11 digits>] [--limit <n>] [--raw]',
    help: [
      '列出被服务器拒收的记录(隔离区),最新的在前;--phone 只看一个账号,--raw 显示收到的原文。',
      'Lists the records the server refused (the quarantine), newest first; --phone for one account, --raw prints what was received.',
      `Rows older than ${QUARANTINE_KEEP_DAYS} days (QUARANTINE_KEEP_DAYS) are purged by the server; each account keeps at most its newest 1000.`,
    ].join('\n'),
    options: { phone: { type: 'string' }, limit: { type: 'string' }, raw: { type: 'boolean' } },
    positionals: 0,
    run: async ({ storage }, { values }, io) => {
      const limit = values.limit === undefined ? 100 : Number(values.limit)
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit 应为正整数 / --limit must be a positive whole number')
      let rows
      if (values.phone !== undefined) {
        const user = await storage.users.byPhone(need(values, 'phone'))
        if (!user) throw new UsageError(`没有这个手机号的账号 / no account with phone ${String(values.phone)}`)
        rows = await storage.quarantine.byUsers([user.id], limit)
      } else {
        rows = (await storage.quarantine.list(Number.MAX_SAFE_INTEGER)).reverse().slice(0, limit)
      }
      for (const r of rows) {
        io.out(`#${r.qid} ${r.receivedAt} user ${r.userId} record ${r.recordId ?? '-'} ${r.code}${r.path ? ` at ${r.path}` : ''}: ${r.reason}`)
        if (values.raw) io.out(`  ${r.raw}`)
      }
      io.out(`共 ${rows.length} 条 / ${rows.length} rows`)
      return 0
    },
  },
  'quarantine:purge': {
    usage: 'quarantine:purge [--older-than-days <n>] [--phone <11 digits>]',
    help: [
      `删除隔离区中超过 n 天的记录(默认 ${QUARANTINE_KEEP_DAYS} 天),或一个账号的全部记录;已交给社区处理的保留。`,
      `Deletes quarantined rows older than n days (default ${QUARANTINE_KEEP_DAYS}), or all of one account's; rows handed over to the community stay.`,
    ].join('\n'),
    options: { 'older-than-days': { type: 'string' }, phone: { type: 'string' } },
    positionals: 0,
    run: async ({ storage }, { values }, io) => {
      if (values.phone !== undefined) {
        const user = await storage.users.byPhone(need(values, 'phone'))
        if (!user) throw new UsageError(`没有这个手机号的账号 / no account with phone ${String(values.phone)}`)
        const n = await storage.quarantine.purge({ userId: user.id })
        io.out(`已删除 ${n} 条 / Deleted ${n} rows of ${user.phone}`)
        return 0
      }
      const days = values['older-than-days'] === undefined ? QUARANTINE_KEEP_DAYS : Number(values['older-than-days'])
      if (!Number.isFinite(days) || days < 0) throw new UsageError('--older-than-days 应为非负数 / --older-than-days must be 0 or more')
      const n = await storage.quarantine.purge({ before: quarantineCutoff(Date.now(), days) })
      io.out(`已删除 ${n} 条 / Deleted ${n} rows older than ${days} days`)
      return 0
    },
  },
}
Object.assign(COMMANDS, RECOVERY_COMMANDS)

/** pg_dump of DATABASE_URL into `file` (custom format), then pg_restore --list as its check. */
async function backupPostgres(opened: Opened, file: string, io: AdminIo): Promise<number> {
  const url = opened.url!
  const records = await opened.storage.records.count()
  // only the schema the server uses, when it is not the default one
  const only = opened.schema && opened.schema !== 'public' ? [`--schema=${opened.schema}`] : []
  // created 0600 before pg_dump writes into it (it keeps an existing file's mode)
  makePrivateFile(file)
  const dump = spawnSync('pg_dump', ['--format=custom', '--no-owner', ...only, `--file=${file}`, url], { encoding: 'utf8' })
  if (dump.error || dump.status !== 0) {
    io.err(`pg_dump 失败(需要安装 PostgreSQL 客户端) / pg_dump failed (the PostgreSQL client tools are needed): ${dump.error?.message ?? dump.stderr.trim()}`)
    return 1
  }
  const list = spawnSync('pg_restore', ['--list', file], { encoding: 'utf8' })
  if (list.status !== 0 || !/TABLE DATA \S+ records /.test(list.stdout)) {
    io.err(`备份校验失败 / the backup failed its check: ${list.stderr.trim()}`)
    return 1
  }
  io.out(`备份完成 / Backup written: ${file} (pg_dump custom format, ${records} records at start; restore: pg_restore --dbname=… ${file})`)
  return 0
}

function mainHelp(): string {
  return [
    '楼栋通管理命令 / Loudong admin',
    '',
    'Usage: npm run admin -- <command> [options]',
    '',
    ...Object.values(COMMANDS).map((c) => `  ${c.usage}`),
    '',
    'npm run admin -- <command> --help   shows the details of one command.',
    'Options for every command: --data-dir <dir> (default: $DATA_DIR or ./data); with DATABASE_URL=postgres://… set, that database instead',
  ].join('\n')
}

/** Runs one admin command; returns the exit code. */
export async function runAdmin(argv: string[], io: AdminIo, env: { dataDir?: string; databaseUrl?: string } = {}): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(mainHelp())
    return name ? 0 : 1
  }
  const cmd = COMMANDS[name]
  if (!cmd) {
    io.err(`不认识的命令 / unknown command: ${name}\n\n${mainHelp()}`)
    return 1
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`Usage: npm run admin -- ${cmd.usage}\n\n${cmd.help}`)
    return 0
  }
  let parsed: { values: Record<string, unknown>; positionals: string[] }
  try {
    parsed = parseArgs({ args: rest, options: { ...cmd.options, 'data-dir': { type: 'string' } }, allowPositionals: true, strict: true })
    if (parsed.positionals.length !== cmd.positionals) throw new UsageError(`参数数量不对 / wrong number of arguments`)
  } catch (err) {
    io.err(`${err instanceof Error ? err.message : String(err)}\nUsage: npm run admin -- ${cmd.usage}`)
    return 1
  }
  const dataDir = (parsed.values['data-dir'] as string | undefined) ?? env.dataDir ?? process.env.DATA_DIR ?? './data'
  if (cmd.runClosed) {
    try {
      return await cmd.runClosed({ dataDir, databaseUrl: env.databaseUrl ?? process.env.DATABASE_URL }, parsed, io)
    } catch (err) {
      io.err(err instanceof StartupError ? err.message : `失败 / Failed: ${err instanceof Error ? err.message : String(err)}`)
      return 1
    }
  }
  let opened: Opened
  try {
    opened = await openStorage({ databaseUrl: env.databaseUrl ?? process.env.DATABASE_URL, dataDir, poolSize: '2' })
  } catch (err) {
    io.err(err instanceof StartupError ? err.message : String(err))
    return 1
  }
  try {
    return await cmd.run(opened, parsed, io)
  } catch (err) {
    if (err instanceof ImportError) {
      io.err(`未导入任何内容,请修正以下问题 / Nothing was imported; fix these problems:\n${err.message}`)
    } else if (err instanceof UsageError) {
      io.err(`${err.message}\nUsage: npm run admin -- ${cmd.usage}`)
    } else {
      io.err(`失败 / Failed: ${err instanceof Error ? err.message : String(err)}`)
    }
    return 1
  } finally {
    await opened.storage.close()
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // everything this command creates (backups, a restored database) is the server user's alone
  process.umask(0o077)
  runAdmin(process.argv.slice(2), { out: (l) => console.log(l), err: (l) => console.error(l) }).then((code) => process.exit(code))
}
