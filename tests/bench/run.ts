/**
 * `npm run bench` starts here. The bench's own packages (Lighthouse, PouchDB
 * and express-pouchdb, autocannon) are a package of their own in tests/bench,
 * so the app's `npm install` stays lean: this installs them from
 * tests/bench/package-lock.json the first time (and after the lock changes),
 * then runs the bench (main.ts). Options: see main.ts.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const BENCH = fileURLToPath(new URL('.', import.meta.url))

/** Why the bench's packages need (re)installing, or null when they are in place. */
export function installNeeded(dir: string): string | null {
  const hidden = join(dir, 'node_modules/.package-lock.json')
  if (!existsSync(hidden)) return 'not installed yet'
  if (statSync(join(dir, 'package-lock.json')).mtimeMs > statSync(hidden).mtimeMs) return 'package-lock.json changed'
  const { dependencies = {} } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }
  const missing = Object.keys(dependencies).filter((name) => !existsSync(join(dir, 'node_modules', name, 'package.json')))
  return missing.length ? `missing ${missing.join(', ')}` : null
}

const why = installNeeded(BENCH)
if (why) {
  process.stderr.write(`[bench] installing the bench's packages into tests/bench/node_modules (${why}) …\n`)
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: BENCH, stdio: 'inherit' })
  if (r.status !== 0) {
    process.stderr.write('[bench] `npm ci` in tests/bench failed; the bench needs Lighthouse, PouchDB and autocannon from the npm registry\n')
    process.exit(1)
  }
}

await import('./main')
