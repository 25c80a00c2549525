import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Backends are process-global state (tfjs engine, the Dawn instance): one process per file.
    pool: 'forks',
    // Two test files run at once on a 2-core machine: one wasm thread each. The threaded path has
    // its own tests, which ask for 2 threads explicitly (src/runtime/wasm-threads.test.ts).
    env: { STEP_THREADS: process.env.STEP_THREADS ?? '1' },
    // In CI a JSON report feeds scripts/test-summary.mjs, which prints `N passed, N failed`.
    reporters: process.env.CI
      ? ['default', ['json', { outputFile: 'test-results/vitest.json' }]]
      : ['default'],
  },
})
