/**
 * Issue 7, hostile input: thousands of generated hostile requests (seeded, so a
 * failure replays) to every route of a real server process on loopback. No 5xx,
 * the process keeps serving, every API error is JSON {error:{code,message}},
 * and the records table ends as it began plus exactly the valid in-scope
 * records the fuzzer deliberately slipped in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { Agent, request as httpRequest } from 'node:http'
import { uuidv7 } from '@shared/ids'
import { apiLogin, cleanup, startServer, type RunningServer } from './harness'

const SEED = Number(process.env.FUZZ_SEED ?? 20240501)
const TOTAL = Number(process.env.FUZZ_REQUESTS ?? 5600)
const CONCURRENCY = 12
const B01 = 'pl/tuodong/mingtongxiang/g01/b01'
const B02 = 'pl/tuodong/mingtongxiang/g01/b02'
const OTHER_COMMUNITY = 'pl/tuodong/zhuangyuanlou/g01/b01'

/** mulberry32: small, fast, good enough to pick hostile cases reproducibly. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const rand = prng(SEED)
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1))

const SQL = ["'; DROP TABLE records; --", '1 OR 1=1', "\" OR \"\"=\"", 'Robert\'); DELETE FROM sessions;--', 'UNION SELECT password_hash FROM users', '%00%27', '${7*7}{{7*7}}']
const EMOJI = ['🙂', '👵🏻', '🏠', '👨‍👩‍👧‍👦', '🇨🇳', '\u{1F9D3}\u{1F3FD}']
const WEIRD = ['\u0000', 'a\u0000b', '\uFEFF', '\u202E反向', '\uD800', '\uDFFF', '\u0007', '\r\n\t', '<script>alert(1)</script>', '../../etc/passwd', '%2e%2e%2f']
const longUnicode = (n: number) => Array.from({ length: n }, () => pick(['楼', '栋', '长', '𠀋', 'é', '🙂', 'ß', 'ж'])).join('')
const hostileString = () => pick([pick(SQL), pick(EMOJI), pick(WEIRD), longUnicode(int(1, 300)), '', ' ', 'x'.repeat(int(1000, 70_000))])
const hostileValue = (): unknown => pick([null, true, 0, -1, 1e308, -0, 'NaN', [], {}, [null], { $gt: '' }, hostileString(), 2 ** 53 + 1])

interface Sent {
  kind: string
  method: string
  path: string
  headers: Record<string, string>
  body?: string | Buffer
}

interface Ctx {
  tokens: { zhang: string; li: string; wang: string }
  zhangId: string
  liId: string
  /** ids of the valid in-scope records the fuzzer sent on purpose */
  valid: Set<string>
  /** their notes, to check they come back byte for byte */
  notes: Map<string, string>
}

function validVisit(ctx: Ctx, building = pick([B01, B02])): Record<string, unknown> {
  const now = Date.now()
  const id = uuidv7(now)
  ctx.valid.add(id)
  // legal but unfriendly content: emoji, SQL-looking text, NUL and long Unicode inside the note are all allowed
  const note = pick(['', pick(SQL), pick(EMOJI).repeat(int(1, 20)), `楼道灯坏了${'\u0000'}三楼`, longUnicode(int(1, 1500))])
  ctx.notes.set(id, note)
  return {
    id, type: 'visit', v: 1, orgPath: building, authorId: ctx.zhangId, deviceId: `fuzz-${int(1, 9)}`, clientTime: new Date(now).toISOString(),
    body: { household: `${int(1, 2)}-${int(1, 6)}-${int(1, 2)}`, outcome: pick(['met', 'nobody_home', 'declined']), purposes: [], note, visitedAt: new Date(now - int(0, 86_400_000)).toISOString() },
  }
}

/** A visit that looks right but must be refused: forged or out of scope or malformed inside. */
function forgedVisit(ctx: Ctx): Record<string, unknown> {
  const now = Date.now()
  const base = {
    id: uuidv7(now), type: 'visit', v: 1, orgPath: B01, authorId: ctx.zhangId, deviceId: 'fuzz', clientTime: new Date(now).toISOString(),
    body: { household: '1-1-1', outcome: 'met', purposes: [], note: '', visitedAt: new Date(now).toISOString() } as Record<string, unknown>,
  } as Record<string, unknown>
  switch (int(0, 16)) {
    case 0: return { ...base, authorId: ctx.liId }
    case 1: return { ...base, orgPath: OTHER_COMMUNITY }
    case 2: return { ...base, seq: int(1, 1e6) }
    case 3: return { ...base, serverTime: new Date(0).toISOString() }
    case 4: return { ...base, orgPath: pick(["pl/tuodong/mingtongxiang/g01/b01' OR '1'='1", 'pl/../etc', 'pl', 'pl/tuodong/mingtongxiang/g01/b99', '']) }
    case 5: return { ...base, body: { ...(base.body as object), note: longUnicode(2001 + int(0, 5000)) } }
    case 6: return { ...base, body: { ...(base.body as object), household: pick(['9-9-9', "1-1-1'; --", '1-1-1\u0000', '🙂']) } }
    case 7: return { ...base, body: { ...(base.body as object), extra: hostileValue() } }
    case 8: return { ...base, unknownField: hostileValue() }
    case 9: return { ...base, id: pick(['1', 'x'.repeat(100), "'; DROP TABLE records;--", '00000000-0000-0000-0000-000000000000']) }
    case 10: return { ...base, type: pick(['user', 'session', '__proto__', 'visit ', 'VISIT']) }
    case 11: return { ...base, v: pick([0, -1, 1.5, '1', 1e9]) }
    case 12: return { ...base, body: { ...(base.body as object), visitedAt: new Date(now + 10 * 86_400_000).toISOString() } }
    case 13: return { ...base, clientTime: pick(['yesterday', '2024-13-45T99:99:99Z', '']) }
    // any 1–64 character deviceId is legal (it names a phone), so only an impossible one is forged
    case 15: return { ...base, deviceId: pick(['', 'd'.repeat(65), 42, null, ['x']]) }
    default: return { ...base, [pick(['authorId', 'orgPath', 'clientTime', 'body'])]: hostileValue() }
  }
}

function deep(depth: number, withProto: boolean): string {
  const open = withProto ? '{"__proto__":{"a":' : '{"a":'
  return open.repeat(depth) + '1' + '}'.repeat(depth * (withProto ? 2 : 1))
}

const json = (o: unknown) => JSON.stringify(o)
const auth = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' })

/** One generated request of the given kind. */
function generate(kind: string, ctx: Ctx): Sent {
  const t = ctx.tokens
  const push = (body: string | Buffer, token = pick([t.zhang, t.zhang, t.li, t.wang])): Sent => ({ kind, method: 'POST', path: '/api/v1/sync/push', headers: auth(token), body })
  const login = (body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }): Sent => ({ kind, method: 'POST', path: '/api/v1/auth/login', headers, body })
  switch (kind) {
    case 'malformed JSON': {
      const text = pick(['{', '{"records":[', '{"records":[{]}', "{'records':[]}", '[1,2', 'nul', '{"a":1,}', '\u0000', '{"phone":"1380000000', '"', '{"records":NaN}', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}'])
      return pick([push(text), login(text), { kind, method: 'POST', path: '/api/v1/auth/logout', headers: auth(t.li), body: text }])
    }
    case 'wrong types': {
      const body = pick([json({ records: hostileValue() }), json(hostileValue()), json({ records: [hostileValue(), hostileValue()] }), json([{ records: [] }])])
      const creds = json({ phone: hostileValue(), password: hostileValue() })
      return pick([push(body), login(creds), login(json({ phone: '13800000001' })), login('{}', { 'content-type': pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16']) })])
    }
    case 'huge bodies': {
      // a few megabyte-size pushes (the 2 MB limit) and many over the 64 kB login limit
      if (rand() < 0.12) return push(json({ records: [{ note: 'x'.repeat(2 * 1024 * 1024 + int(1, 1000)) }] }))
      if (rand() < 0.3) return push(json({ records: Array.from({ length: 501 }, () => ({})) }))
      return login(json({ phone: '13800000001', password: 'p'.repeat(64 * 1024 + int(1, 5000)) }))
    }
    case 'deep nesting': {
      const body = deep(int(100, 20_000), rand() < 0.4)
      return pick([push(`{"records":[${body}]}`), push(body), login(body), push(`{"records":${'['.repeat(int(1000, 50_000))}${']'.repeat(0)}`)])
    }
    case 'NUL and control bytes': {
      const s = pick(WEIRD)
      return pick([login(json({ phone: `1380000000${s}1`, password: `demo${s}1234` })), push(json({ records: [{ ...forgedVisit(ctx), id: `0190b3f0-0000-7000-8000-0000000000${s}` }] })), push(Buffer.from([0x7b, 0x00, 0x7d]))])
    }
    case 'emoji and long Unicode':
      return pick([login(json({ phone: pick(EMOJI).repeat(int(1, 50)), password: longUnicode(int(1, 200)) })), push(json({ records: [{ ...forgedVisit(ctx), body: { household: pick(EMOJI), outcome: '见到', purposes: [longUnicode(50)], note: longUnicode(int(2001, 30_000)), visitedAt: '🙂' } }] }))])
    case 'unknown fields':
      return pick([push(json({ records: [], extra: hostileValue(), __proto__: { admin: true } })), login(json({ phone: '13800000001', password: 'x', role: 'admin', scopes: ['pl'] })), push(json({ records: [{ ...forgedVisit(ctx), role: 'admin' }] }))])
    case 'SQL-looking text':
      return pick([login(json({ phone: pick(SQL), password: pick(SQL) })), { kind, method: 'GET', path: `/api/v1/sync/pull?after=${encodeURIComponent(pick(SQL))}`, headers: auth(t.zhang) }, push(json({ records: [{ ...forgedVisit(ctx), orgPath: pick(SQL) }] }))])
    case 'forged fields and other communities': {
      const n = int(1, 20)
      const records = Array.from({ length: n }, () => forgedVisit(ctx))
      // the building leader of another community pushing into this one, and this one's leader pushing there
      if (rand() < 0.3) return push(json({ records: records.map((r) => ({ ...r, authorId: ctx.liId, orgPath: pick([B01, B02]) })) }), t.li)
      return push(json({ records }), t.zhang)
    }
    case 'bad tokens': {
      const header = pick(['Bearer ', 'Bearer x', `Bearer ${'a'.repeat(300)}`, 'Basic dXNlcjpwYXNz', `Bearer ${t.zhang}x`, `bearer ${pick(SQL)}`, `Bearer ${'🙂'.repeat(30)}`, 'Bearer\u0000abcdefghijklmnopqrstuvwxyz', `Bearer ${t.zhang.slice(0, -1)}`])
      const path = pick(['/api/v1/sync/push', '/api/v1/sync/pull', '/api/v1/org', '/api/v1/me', '/api/v1/auth/logout'])
      const method = path.endsWith('push') || path.endsWith('logout') ? 'POST' : 'GET'
      // headers travel as bytes: emoji go as raw UTF-8; a NUL byte cannot be put in a header at all, so it becomes a plain bad token
      const bytes = Buffer.from(header.includes('\u0000') ? 'Bearer invalid' : header, 'utf8').toString('latin1')
      return { kind, method, path, headers: { authorization: bytes, 'content-type': 'application/json' }, ...(method === 'POST' ? { body: '{"records":[]}' } : {}) }
    }
    case 'bad query params': {
      const q = pick(['after=-1', 'after=abc', 'limit=0', 'limit=-5', 'limit=99999999999', 'after=1e3', 'after=99999999999999999999', 'after=1&after=2', 'limit[]=1', 'after=%00', 'after=0x10', 'after= 1', `after=${'9'.repeat(400)}`, '__proto__[x]=1', 'limit=2000&after=0'])
      return { kind, method: 'GET', path: `${pick(['/api/v1/sync/pull', '/api/v1/org', '/api/v1/me', '/api/v1/health'])}?${q}`, headers: auth(pick([t.zhang, t.wang, t.li])) }
    }
    case 'odd methods and paths': {
      const method = pick(['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'GET', 'POST', 'HEAD'])
      const path = pick(['/api/v1/records', '/api/v1/sync', '/api/v1/sync/push/../pull', '/api/v2/sync/pull', '/api/v1/users', '/api/../../etc/passwd', '/api/v1/%00', '/api/v1/sync/pull/', '/api', '/api/', '/index.html', '/sw.js', '/visits/h/1-1-1/pl/x', '/assets/%2e%2e/%2e%2e/package.json', `/${longUnicode(50)}`, '/..%2f..%2fetc%2fpasswd'])
      return { kind, method, path, headers: auth(t.zhang), ...(method === 'POST' || method === 'PUT' || method === 'PATCH' ? { body: '{}' } : {}) }
    }
    case 'valid in-scope records (mixed with hostile)': {
      const records = [validVisit(ctx), ...Array.from({ length: int(0, 4) }, () => forgedVisit(ctx)), ...(rand() < 0.5 ? [validVisit(ctx)] : [])].sort(() => rand() - 0.5)
      return push(json({ records }), t.zhang)
    }
    default:
      throw new Error(`unknown kind ${kind}`)
  }
}

const KINDS = [
  'malformed JSON', 'wrong types', 'huge bodies', 'deep nesting', 'NUL and control bytes', 'emoji and long Unicode', 'unknown fields',
  'SQL-looking text', 'forged fields and other communities', 'bad tokens', 'bad query params', 'odd methods and paths', 'valid in-scope records (mixed with hostile)',
] as const

interface Answer {
  sent: Sent
  status: number
  text: string
}

const agent = new Agent({ keepAlive: true, maxSockets: 16 })

/**
 * Raw node:http rather than fetch: a server refusing a 2 MB body answers 413
 * before reading it and closes the socket, and fetch then reports only "fetch
 * failed" although the answer arrived. Here the answer counts once it is read.
 */
function send(server: RunningServer, s: Sent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answered = false
    const req = httpRequest(`${server.url}${s.path}`, { method: s.method, headers: s.headers, agent }, (res) => {
      answered = true
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ sent: s, status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('error', (e) => {
      if (!answered) reject(e)
    })
    req.end(s.body)
  })
}

function recordIds(server: RunningServer): string[] {
  const db = new Database(join(server.dataDir, 'loudong.db'), { readonly: true, fileMustExist: true })
  try {
    return (db.prepare('SELECT id FROM records ORDER BY seq').all() as { id: string }[]).map((r) => r.id)
  } finally {
    db.close()
  }
}

/** `{error:{code,message}}` with both strings, or null. */
function jsonError(text: string): { code: string; message: string } | null {
  try {
    const e = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } } | null)?.error
    return typeof e?.code === 'string' && typeof e.message === 'string' && e.message ? { code: e.code, message: e.message } : null
  } catch {
    return null
  }
}

/** The records of a push as sent (a body nested too deep for this process's own JSON.parse has none worth noting). */
function sentRecordList(sent: Sent): { id: string }[] {
  try {
    const records = (JSON.parse(String(sent.body)) as { records?: unknown }).records
    return Array.isArray(records) ? records.filter((r): r is { id: string } => typeof (r as { id?: unknown } | null)?.id === 'string') : []
  } catch {
    return []
  }
}

let server: RunningServer
beforeAll(async () => {
  server = await startServer({ distDir: '/nonexistent-dist' })
})
afterAll(async () => {
  await server?.stop()
  if (server) cleanup(server.dataDir)
})

describe('hostile input to every route', () => {
  it(`${TOTAL} seeded hostile requests: no 5xx, JSON errors, still serving, only the valid in-scope records stored`, async () => {
    const started = Date.now()
    const [zhang, li, wang] = await Promise.all(['13800000001', '13800000011', '13800000002'].map((p) => apiLogin(server.url, p)))
    const me = async (token: string) => ((await (await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).json()) as { user: { id: string } }).user.id
    const ctx: Ctx = { tokens: { zhang: zhang!, li: li!, wang: wang! }, zhangId: await me(zhang!), liId: await me(li!), valid: new Set(), notes: new Map() }
    const before = recordIds(server)

    const counts = new Map<string, number>()
    const statuses = new Map<number, number>()
    const problems: string[] = []
    const accepted = new Set<string>()
    const sentRecords = new Map<string, string>()
    let next = 0
    const worker = async () => {
      while (next < TOTAL) {
        const kind = KINDS[next++ % KINDS.length]!
        const sent = generate(kind, ctx)
        counts.set(kind, (counts.get(kind) ?? 0) + 1)
        let answer: Answer
        try {
          answer = await send(server, sent)
        } catch (e) {
          // a body over the limit is refused as soon as its Content-Length is read; the server then closes the
          // socket while the client is still uploading, so the client may see the close before the 413
          const code = (e as { code?: string }).code
          const oversized = Buffer.byteLength(sent.body ?? '') > 2 * 1024 * 1024
          if (oversized && (code === 'EPIPE' || code === 'ECONNRESET')) {
            statuses.set(-1, (statuses.get(-1) ?? 0) + 1)
            continue
          }
          problems.push(`${kind} ${sent.method} ${sent.path}: no answer (${(e as Error).message})`)
          continue
        }
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1)
        if (answer.status >= 500) problems.push(`${kind} ${sent.method} ${sent.path}: ${answer.status} ${answer.text.slice(0, 200)}`)
        if (answer.status >= 400 && sent.path.startsWith('/api') && sent.method !== 'HEAD') {
          const err = jsonError(answer.text)
          if (!err) {
            problems.push(`${kind} ${sent.method} ${sent.path}: ${answer.status} not a JSON error: ${answer.text.slice(0, 120)}`)
          }
        }
        if (answer.status === 200 && sent.path === '/api/v1/sync/push') {
          for (const r of sentRecordList(sent)) sentRecords.set(r.id, JSON.stringify(r).slice(0, 400) + ` token=${sent.headers.authorization === `Bearer ${zhang}` ? 'zhang' : sent.headers.authorization === `Bearer ${li}` ? 'li' : 'wang'}`)
          for (const r of (JSON.parse(answer.text) as { results: { id: string; status: string }[] }).results) if (r.status === 'accepted') accepted.add(r.id)
        }
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker))
    const seconds = (Date.now() - started) / 1000

    console.log(`fuzz (seed ${SEED}): ${TOTAL} requests in ${seconds.toFixed(1)} s`)
    console.table(Object.fromEntries([...counts].map(([k, n]) => [k, n])))
    console.log('statuses (-1: oversized upload cut off by the server)', Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))
    console.log(`valid in-scope records sent: ${ctx.valid.size}, accepted: ${accepted.size}`)

    expect(problems.slice(0, 20)).toEqual([])
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(5000)
    // still serving, and still answering properly
    const health = await fetch(`${server.url}/api/v1/health`)
    expect(health.status).toBe(200)
    expect(server.proc.exitCode).toBeNull()
    // exactly the deliberate valid records were added: nothing forged, nothing out of scope
    expect([...accepted].filter((id) => !ctx.valid.has(id)).map((id) => sentRecords.get(id))).toEqual([])
    expect(accepted).toEqual(ctx.valid)
    expect(new Set(recordIds(server))).toEqual(new Set([...before, ...ctx.valid]))
    // and their hostile-but-legal content came back intact (NUL bytes, emoji, SQL-looking text)
    const pulled = new Map<string, unknown>()
    for (let after = 0; ; ) {
      const page = (await (await fetch(`${server.url}/api/v1/sync/pull?after=${after}&limit=2000`, { headers: { authorization: `Bearer ${zhang}` } })).json()) as { records: { id: string; body: { note: string } }[]; cursor: number; more: boolean }
      for (const r of page.records) pulled.set(r.id, r.body.note)
      if (!page.more) break
      after = page.cursor
    }
    const changed = [...ctx.valid].filter((id) => pulled.get(id) !== ctx.notes.get(id))
    expect(changed).toEqual([])
    expect([...ctx.notes.values()].some((n) => n.includes('\u0000'))).toBe(true)
  }, 180_000)
})
