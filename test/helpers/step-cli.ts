/** Runs the `step` CLI from the TypeScript sources in a child process, as a user would. */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

const MAIN = join(import.meta.dirname, '../../src/cli/main.ts')

/** Exit code, stdout and stderr of `step ...args` (2 minutes at most). */
export function step(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}
