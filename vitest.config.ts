import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Backends register process-global state (tfjs engine, Dawn instance): isolate per file.
    pool: 'forks',
    fileParallelism: true,
  },
})
