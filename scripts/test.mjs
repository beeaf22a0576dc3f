#!/usr/bin/env node
// `npm test`: typecheck, lint, unit tests, the server suite again on PostgreSQL,
// then the end-to-end suite in a real Chromium and the production start
// (scripts/check-production.mjs). Every step runs even when an
// earlier one fails, so one run shows everything that is wrong; the last line
// counts over all suites for CI. A throwaway PostgreSQL cluster (initdb in a temp
// dir, a unix socket) serves both unit runs and is stopped at the end.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { startCluster } from './pg-cluster.mjs'

const out = join(process.cwd(), '.tmp', 'test-results')
mkdirSync(out, { recursive: true })

const totals = { passed: 0, failed: 0 }
const lines = []

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } })
  return r.status === 0
}

function check(name, cmd, args) {
  const ok = run(cmd, args)
  totals[ok ? 'passed' : 'failed']++
  lines.push(`${ok ? 'ok  ' : 'FAIL'} ${name}`)
}

function vitest(name, args, env = {}) {
  const file = join(out, `${name}.json`)
  rmSync(file, { force: true })
  const ok = run('npx', ['vitest', 'run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${file}`], env)
  if (!existsSync(file)) {
    totals.failed++
    lines.push(`FAIL ${name}: the runner did not report (see output above)`)
    return
  }
  const r = JSON.parse(readFileSync(file, 'utf8'))
  // suites that failed to load count as failures too
  const loadFailures = r.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length
  totals.passed += r.numPassedTests
  totals.failed += r.numFailedTests + loadFailures
  lines.push(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${r.numPassedTests} passed, ${r.numFailedTests + loadFailures} failed`)
}

const only = process.argv[2]
if (!only || only === 'static') {
  check('typecheck', 'npx', ['vue-tsc', '--noEmit', '-p', 'tsconfig.json'])
  // the bench's packages are its own (tests/bench/package.json), installed by `npm run bench`;
  // its code type-checks once they are there
  if (existsSync(join('tests', 'bench', 'node_modules', '.package-lock.json'))) check('typecheck (bench)', 'npx', ['vue-tsc', '--noEmit', '-p', 'tests/bench/tsconfig.json'])
  check('lint', 'npx', ['eslint', '.'])
}
if (!only || only === 'unit') {
  let cluster = null
  if (!process.env.LOUDONG_TEST_PG_URL) {
    try {
      cluster = startCluster()
    } catch (err) {
      totals.failed++
      lines.push(`FAIL postgres: ${err.message}`)
    }
  }
  const stop = () => cluster?.stop()
  process.on('exit', stop)
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130))
  const pg = cluster ? { LOUDONG_TEST_PG_URL: cluster.url } : {}
  vitest('unit', [], pg)
  // the server suite once more, on PostgreSQL (db and process tests are about the SQLite file)
  vitest('server-postgres', ['tests/unit/server', '--exclude', 'tests/unit/server/db.test.ts', '--exclude', 'tests/unit/server/process.test.ts'], { ...pg, LOUDONG_TEST_BACKEND: 'postgres' })
  stop()
}
if (!only || only === 'e2e') {
  // the same build as `npm run build`: vite, then the .br/.gz copies the server sends
  const built = run('npx', ['vite', 'build']) && run(process.execPath, ['scripts/compress-dist.mjs']) && run(process.execPath, ['scripts/build-server.mjs'])
  if (!built) {
    totals.failed++
    lines.push('FAIL build')
  } else {
    vitest('e2e', ['--config', 'tests/e2e/vitest.config.ts'])
    // npm ci --omit=dev in a temp copy, then the documented production start
    check('production start', process.execPath, ['scripts/check-production.mjs'])
  }
}

console.log('\n' + lines.join('\n'))
console.log(`${totals.passed} passed, ${totals.failed} failed`)
process.exit(totals.failed > 0 ? 1 : 0)
