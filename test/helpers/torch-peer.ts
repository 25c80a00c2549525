/**
 * The PyTorch twin (bench/peers/step_twin.py) from tests: whether Debian's python3 has torch, and
 * running the twin's scripts. Tests that need it skip with this reason when it is missing, except
 * in CI (CI=true), where scripts/setup-system.sh installs python3-torch and a missing torch fails.
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

/** The python that has python3-torch on Debian. */
export const PYTHON = '/usr/bin/python3'
/** The peers folder. */
export const PEERS = join(import.meta.dirname, '../../bench/peers')

/** True when `PYTHON -c 'import torch'` works. */
export const HAS_TORCH = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0

/** Why torch tests are skipped ('' when they run); throws in CI when torch is missing. */
export function torchSkipReason(): string {
  if (HAS_TORCH) return ''
  if (process.env.CI)
    throw new Error(`CI: ${PYTHON} has no torch; scripts/setup-system.sh should have installed it`)
  return `skipped: ${PYTHON} has no torch (bash bench/peers/setup.sh installs python3-torch)`
}

/** Runs a peer script with `args`; throws with its stderr when it fails. */
export function runPeer(script: string, args: string[], timeoutMs = 120_000): string {
  const r = spawnSync(PYTHON, [join(PEERS, script), ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  })
  if (r.status !== 0)
    throw new Error(`${script} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`)
  return r.stdout
}
