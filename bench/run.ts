/**
 * `npm run bench` (`-- --quick`: a subset; `-- --webgpu`: adds the webgpu rows). In one process,
 * side by side: on wasm at 1 thread and at every core, the fp32 matMul probe, Generate (`small`;
 * `paper` at 256², batch 1) with achieved GFLOP/s and the training steps, each followed by the
 * PyTorch CPU peers at the same thread count (never alongside), and ours / PyTorch at equal
 * threads; the stage-2 step with its batch split over every core (worker threads); then at every
 * core the split-z and prepared-weights comparisons, the cpu backend (full
 * run), mining exact vs projected, the executor's cached re-run, and last the webgpu rows in a
 * child process with a deadline (--webgpu-timeout seconds). Writes bench/results/latest.json and
 * latest.md (markdown tables).
 */
import { writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { initBackend } from '../src/runtime/backend.js'
import { folderEnv } from '../src/runtime/env.node.js'
import { GraphExecutor } from '../src/runtime/executor.js'
import { readPresetSource } from '../src/runtime/headless.node.js'
import { loadPreset } from '../src/runtime/preset.js'
import { machine, median, peerThreadCounts, writeResult } from './common.js'
import {
  generatorParams,
  peakGflops,
  timeGenerate,
  type GenerateCase,
  type GenerateRow,
} from './generate.js'
import { benchMarkdown, type BenchSummary } from './markdown.js'
import { miningMarkdown, runMiningBench } from './mining.js'
import { comparePreparedWeights } from './prepared.js'
import { oursOverTorch, paramsCheck } from './ratios.js'
import { TRAIN_STAGES, timeShardedStage2 } from './train-steps.js'
import { runWasmSweep } from './wasm-sweep.js'
import { runWebGpuBench, type WebGpuResult } from './webgpu-spawn.js'
import { compareZInjection } from './zsplit.js'

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    webgpu: { type: 'boolean', default: false },
    'webgpu-timeout': { type: 'string', default: '1200' },
  },
})
const quick = values.quick ?? false
const RUNS = quick ? 3 : 7
const started = performance.now()
const log = (what: string) =>
  console.error(`bench: ${what} (${((performance.now() - started) / 1000).toFixed(0)} s)`)

const small: GenerateCase[] = quick
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

// 1. wasm at 1 thread and at every core, each followed by the PyTorch peers at that count.
const sweep = await runWasmSweep({
  threadCounts: peerThreadCounts(),
  smallCases: small,
  paperCases: (_threads, all) => (quick && !all ? [] : [[256, 1]]),
  runs: { small: RUNS, paper: quick ? 3 : 5 },
  training: {
    stages: quick ? ['encoder', 'generator'] : TRAIN_STAGES,
    runs: quick ? 2 : 5,
    warmup: quick ? 1 : 2,
  },
  torch: {
    runs: RUNS,
    stages: ['encoder', 'generator'],
    trainRuns: quick ? 3 : 5,
    trainWarmup: quick ? 1 : 2,
  },
  log,
})
const allCores = sweep.backends.at(-1)?.threads ?? 1

// 1b. The stage-2 step with its batch split over every core (1 wasm thread each; gan/shards.ts).
if (allCores > 1) {
  await initBackend({ prefer: 'wasm', threads: 1 })
  sweep.training.push(
    await timeShardedStage2({
      threads: allCores,
      runs: quick ? 2 : 5,
      warmup: quick ? 1 : 2,
    }),
  )
  await initBackend({ prefer: 'wasm', threads: allCores })
  log('training step, batch split over threads')
}

// 2. At every core (the sweep's last count, still active): split vs tiled z, prepared weights.
const zsplit = await compareZInjection(small, quick ? 5 : 9)
log('z injection')
const prepared = await comparePreparedWeights(small, quick ? 5 : 9)
log('prepared weights')

// 3. The cpu backend (full run only; ~30x slower than wasm, so 64² only).
const peaks: Record<string, number> = { ...sweep.peaks }
const cpuRows: GenerateRow[] = []
if (!quick) {
  await initBackend({ prefer: 'cpu' })
  peaks.cpu = await peakGflops(RUNS)
  const cases: GenerateCase[] = [
    [64, 1],
    [64, 8],
  ]
  cpuRows.push(...(await timeGenerate('small', cases, { backend: 'cpu', threads: 1, runs: RUNS })))
  log('generate on cpu')
}

// 4. Mining: exact vs projected neighbour search (features cached on disk; bench/mining.ts).
const mining = await runMiningBench({ quick, log })
log('mining')

// 5. Executor: the default preset run once, then re-run fully cached.
await initBackend({ prefer: 'wasm', threads: allCores })
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

// 6. webgpu (--webgpu), last and alone: a child process stopped at the deadline.
let webgpu: WebGpuResult | null = null
if (values.webgpu) {
  const cases = ['small:64x1', 'small:64x8', 'small:256x1', 'small:256x8']
  cases.push('paper:64x1', 'paper:64x8', 'paper:256x1', 'paper:256x8')
  webgpu = await runWebGpuBench({
    cases,
    stage2: true,
    runs: RUNS,
    rowBudgetS: 30,
    timeoutS: Number(values['webgpu-timeout']),
  })
  if (webgpu.skipped) console.error(`bench: webgpu rows skipped: ${webgpu.skipped}`)
  log('webgpu')
}

const ratios = oursOverTorch(
  { generate: sweep.generate, training: sweep.training },
  { generate: sweep.torch, training: sweep.torchTrain },
)
const withThreads = <T extends object>(rows: readonly T[]) =>
  rows.map((r) => ({ ...r, threads: allCores }))
const result: BenchSummary & Record<string, unknown> = {
  machine: { ...machine(), wasm_threads: sweep.backends.map((b) => b.threads) },
  backends: sweep.backends,
  quick,
  seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  peak_gflops: sweep.peaks[`wasm t${allCores}`] ?? NaN,
  peak_gflops_by_backend: peaks,
  generate: [...sweep.generate, ...cpuRows],
  z_injection: withThreads(zsplit),
  prepared_weights: withThreads(prepared),
  training: sweep.training,
  peers: {
    torch: sweep.torch,
    torch_peak_gflops: sweep.torchPeaks,
    torch_train: sweep.torchTrain,
    params_check: paramsCheck(
      { small: generatorParams('small'), paper: generatorParams('paper') },
      sweep.torch,
    ),
  },
  ratios,
  // issue 15's fixed reference: the stage-2 step, ours / PyTorch at each thread count
  reference_stage2: {
    config: 'small',
    size: 64,
    batch: 8,
    perceptual: 'resnet50, 3 taps',
    ratios: ratios.training.filter((t) => t.stage === 'generator'),
  },
  webgpu,
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
for (const r of ratios.generate)
  log(`ratio Generate ${r.config} ${r.size}² b${r.batch} t${r.threads}: ${r.ratio}`)
for (const r of ratios.training) log(`ratio training ${r.stage} t${r.threads}: ${r.ratio}`)
