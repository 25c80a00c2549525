#!/usr/bin/env node
// Prints the closing line CI recognises, `N passed, N failed[, N skipped]`, from vitest's JSON
// report (vitest's own summary is not recognised), and exits non-zero when anything failed or no
// test ran at all.
import { readFileSync } from 'node:fs'

const file = process.argv[2] ?? 'test-results/vitest.json'
let report
try {
  report = JSON.parse(readFileSync(file, 'utf8'))
} catch (err) {
  console.error(`test-summary: cannot read ${file}: ${err instanceof Error ? err.message : err}`)
  console.log('0 passed, 1 failed')
  process.exit(1)
}
const passed = report.numPassedTests ?? 0
const failed = (report.numFailedTests ?? 0) + (report.numFailedTestSuites ?? 0) // a suite that fails to load counts
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
for (const suite of report.testResults ?? []) {
  for (const t of suite.assertionResults ?? []) {
    if (t.status === 'skipped' || t.status === 'pending') console.log(`skipped: ${t.fullName}`)
  }
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
process.exit(failed > 0 || passed === 0 ? 1 : 0)
