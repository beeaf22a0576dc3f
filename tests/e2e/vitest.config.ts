import { defineConfig } from 'vitest/config'
import { fileURLToPath } from 'node:url'

/** End-to-end: real server processes and a real Chromium, one file at a time. */
export default defineConfig({
  resolve: {
    alias: { '@shared': fileURLToPath(new URL('../../src/shared', import.meta.url)) },
  },
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['tests/e2e/**/*.e2e.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
})
