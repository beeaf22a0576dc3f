#!/usr/bin/env node
// The server and the admin CLI compiled for production (part of `npm run build`):
// dist-server/main.js and dist-server/admin.js, plain JavaScript that runs with the
// production dependencies only (no tsx), and the SQL migrations copied beside them.
import { build } from 'esbuild'
import { cpSync, rmSync } from 'node:fs'

const out = 'dist-server'
rmSync(out, { recursive: true, force: true })
await build({
  entryPoints: { main: 'src/server/main.ts', admin: 'src/server/admin.ts' },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // dependencies stay in node_modules (better-sqlite3 is native)
  packages: 'external',
  sourcemap: true,
  // chunks beside the entries: db.ts finds migrations/ relative to its own file
  chunkNames: '[name]-[hash]',
  logLevel: 'warning',
})
cpSync('src/server/migrations', `${out}/migrations`, { recursive: true })
console.log(`server built: ${out}/main.js, ${out}/admin.js`)
