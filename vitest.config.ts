import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import { fileURLToPath } from 'node:url'

export default defineConfig({
  plugins: [vue()],
  resolve: {
    alias: { '@shared': fileURLToPath(new URL('./src/shared', import.meta.url)), '@app': fileURLToPath(new URL('./src/app', import.meta.url)) },
  },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    globalSetup: ['tests/unit/pg.setup.ts'],
    environment: 'node',
    testTimeout: 20_000,
    env: { TZ: 'UTC' },
  },
})
