// A throwaway PostgreSQL cluster for the tests and the bench: initdb into a temp
// dir, pg_ctl start listening only on a unix socket in that dir, stop and delete at
// the end. Debian's initdb refuses to run as root, so as root it runs as `postgres`.
import { spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const HOW_TO_INSTALL =
  'PostgreSQL is needed for the server tests on PostgreSQL (the server binaries initdb and pg_ctl). ' +
  'Debian/Ubuntu: sudo apt-get install -y postgresql   (or set PG_BIN to the directory holding initdb and pg_ctl, ' +
  'or LOUDONG_TEST_PG_URL to a database the tests may create schemas in)'

/** The directory holding initdb and pg_ctl, or null. */
export function findPgBin() {
  const candidates = []
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN)
  const debian = '/usr/lib/postgresql'
  if (existsSync(debian)) {
    for (const v of readdirSync(debian).sort((a, b) => Number(b) - Number(a))) candidates.push(join(debian, v, 'bin'))
  }
  candidates.push('/usr/local/pgsql/bin', '/usr/local/bin', '/usr/bin')
  return candidates.find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl')) && existsSync(join(d, 'postgres'))) ?? null
}

function postgresIds() {
  const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' })
  const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' })
  return r.status === 0 && g.status === 0 ? { uid: Number(r.stdout), gid: Number(g.stdout) } : null
}

/**
 * Starts a cluster; returns { url, dir, stop }. `durable: false` (tests) turns fsync
 * off for speed; the bench keeps PostgreSQL's defaults, like SQLite's synchronous=FULL.
 * Throws with HOW_TO_INSTALL when the binaries are missing.
 */
export function startCluster({ durable = false, log = false } = {}) {
  const bin = findPgBin()
  if (!bin) throw new Error(HOW_TO_INSTALL)
  const dir = mkdtempSync(join(tmpdir(), 'loudong-pg-'))
  const asRoot = process.getuid?.() === 0
  let prefix = []
  if (asRoot) {
    const ids = postgresIds()
    if (!ids) throw new Error(`running as root, and there is no 'postgres' user to run initdb as. ${HOW_TO_INSTALL}`)
    chownSync(dir, ids.uid, ids.gid)
    prefix = ['runuser', '-u', 'postgres', '--']
  }
  const run = (cmd, args) => {
    const full = [...prefix, join(bin, cmd), ...args]
    const r = spawnSync(full[0], full.slice(1), { encoding: 'utf8', cwd: dir })
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.error?.message ?? ''}${r.stderr}${r.stdout}`)
    return r
  }
  const data = join(dir, 'data')
  run('initdb', ['-D', data, '-U', 'loudong', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync'])
  const settings = [
    `-k ${dir}`,
    "-c listen_addresses=''",
    '-c max_connections=300',
    '-c shared_buffers=128MB',
    ...(durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
  ].join(' ')
  run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', settings, '-w', '-t', '60', 'start'])
  const url = `postgres://loudong@/postgres?host=${encodeURIComponent(dir)}`
  let stopped = false
  const stop = () => {
    if (stopped) return
    stopped = true
    spawnSync(prefix[0] ?? join(bin, 'pg_ctl'), [...prefix.slice(1), ...(prefix.length ? [join(bin, 'pg_ctl')] : []), '-D', data, '-m', 'immediate', '-w', 'stop'], { stdio: log ? 'inherit' : 'ignore' })
    rmSync(dir, { recursive: true, force: true })
  }
  return { url, dir, stop }
}
