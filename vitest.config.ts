import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Backends are process-global state (tfjs engine, the Dawn instance): one process per file.
    pool: 'forks',
    // In CI a JSON report feeds scripts/test-summary.mjs, which prints `N passed, N failed`.
    reporters: process.env.CI
      ? ['default', ['json', { outputFile: 'test-results/vitest.json' }]]
      : ['default'],
  },
})
