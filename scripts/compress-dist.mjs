#!/usr/bin/env node
// Writes `.br` and `.gz` next to every text asset of a build (dist/ unless a
// directory is given), for @fastify/static's `preCompressed` to serve to
// browsers that accept them. Node's zlib only; run after `vite build` (the
// `build` npm script does). A file gets a compressed copy only when it is
// smaller; copies left from files that are gone are removed.
//
// Only the hashed files under assets/ (all the JS and CSS): a changed file there
// gets a new name, so a copy can never be older than its file. The entry points
// beside index.html (index.html, sw.js, the manifest) keep their names and may
// be replaced on their own by a deploy (the update e2e test does exactly that to
// sw.js); a stale copy would then be served in their place, so they go out plain.
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

const TEXT = /\.(?:js|mjs|css|html|svg|webmanifest|json|txt|xml)$/i
const ENCODED = /\.(?:br|gz)$/i

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield* files(path)
    else if (entry.isFile()) yield path
  }
}

/** Compresses every text asset under `dir`/assets; returns the totals, in bytes. */
export function compressDist(dir) {
  const root = resolve(dir, 'assets')
  const totals = { files: 0, raw: 0, br: 0, gz: 0 }
  if (!exists(root, true)) return totals
  for (const path of files(root)) {
    if (ENCODED.test(path)) {
      // a leftover copy of a file that is no longer there
      const original = path.replace(ENCODED, '')
      if (!TEXT.test(original) || !exists(original)) rmSync(path, { force: true })
      continue
    }
    if (!TEXT.test(path)) continue
    const raw = readFileSync(path)
    const br = brotliCompressSync(raw, {
      params: {
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      },
    })
    const gz = gzipSync(raw, { level: 9 })
    totals.files++
    totals.raw += raw.length
    totals.br += write(`${path}.br`, br, raw.length)
    totals.gz += write(`${path}.gz`, gz, raw.length)
  }
  return totals
}

function exists(path, directory = false) {
  try {
    const stat = statSync(path)
    return directory ? stat.isDirectory() : stat.isFile()
  } catch {
    return false
  }
}

/** Writes the copy when it saves bytes, else removes any old one (the plain file is served then). */
function write(path, data, rawLength) {
  if (data.length < rawLength) {
    writeFileSync(path, data)
    return data.length
  }
  rmSync(path, { force: true })
  return rawLength
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? 'dist'
  if (!exists(join(dir, 'index.html'))) {
    console.error(`compress-dist: ${dir}/index.html not found; run vite build first`)
    process.exit(1)
  }
  const t = compressDist(dir)
  const kB = (n) => `${(n / 1000).toFixed(1)} kB`
  console.log(`compress-dist: ${t.files} files in ${dir}/assets, ${kB(t.raw)} → brotli ${kB(t.br)}, gzip ${kB(t.gz)}`)
}
