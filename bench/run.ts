/**
 * `npm run bench` (`-- --quick`: a subset in under 3 minutes). In one process, side by side:
 * the machine and its fp32 matMul peak (a probe), generator forward time and achieved GFLOP/s
 * per backend / size / batch, the split-z speed-up (whole G and decoder), training step time per
 * stage, the PyTorch CPU peers (generator at equal threads; the encoder and stage-2 training
 * steps at 1 thread and at all cores), mining exact vs projected, and the executor's cached
 * re-run. Writes bench/results/latest.json and latest.md (markdown tables).
 */
import { writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import * as tf from '@tensorflow/tfjs'
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm'
import { SMALL } from '../src/models/configs.js'
import { generatorMacs } from '../src/models/flops.js'
import { createGenerator } from '../src/models/generator.js'
import { initBackend, type BackendName } from '../src/runtime/backend.js'
import { folderEnv } from '../src/runtime/env-node.js'
import { GraphExecutor } from '../src/runtime/executor.js'
import { readPresetSource } from '../src/runtime/headless.js'
import { loadPreset } from '../src/runtime/preset.js'
import { machine, median, peerThreadCounts, timeOnce, writeResult } from './common.js'
import { benchMarkdown } from './markdown.js'
import { miningMarkdown, runMiningBench } from './mining.js'
import { torchPeer, torchTrainPeer, type TorchTrainRow } from './peers/torch.js'
import { timeTrainingSteps } from './train-steps.js'
import { compareZInjection } from './zsplit.js'
import { comparePreparedWeights } from './prepared.js'

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } })
const quick = values.quick ?? false
const RUNS = quick ? 3 : 7
const started = performance.now()
const log = (what: string) =>
  console.error(`bench: ${what} (${((performance.now() - started) / 1000).toFixed(0)} s)`)

/** Median ms of `f` (result read back) after 2 warm-up calls. */
async function medianOf(f: () => tf.Tensor, runs = RUNS): Promise<number> {
  await timeOnce(f)
  await timeOnce(f)
  const t: number[] = []
  for (let i = 0; i < runs; i++) t.push(await timeOnce(f))
  return median(t)
}

/** fp32 matMul 512 x 512 x 512 on the current backend, GFLOP/s. */
async function peakGflops(): Promise<number> {
  const n = 512
  const a = tf.randomNormal<tf.Rank.R2>([n, n])
  const b = tf.randomNormal<tf.Rank.R2>([n, n])
  const ms = await medianOf(() => tf.matMul(a, b))
  tf.dispose([a, b])
  return Number(((2 * n ** 3) / (ms / 1000) / 1e9).toFixed(2))
}

const cases: [number, number][] = quick
  ? [
      [64, 1],
      [64, 8],
      [256, 1],
    ]
  : [
      [64, 1],
      [64, 8],
      [256, 1],
      [256, 8],
    ]

// 1. Generator forward per backend (the shipped split-z path), with the peak of each backend.
const backends: BackendName[] = quick ? ['wasm'] : ['wasm', 'cpu', 'webgpu']
const generate = []
const peaks: Record<string, number> = {}
for (const backend of backends) {
  try {
    await initBackend({ prefer: backend })
  } catch (err) {
    log(`${backend} unavailable (${err instanceof Error ? err.message : String(err)})`)
    continue
  }
  peaks[backend] = await peakGflops()
  const g = createGenerator(SMALL.generator, 5)
  for (const [size, batch] of cases) {
    if (backend !== 'wasm' && size > 64) continue // cpu ~30x slower; webgpu here is software
    const x = tf.randomUniform<tf.Rank.R4>([batch, size, size, 3], -1, 1)
    const z = tf.randomNormal<tf.Rank.R2>([batch, SMALL.generator.zDim])
    const ms = await medianOf(() => g.apply(x, z))
    const gflops = (2 * generatorMacs(SMALL.generator, size, size) * batch) / (ms / 1000) / 1e9
    generate.push({
      backend,
      size,
      batch,
      median_ms: Number(ms.toFixed(1)),
      gflops: Number(gflops.toFixed(2)),
    })
    tf.dispose([x, z])
  }
  g.dispose()
  log(`generate on ${backend}`)
}

// 2. On wasm: split vs tiled z, training steps, the PyTorch peer at wasm's thread count.
await initBackend({ prefer: 'wasm' })
const zsplit = await compareZInjection(cases, quick ? 5 : 9)
log('z injection')
const prepared = await comparePreparedWeights(cases, quick ? 5 : 9)
log('prepared weights')
const threads = getThreadsCount()
const training = await timeTrainingSteps(quick ? 2 : 5, quick ? 1 : 2, threads)
log('training steps')
const torch = await torchPeer(cases, threads, quick ? 3 : RUNS)
log('PyTorch peer')
// the fixed reference: stage 1 and stage 2 (small, 64², batch 8, ResNet50 with 3 taps)
const torchTrain: TorchTrainRow[] = []
for (const n of peerThreadCounts()) {
  const rows = await torchTrainPeer(['encoder', 'generator'], n, quick ? 3 : 5, quick ? 1 : 2)
  if (!rows) break
  torchTrain.push(...rows)
}
log('PyTorch training peer')

// 3. Mining: exact vs projected neighbour search (features cached on disk; bench/mining.ts).
const mining = await runMiningBench({ quick, log })
log('mining')

// 4. Executor: the default preset run once, then re-run fully cached.
await initBackend({ prefer: 'wasm' })
const source = resolve('examples/presets/default.json')
const { json, baseDir } = await readPresetSource(source)
const { graph } = loadPreset(json, source)
const executor = new GraphExecutor({
  env: folderEnv({ inputDir: baseDir, outputDir: join('out', 'bench-run'), cacheDir: null }),
})
await executor.run(graph)
const cachedRuns: number[] = []
for (let i = 0; i < 20; i++) {
  const t0 = performance.now()
  await executor.run(graph)
  cachedRuns.push(performance.now() - t0)
}
const cachedMs = median(cachedRuns)
executor.dispose()
log('executor')

const wasmRows = generate.filter((r) => r.backend === 'wasm')
const result = {
  machine: { ...machine(), wasm_threads: threads },
  quick,
  seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  peak_gflops: peaks.wasm ?? NaN,
  peak_gflops_by_backend: peaks,
  generate,
  z_injection: zsplit,
  prepared_weights: prepared,
  training,
  peers: {
    torch: torch?.rows ?? [],
    torch_peak_gflops: torch?.peak_gflops ?? null,
    torch_train: torchTrain.map((t) => ({
      stage: t.stage,
      threads: t.threads,
      median_ms: t.median_ms,
    })),
    ratio_ours_over_torch: (torch?.rows ?? []).map((t) => {
      const ours = wasmRows.find((r) => r.size === t.size && r.batch === t.batch)
      return {
        size: t.size,
        batch: t.batch,
        threads: t.threads,
        ratio: ours ? Number((ours.median_ms / t.median_ms).toFixed(2)) : null,
      }
    }),
  },
  mining: mining.mining,
  mining_detail: { ...mining, mining: undefined },
  executor: {
    preset: 'examples/presets/default.json',
    nodes: graph.nodes.length,
    cached_rerun_ms: Number(cachedMs.toFixed(3)),
    overhead_per_node_ms: Number((cachedMs / graph.nodes.length).toFixed(4)),
  },
}
await writeResult('latest', result)
await writeFile(
  join('bench', 'results', 'latest.md'),
  `${benchMarkdown(result)}\n${miningMarkdown(mining)}`,
)
