/** What the `step train ...` commands do before training: check the output folder, start tfjs. */
import type { z } from 'zod'
import { StepError } from '../core/errors.js'
import { prepareOutputDir } from '../data/output-dir.node.js'
import { describeBackend, initBackend } from '../runtime/backend.js'
import { hasCheckpoint } from '../checkpoint/folder-store.node.js'
import type { backendFlag } from './args.js'
import { say } from './command.js'

/**
 * Refuses an `out` that already holds a checkpoint unless resuming (never overwrites a run), and
 * creates it otherwise (a foreign non-empty folder is refused by prepareOutputDir).
 */
export async function prepareRunOutput(out: string, resume: boolean): Promise<void> {
  const exists = await hasCheckpoint(out)
  if (exists && !resume)
    throw new StepError(
      'checkpoint/exists',
      'already holds a checkpoint; pass --resume to continue it, or choose another --out',
      out,
    )
  if (!exists) await prepareOutputDir(out, 'manifest.json')
}

/** Starts the backend and prints which one (and its adapter) runs. */
export async function startBackend(prefer: z.output<typeof backendFlag>): Promise<void> {
  const backend = await initBackend({ prefer })
  say(`backend: ${describeBackend(backend)}`)
}
