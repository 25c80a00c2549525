/**
 * `--parallel auto|batch|kernels` of the GAN training commands: how a wasm run with N threads
 * uses them (docs/decisions/0018).
 *   kernels  one backend with N threads; every op splits its work (wasm-threads.ts)
 *   batch    each step's batch in N shards: this thread and N - 1 worker threads, 1 wasm thread
 *            each (train/gan/shards.ts); only when the batch splits into N shards of whole
 *            minibatch-stddev groups
 *   auto     batch when it can, else kernels (the default)
 */
import { z } from 'zod'
import { parseStepModelConfig } from '../models/configs.js'
import { activeBackend, describeBackend, initBackend } from '../runtime/backend.js'
import { startShardPool } from '../runtime/shard-pool.node.js'
import { readManifest } from '../checkpoint/folder-store.node.js'
import { shardPlan, type DataParallel } from '../train/gan/shards.js'
import { UsageError } from './args.js'
import { say } from './command.js'

/** The modes of --parallel. */
export const PARALLEL_MODES = ['auto', 'batch', 'kernels'] as const

/** The --parallel flag's schema. */
export const parallelFlag = z
  .enum(PARALLEL_MODES, { error: `expected one of ${PARALLEL_MODES.join(', ')}` })
  .default('auto')

/** The help text of --parallel. */
export const PARALLEL_HELP =
  "how wasm uses its threads: batch (each step's batch split over worker threads; needs a batch that splits into whole minibatch-stddev groups of 4 per thread, e.g. 8 on 2 threads), kernels (every op split over threads), auto (batch when it splits, else kernels; default)"

/**
 * After startBackend: the data-parallel setting for a run of batch `batch` starting from the
 * checkpoint in `from`, or undefined for kernel threads. For `batch` (and `auto` when the batch
 * splits) the backend here restarts with 1 thread. A `batch` request that cannot be met is a
 * UsageError saying why.
 */
export async function chooseParallel(
  mode: z.output<typeof parallelFlag>,
  batch: number,
  from: string,
): Promise<DataParallel | undefined> {
  if (mode === 'kernels') return undefined
  const info = activeBackend()
  const threads = info?.backend === 'wasm' ? (info.threads?.threads ?? 1) : 1
  const refuse = (why: string) => {
    if (mode === 'batch') throw new UsageError(`--parallel batch: ${why}`)
    return undefined
  }
  if (info?.backend !== 'wasm')
    return refuse(`needs the wasm backend (running: ${info?.backend ?? 'none'})`)
  if (threads < 2) return refuse('needs at least 2 threads (--threads N)')
  const config = parseStepModelConfig((await readManifest(from)).config, `${from}/manifest.json`)
  const group = config.discriminator.mbstdGroup
  if (!shardPlan(batch, threads, group))
    return refuse(
      `a batch of ${batch} does not split into ${threads} shards of whole minibatch-stddev groups of ${group} (try --batch ${2 * group * threads})`,
    )
  const single = await initBackend({ prefer: 'wasm', threads: 1 })
  say(
    `backend: ${describeBackend(single)} here + ${threads - 1} shard worker${threads > 2 ? 's' : ''} (--parallel ${mode}: batch split over ${threads} threads)`,
  )
  return { shards: threads, start: (spec) => startShardPool(threads - 1, spec) }
}
