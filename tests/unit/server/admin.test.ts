import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runAdmin } from '../../../src/server/admin'
import { parseCsv } from '../../../src/server/importer'
import { DEMO_USERS } from '../../../src/server/demo'
import pg from 'pg'
import { BACKEND, bearer, login, pgBaseUrl, PHONES, push, setup, visit, type TestEnv } from './helpers'
import type { PushResult } from '../../../src/shared/protocol'

let env: TestEnv
let out: string[]
let err: string[]
beforeEach(async () => {
  env = await setup()
  out = []
  err = []
})
afterEach(async () => {
  await env.close()
})

const run = (...argv: string[]) => runAdmin(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, env.adminEnv)
/** these tests import into the demo tree on purpose: `--demo` says so (without it the demo database refuses, tested below) */
const admin = (...argv: string[]) => run(...(argv[0] === 'import' || argv[0] === 'user:add' ? [...argv, '--demo'] : argv))
const file = (name: string, text: string) => {
  const p = join(env.dir, name)
  writeFileSync(p, text)
  return p
}
const EXAMPLE = new URL('../../../src/server/examples/district.example.json', import.meta.url)

describe('admin import', () => {
  it('refuses a real import into the demo database, naming the command that starts clean; an empty database takes it', async () => {
    const before = await env.storage.org.count()
    expect(await run('import', EXAMPLE.pathname)).toBe(1)
    expect(err.join('\n')).toMatch(/演示数据库.*\n.*demo database[^]*NODE_ENV=production DATA_DIR=\S+ npm run admin -- import/)
    expect(await env.storage.org.count()).toBe(before)
    const clean = await setup({ seed: false })
    try {
      expect(await runAdmin(['import', EXAMPLE.pathname], { out: (l) => out.push(l), err: (l) => err.push(l) }, clean.adminEnv)).toBe(0)
      expect(await clean.storage.users.byPhone('13900000021')).toMatchObject({ name: '赵芳' })
    } finally {
      await clean.close()
    }
  })

  it('imports the committed example JSON; the new people can log in and see their scope; re-import changes nothing', async () => {
    expect(await admin('import', EXAMPLE.pathname)).toBe(0)
    expect(out.join('\n')).toMatch(/nodes 4 新增 added, 3 更新 updated; 账号 users 2 新增 added, 0 更新 updated/)
    const zhao = await login(env.app, '13900000021', 'change-me-2026')
    expect(zhao.user).toMatchObject({ name: '赵芳', role: 'building_leader', scopes: ['pl/tuodong/shangyi/g03/b01', 'pl/tuodong/shangyi/g03/b02'] })
    const org = (await env.app.inject({ url: '/api/v1/org', headers: bearer(zhao.token) })).json<{ nodes: { path: string }[] }>()
    expect(org.nodes.map((n) => n.path)).toEqual([
      'pl', 'pl/tuodong', 'pl/tuodong/shangyi', 'pl/tuodong/shangyi/g03', 'pl/tuodong/shangyi/g03/b01', 'pl/tuodong/shangyi/g03/b02',
      'pl/tuodong/shangyi/g03/rp-xiaoyuan', // the reading point of their group
    ])
    const snapshot = async () => JSON.stringify([await env.sql('SELECT * FROM org_nodes ORDER BY path'), await env.sql('SELECT * FROM users ORDER BY phone')])
    const before = await snapshot()
    expect(await admin('import', EXAMPLE.pathname)).toBe(0)
    expect(await snapshot()).toBe(before)
  })

  it('imports a CSV of nodes and a CSV of users', async () => {
    const nodes = file(
      'nodes.csv',
      [
        'path,kind,name,units,floors,roomsPerFloor,place,usualTime',
        'pl/ciba/qingsonglu/g03,group,第三居民小组,,,,,',
        'pl/ciba/qingsonglu/g03/b01,building,12栋,2,6,2,,',
        'pl/ciba/qingsonglu/g03/rp-shu,reading_point,"大树下,凉亭",,,,青松路口大树下,每天 8:00',
      ].join('\r\n') + '\r\n',
    )
    expect(await admin('import', nodes)).toBe(0)
    expect(await env.storage.org.get('pl/ciba/qingsonglu/g03/b01')).toEqual({ path: 'pl/ciba/qingsonglu/g03/b01', kind: 'building', name: '12栋', layout: { units: 2, floors: 6, roomsPerFloor: 2 } })
    expect(await env.storage.org.get('pl/ciba/qingsonglu/g03/rp-shu')).toMatchObject({ name: '大树下,凉亭', place: '青松路口大树下', usualTime: '每天 8:00' })

    const users = file('users.csv', ['phone,name,role,scopes,password', '13900000031,周丽,group_leader,pl/ciba/qingsonglu/g03,qingsong-2026', '13900000032,吴强,building_leader,pl/ciba/qingsonglu/g03/b01;pl/ciba/qingsonglu/g01/b01,qingsong-2026'].join('\n'))
    expect(await admin('import', users)).toBe(0)
    const wu = await login(env.app, '13900000032', 'qingsong-2026')
    expect(wu.user.scopes).toEqual(['pl/ciba/qingsonglu/g03/b01', 'pl/ciba/qingsonglu/g01/b01'])
  })

  it('validates everything first, reports line numbers, and imports nothing when anything is wrong', async () => {
    const users = file(
      'users.csv',
      [
        'phone,name,role,scopes,password',
        '13900000041,好人,building_leader,pl/tuodong/shangyi/g01/b01,good-pass-1',
        '1390000004,短号,building_leader,pl/tuodong/shangyi/g01/b01,good-pass-1',
        '13900000043,错角色,boss,pl/tuodong/shangyi/g01/b01,good-pass-1',
        '13900000044,无范围,building_leader,pl/nowhere/x,good-pass-1',
        '13900000045,级别不符,building_leader,pl/tuodong/shangyi,good-pass-1',
        '13900000046,短密码,building_leader,pl/tuodong/shangyi/g01/b01,123',
        '13900000041,重复,building_leader,pl/tuodong/shangyi/g01/b01,good-pass-1',
      ].join('\n'),
    )
    expect(await admin('import', users)).toBe(1)
    const msg = err.join('\n')
    expect(msg).toMatch(/未导入任何内容.*Nothing was imported/)
    expect(msg).toMatch(/第 3 行 \/ line 3: .*phone/)
    expect(msg).toMatch(/第 4 行 \/ line 4: .*role/)
    expect(msg).toMatch(/第 5 行 \/ line 5: .*pl\/nowhere\/x/)
    expect(msg).toMatch(/第 6 行 \/ line 6: .*community/)
    expect(msg).toMatch(/第 7 行 \/ line 7: .*密码/)
    expect(msg).toMatch(/第 8 行 \/ line 8: .*duplicate phone/)
    expect(msg).not.toMatch(/line 2:/)
    expect(await env.storage.users.byPhone('13900000041')).toBeNull()
  })

  it('checks node paths, kinds, parents and layouts', async () => {
    const bad = file(
      'bad.json',
      JSON.stringify({
        nodes: [
          { path: 'pl/tuodong/shangyi/g09', kind: 'group', name: '第九居民小组' },
          { path: 'pl/tuodong/shangyi/g09/b01', kind: 'building', name: '1栋' },
          { path: 'pl/tuodong/shangyi/g09/b02', kind: 'building', name: '2栋', layout: { units: 2, floors: 0, roomsPerFloor: 2 } },
          { path: 'pl/nowhere/c/g/b', kind: 'building', name: '孤楼', layout: { units: 1, floors: 1, roomsPerFloor: 1 } },
          { path: 'pl/tuodong/shangyi', kind: 'building', name: '层级错', layout: { units: 1, floors: 1, roomsPerFloor: 1 } },
          { path: 'PL/Bad Path', kind: 'street', name: '坏路径' },
          { path: 'pl/tuodong/shangyi/g01/square', kind: 'reading_point', name: '小广场', place: '广场', usualTime: '每天 8:30' },
          { path: 'pl/tuodong/shangyi/g01/rp-b9', kind: 'building', name: '9栋', layout: { units: 1, floors: 1, roomsPerFloor: 1 } },
        ],
        users: [],
      }),
    )
    expect(await admin('import', bad)).toBe(1)
    const msg = err.join('\n')
    expect(msg).toMatch(/nodes\[1\]: .*layout|nodes\[1\]: .*units/)
    expect(msg).toMatch(/nodes\[2\]: .*floors/)
    expect(msg).toMatch(/nodes\[3\]: .*pl\/nowhere\/c\/g/)
    expect(msg).toMatch(/nodes\[4\]: .*kind/)
    expect(msg).toMatch(/nodes\[5\]: .*path/)
    expect(msg).toMatch(/nodes\[6\]: .*rp-/)
    expect(msg).toMatch(/nodes\[7\]: .*rp-/)
    // the valid group was not written either
    expect(await env.storage.org.get('pl/tuodong/shangyi/g09')).toBeNull()
  })

  it('reports malformed JSON with its line', async () => {
    const bad = file('broken.json', '{\n  "nodes": [\n    {"path": "pl",}\n  ]\n}')
    expect(await admin('import', bad)).toBe(1)
    expect(err.join('\n')).toMatch(/line 3.*JSON/)
  })

  it('an existing account keeps its password when the import leaves it empty', async () => {
    const users = file('u.csv', 'phone,name,role,scopes,password\n13800000001,张秀英(改名),building_leader,pl/tuodong/mingtongxiang/g01/b01,\n')
    expect(await admin('import', users)).toBe(0)
    const res = await login(env.app, PHONES.zhang)
    expect(res.user.name).toBe('张秀英(改名)')
    expect(res.user.scopes).toEqual(['pl/tuodong/mingtongxiang/g01/b01'])
  })
})

describe('admin user commands', () => {
  it('user:add creates an account that can log in; a wrong scope level is refused', async () => {
    expect(await admin('user:add', '--phone', '13900000051', '--name', '钱明', '--role', 'building_leader', '--scope', 'pl/gulou/taoyuan/g01/b01', '--scope', 'pl/gulou/taoyuan/g01/b02', '--password', 'qian-ming-1')).toBe(0)
    const res = await login(env.app, '13900000051', 'qian-ming-1')
    expect(res.user.scopes).toEqual(['pl/gulou/taoyuan/g01/b01', 'pl/gulou/taoyuan/g01/b02'])
    expect(await admin('user:add', '--phone', '13900000052', '--name', '错', '--role', 'group_leader', '--scope', 'pl/gulou/taoyuan/g01/b01', '--password', 'qian-ming-1')).toBe(1)
    expect(err.join('\n')).toMatch(/group/)
    expect(await admin('user:add', '--phone', '13900000053', '--name', '缺')).toBe(1)
  })

  it('user:disable revokes tokens (the device then gets 403) and user:enable restores login', async () => {
    const { token } = await login(env.app, PHONES.li)
    expect(await admin('user:disable', '--phone', PHONES.li)).toBe(0)
    expect(out.join('\n')).toMatch(/revoked sessions: 1/)
    expect((await env.app.inject({ url: '/api/v1/me', headers: bearer(token) })).statusCode).toBe(403)
    expect(await admin('user:disable', '--phone', '13999999999')).toBe(1)
    expect(await admin('user:enable', '--phone', PHONES.li)).toBe(0)
    // the old token stays revoked; a fresh login works
    expect((await env.app.inject({ url: '/api/v1/me', headers: bearer(token) })).statusCode).toBe(401)
    expect((await login(env.app, PHONES.li)).token).toBeTruthy()
  })

  it('user:password sets a new password and revokes old logins', async () => {
    const { token } = await login(env.app, PHONES.wang)
    expect(await admin('user:password', '--phone', PHONES.wang, '--password', 'new-secret-9')).toBe(0)
    expect((await env.app.inject({ url: '/api/v1/me', headers: bearer(token) })).statusCode).toBe(401)
    expect((await env.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { phone: PHONES.wang, password: 'demo-1234' } })).statusCode).toBe(401)
    expect((await login(env.app, PHONES.wang, 'new-secret-9')).token).toBeTruthy()
  })

  it('prints help for the tool and for each command; unknown commands fail', async () => {
    expect(await admin('--help')).toBe(0)
    const main = out.join('\n')
    for (const c of ['import', 'user:add', 'user:disable', 'user:enable', 'backup']) {
      expect(main).toContain(`  ${c}`)
      out = []
      expect(await admin(c, '--help')).toBe(0)
      expect(out.join('\n')).toMatch(new RegExp(`^Usage: npm run admin -- ${c}`))
    }
    expect(await admin('frobnicate')).toBe(1)
    expect(await admin('user:disable', '--phone')).toBe(1)
  })
})

describe('admin backup', () => {
  if (BACKEND === 'sqlite') {
    it('makes a readable, consistent copy while pushes keep being accepted', async () => {
      const zhang = await login(env.app, PHONES.zhang)
      const first = Array.from({ length: 50 }, () => visit(zhang.user.id))
      expect((await push(env.app, zhang.token, first)).statusCode).toBe(200)
      const target = join(env.dir, 'backup.db')
      // keep pushing while the backup runs
      const during = Array.from({ length: 10 }, () => push(env.app, zhang.token, Array.from({ length: 20 }, () => visit(zhang.user.id))))
      const [code] = await Promise.all([admin('backup', target), ...during])
      expect(code).toBe(0)
      expect(out.join('\n')).toMatch(/integrity ok/)
      const copy = new Database(target, { readonly: true })
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok')
      const n = (copy.prepare('SELECT count(*) AS n FROM records').get() as { n: number }).n
      expect(n).toBeGreaterThanOrEqual(50)
      expect(n % 10).toBe(0) // whole batches only: 50 + 20k
      expect((copy.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n).toBe(DEMO_USERS.length)
      copy.close()
      // the live database got everything
      const live = await env.storage.records.count()
      expect(live).toBe(250)
      // refuses to overwrite without --force
      expect(await admin('backup', target)).toBe(1)
      expect(await admin('backup', target, '--force')).toBe(0)
    })

    it('the copy can serve as a data directory', async () => {
      const zhang = await login(env.app, PHONES.zhang)
      const r = visit(zhang.user.id)
      const res = await push(env.app, zhang.token, [r])
      expect(res.json<{ results: PushResult[] }>().results[0]!.status).toBe('accepted')
      const restored = join(env.dir, 'restored')
      const { mkdirSync } = await import('node:fs')
      mkdirSync(restored)
      expect(await admin('backup', join(restored, 'loudong.db'))).toBe(0)
      const env2 = await setup({ dir: restored, seed: false })
      try {
        const again = await login(env2.app, PHONES.zhang)
        const page = await env2.app.inject({ url: '/api/v1/sync/pull', headers: bearer(again.token) })
        expect(page.json().records.map((x: { id: string }) => x.id)).toEqual([r.id])
      } finally {
        await env2.close()
      }
    })
  } else {
    it('pg_dump makes a copy of whole batches while pushes keep being accepted; pg_restore makes it a working database', async () => {
      const zhang = await login(env.app, PHONES.zhang)
      const first = Array.from({ length: 50 }, () => visit(zhang.user.id))
      expect((await push(env.app, zhang.token, first)).statusCode).toBe(200)
      const target = join(env.dir, 'backup.dump')
      const during = Array.from({ length: 10 }, () => push(env.app, zhang.token, Array.from({ length: 20 }, () => visit(zhang.user.id))))
      const [code] = await Promise.all([admin('backup', target), ...during])
      expect(code, err.join('\n')).toBe(0)
      expect(out.join('\n')).toMatch(/pg_dump custom format/)
      expect(await env.storage.records.count()).toBe(250)
      expect(await admin('backup', target)).toBe(1)

      // restore into a new database, as the README says, and serve from it
      const schema = /search_path=(\w+)/.exec(decodeURIComponent(env.databaseUrl!))![1]!
      const dbName = `restored_${Date.now()}_${process.pid}`
      const base = pgBaseUrl()
      const server = new pg.Client({ connectionString: base })
      await server.connect()
      await server.query(`CREATE DATABASE ${dbName}`)
      try {
        const restoredUrl = base.replace('/postgres?', `/${dbName}?`)
        execFileSync('pg_restore', ['--no-owner', `--dbname=${restoredUrl}`, target])
        const env2 = await setup({ databaseUrl: `${restoredUrl}&options=${encodeURIComponent(`-c search_path=${schema}`)}`, seed: false })
        try {
          const n = await env2.storage.records.count()
          expect(n).toBeGreaterThanOrEqual(50)
          expect(n % 10).toBe(0) // whole batches only: 50 + 20k
          const again = await login(env2.app, PHONES.zhang)
          const page = await env2.app.inject({ url: '/api/v1/sync/pull?limit=1000', headers: bearer(again.token) })
          expect(page.json().records).toHaveLength(n)
        } finally {
          await env2.close()
        }
      } finally {
        await server.query(`DROP DATABASE ${dbName}`)
        await server.end()
      }
    })
  }
})

describe('the CLI process', () => {
  it('npm run admin -- --help works through tsx', () => {
    const text = execFileSync(process.execPath, ['--import', 'tsx', 'src/server/admin.ts', '--help'], { encoding: 'utf8' })
    expect(text).toContain('Usage: npm run admin -- <command>')
    expect(existsSync(EXAMPLE)).toBe(true)
    expect(JSON.parse(readFileSync(EXAMPLE, 'utf8')).users.length).toBeGreaterThan(0)
  })
})

describe('parseCsv', () => {
  it('handles quotes, escaped quotes, CRLF, BOM and blank lines with line numbers', () => {
    const rows = parseCsv('\uFEFFa,b\r\n"x, y","say ""hi"""\r\n\r\n"multi\nline",z\n')
    expect(rows).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['x, y', 'say "hi"'] },
      { line: 4, cells: ['multi\nline', 'z'] },
    ])
  })
})
