/**
 * The production build and what it weighs: the JS and CSS a first visit must
 * fetch before anything shows (index.html's script, modulepreloads and
 * stylesheets, gzipped), and everything the service worker precaches.
 */
import { spawn } from 'node:child_process'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { compressDist } from '../../scripts/compress-dist.mjs'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** `vite build` into `outDir` (not dist/, which other work may be rebuilding), then its precompressed copies. */
export async function viteBuild(outDir: string, timeoutMs: number): Promise<number> {
  const t0 = performance.now()
  await new Promise<void>((resolve, reject) => {
    const proc = spawn(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()))
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()))
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs)
    proc.on('exit', (code) => {
      clearTimeout(timer)
      if (code === 0) {
        // as `npm run build` does: the .br/.gz copies the server sends
        try {
          compressDist(outDir)
          resolve()
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)))
        }
      } else reject(new Error(`vite build failed (${code ?? 'killed'}): ${out.trim().split('\n').slice(-5).join(' | ')}`))
    })
  })
  return performance.now() - t0
}

/** Sizes are in kB of 1,000 bytes (as vite prints them), the stricter reading of the goals' "KB". */
export interface InitialSizes {
  jsGzipKB: number
  cssGzipKB: number
  jsFiles: string[]
  cssFiles: string[]
}

const KB = 1000

function gzipBytes(file: string): number {
  return gzipSync(readFileSync(file), { level: 9 }).length
}

/** What index.html makes the browser fetch up front: the entry script, modulepreloads and stylesheets. */
export function initialSizes(dist: string): InitialSizes {
  const html = readFileSync(join(dist, 'index.html'), 'utf8')
  const attr = (tag: string, name: string) => new RegExp(`${name}="([^"]+)"`).exec(tag)?.[1]
  const js = new Set<string>()
  const css = new Set<string>()
  for (const tag of html.match(/<(script|link)\b[^>]*>/g) ?? []) {
    if (tag.startsWith('<script') && /type="module"/.test(tag)) {
      const src = attr(tag, 'src')
      if (src) js.add(src)
    } else if (/rel="modulepreload"/.test(tag)) {
      const href = attr(tag, 'href')
      if (href) js.add(href)
    } else if (/rel="stylesheet"/.test(tag)) {
      const href = attr(tag, 'href')
      if (href) css.add(href)
    }
  }
  if (!js.size) throw new Error('index.html names no module script')
  const sum = (files: Set<string>) => [...files].reduce((n, f) => n + gzipBytes(join(dist, f.replace(/^\//, ''))), 0)
  return { jsGzipKB: sum(js) / KB, cssGzipKB: sum(css) / KB, jsFiles: [...js], cssFiles: [...css] }
}

/** Every URL in the service worker's injected precache manifest and their total size on disk. */
export function precacheSize(dist: string): { entries: number; kB: number; largest: { url: string; kB: number }[] } {
  const sw = readFileSync(join(dist, 'sw.js'), 'utf8')
  const urls = new Set<string>()
  for (const m of sw.matchAll(/\{\s*"?url"?\s*:\s*"([^"]+)"/g)) urls.add(m[1]!)
  for (const m of sw.matchAll(/"?revision"?\s*:\s*(?:"[^"]*"|null)\s*,\s*"?url"?\s*:\s*"([^"]+)"/g)) urls.add(m[1]!)
  if (!urls.size) throw new Error('no precache manifest found in sw.js')
  const sizes = [...urls].map((url) => ({ url, kB: statSync(join(dist, url.replace(/^\//, ''))).size / KB }))
  sizes.sort((a, b) => b.kB - a.kB)
  return { entries: sizes.length, kB: sizes.reduce((n, s) => n + s.kB, 0), largest: sizes.slice(0, 3) }
}
