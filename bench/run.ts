/**
 * `npm run bench` (`-- --quick` for a subset in well under 3 minutes): machine, fp32 matMul peak,
 * generator forward time and achieved GFLOP/s per backend and size, the split-z speed-up, and
 * the executor's fully cached re-run. Writes bench/results/latest.json and latest.md.
 * Not yet here (issue 7): training step times per stage, the PyTorch peer, mining at 10 k —
 * bench/mining.ts and bench/stage1.ts cover mining and stage 1 separately.
 */
import { writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import * as tf from '@tensorflow/tfjs'
import { SMALL } from '../src/models/configs.js'
import { generatorMacs } from '../src/models/flops.js'
import { createGenerator } from '../src/models/generator.js'
import { initBackend, type BackendName } from '../src/runtime/backend.js'
import { folderEnv } from '../src/runtime/env-node.js'
import { GraphExecutor } from '../src/runtime/executor.js'
import { readPresetSource } from '../src/runtime/headless.js'
import { loadPreset } from '../src/runtime/preset.js'
import { machine, writeResult } from './common.js'

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } })
const quick = values.quick ?? false
const RUNS = quick ? 3 : 5

/** Median wall time (ms) of `f` after 2 warm-up calls; `f` resolves when its result is read. */
async function median(f: () => Promise<void>, runs = RUNS): Promise<number> {
  await f()
  await f()
  const t: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    await f()
    t.push(performance.now() - t0)
  }
  return t.sort((a, b) => a - b)[Math.floor(t.length / 2)] ?? NaN
}

async function peakGflops(): Promise<number> {
  const n = 512
  const a = tf.randomNormal<tf.Rank.R2>([n, n])
  const b = tf.randomNormal<tf.Rank.R2>([n, n])
  const ms = await median(async () => {
    const c = tf.matMul(a, b)
    await c.data()
    c.dispose()
  })
  tf.dispose([a, b])
  return (2 * n ** 3) / (ms / 1000) / 1e9
}

const cases = quick
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
const backends: BackendName[] = quick ? ['wasm'] : ['wasm', 'cpu', 'webgpu']
const generate = []
let peak = NaN
for (const backend of backends) {
  try {
    await initBackend({ prefer: backend })
  } catch (err) {
    console.error(
      `bench: ${backend} unavailable (${err instanceof Error ? err.message : String(err)})`,
    )
    continue
  }
  if (backend === 'wasm') peak = await peakGflops()
  // the shipped path only; split vs tiled is bench/zsplit.ts (timed alternately, unbiased)
  for (const zInjection of ['split'] as const) {
    const g = createGenerator(SMALL.generator, 5, { zInjection })
    for (const [size = 64, batch = 1] of cases) {
      if (backend === 'cpu' && size > 64) continue // ~30x slower than wasm
      const x = tf.randomUniform<tf.Rank.R4>([batch, size, size, 3], -1, 1)
      const z = tf.randomNormal<tf.Rank.R2>([batch, SMALL.generator.zDim])
      const ms = await median(async () => {
        const y = g.apply(x, z)
        await y.data()
        y.dispose()
      })
      const gflops = (2 * generatorMacs(SMALL.generator, size, size) * batch) / (ms / 1000) / 1e9
      generate.push({
        backend,
        z_injection: zInjection,
        size,
        batch,
        median_ms: Number(ms.toFixed(1)),
        gflops: Number(gflops.toFixed(2)),
      })
      console.error(JSON.stringify(generate.at(-1)))
      tf.dispose([x, z])
    }
    g.dispose()
  }
}

// Executor: the default preset, run once, then re-run fully cached.
await initBackend({ prefer: 'wasm' })
const source = resolve('examples/presets/default.json')
const { json, baseDir } = await readPresetSource(source)
const { graph } = loadPreset(json, source)
const executor = new GraphExecutor({
  env: folderEnv({ inputDir: baseDir, outputDir: join('out', 'bench-run'), cacheDir: null }),
})
await executor.run(graph)
const cachedMs = await median(async () => {
  await executor.run(graph)
})
executor.dispose()

const result = {
  machine: machine(),
  quick,
  peak_gflops: Number(peak.toFixed(2)),
  generate,
  peers: { torch: [], note: 'not measured yet (issue 7)' },
  mining: 'see bench/results/mining.json (npx tsx bench/mining.ts)',
  executor: {
    preset: 'examples/presets/default.json',
    nodes: graph.nodes.length,
    cached_rerun_ms: Number(cachedMs.toFixed(2)),
    overhead_per_node_ms: Number((cachedMs / graph.nodes.length).toFixed(3)),
  },
}
await writeResult('latest', result)
const rows = generate.map(
  (r) =>
    `| ${r.backend} | ${r.z_injection} | ${r.size}² | ${r.batch} | ${r.median_ms} | ${r.gflops} |`,
)
await writeFile(
  join('bench', 'results', 'latest.md'),
  [
    `Machine: ${String(result.machine.cpu)}, ${String(result.machine.cores)} cores; fp32 matMul peak (wasm, 512²): ${result.peak_gflops} GFLOP/s`,
    '',
    '| backend | z injection | size | batch | median ms | GFLOP/s |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Executor: fully cached re-run of the default preset (${result.executor.nodes} nodes): ${result.executor.cached_rerun_ms} ms (${result.executor.overhead_per_node_ms} ms per node).`,
    '',
  ].join('\n'),
)
