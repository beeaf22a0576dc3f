/**
 * Bundles tests/bench/browser/entry.ts (the app's own db and sync modules) into
 * one script for pages to load, with vite, without the app's PWA plugins.
 */
import { build, type Rollup } from 'vite'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export async function bundleBrowserBench(): Promise<string> {
  const out = await build({
    configFile: false,
    logLevel: 'silent',
    root: ROOT,
    resolve: { alias: { '@shared': `${ROOT}src/shared`, '@app': `${ROOT}src/app` } },
    build: {
      write: false,
      minify: process.env.BENCH_MINIFY !== "0",
      target: 'es2020',
      lib: { entry: `${ROOT}tests/bench/browser/entry.ts`, formats: ['iife'], name: 'loudongBenchBundle' },
    },
  })
  const outputs = (Array.isArray(out) ? out : [out]) as Rollup.RollupOutput[]
  const chunk = outputs.flatMap((o) => o.output).find((o): o is Rollup.OutputChunk => o.type === 'chunk')
  if (!chunk) throw new Error('the browser bench bundle produced no script')
  return chunk.code
}
