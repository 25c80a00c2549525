/**
 * The webgpu rows of `npm run bench -- --webgpu`, run in a child process (bench/webgpu-spawn.ts)
 * so that a slow adapter can be stopped at a deadline: Generate (`small` and `paper`) and the
 * stage-2 training step on `initBackend({ prefer: 'webgpu' })`. In Node that needs a Vulkan
 * adapter (on a machine without a GPU, lavapipe after scripts/setup-system.sh: slow, and its first
 * call compiles every shader). Each row records the first call's ms (shaders included), then times
 * warm calls: as many as fit in --budget seconds, at least 1 and at most --runs. Every tensor is
 * read with `await data()` (never dataSync on webgpu).
 * Prints one JSON line per event: {"kind":"backend",...} or {"kind":"skipped","reason"}, then
 * {"kind":"generate",...GenerateRow} / {"kind":"training",...TrainStepRow}; exits 0 without an
 * adapter. Alone: npx tsx bench/webgpu.ts [--cases small:64x1,paper:64x1] [--stage2] [--runs 7]
 */
import { parseArgs } from 'node:util'
import * as tf from '@tensorflow/tfjs'
import { errorMessage } from '../src/core/errors.js'
import { createGenerator } from '../src/models/generator.js'
import { describeBackend, formatAdapter, initBackend } from '../src/runtime/backend.js'
import { median, timeOnce } from './common.js'
import { generateGflops, generatorConfig, type ConfigName } from './generate.js'
import { createGanBench, TRAIN_BATCH, TRAIN_SIZE } from './train-steps.js'

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: 'small:64x1' },
    stage2: { type: 'boolean', default: false },
    runs: { type: 'string', default: '7' },
    budget: { type: 'string', default: '30' },
  },
})
const maxRuns = Math.max(1, Number(values.runs))
const budgetMs = 1000 * Number(values.budget)

const emit = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`)

/** First call, then warm calls while they fit in the budget (at least 1, at most maxRuns). */
async function timeAdaptive(call: () => Promise<number>): Promise<[number, number, number]> {
  const first = await call()
  const times = [await call()]
  const fit = Math.floor(budgetMs / Math.max(times[0] ?? 1, 1))
  while (times.length < Math.min(maxRuns, fit)) times.push(await call())
  return [first, median(times), times.length]
}

/** Parses "small:64x1,paper:256x8" into [config, size, batch] triples. */
function parseCases(text: string): [ConfigName, number, number][] {
  return text
    .split(',')
    .filter(Boolean)
    .map((item) => {
      const m = /^(small|paper):(\d+)x(\d+)$/.exec(item.trim())
      if (!m) throw new Error(`--cases: expected config:SIZExBATCH, got '${item}'`)
      return [m[1] as ConfigName, Number(m[2]), Number(m[3])]
    })
}

let adapter = ''
try {
  const info = await initBackend({ prefer: 'webgpu' })
  adapter = info.adapter ? formatAdapter(info.adapter) : 'unknown adapter'
  emit({ kind: 'backend', adapter, description: describeBackend(info) })
} catch (err) {
  emit({ kind: 'skipped', reason: errorMessage(err) })
  process.exit(0)
}

const ms = (v: number) => Number(v.toFixed(1))
for (const [config, size, batch] of parseCases(values.cases ?? '')) {
  const g = createGenerator(generatorConfig(config), 5)
  const x = tf.randomUniform<tf.Rank.R4>([batch, size, size, 3], -1, 1)
  const z = tf.randomNormal<tf.Rank.R2>([batch, g.config.zDim])
  const [first, med, runs] = await timeAdaptive(() => timeOnce(() => g.apply(x, z)))
  tf.dispose([x, z])
  g.dispose()
  emit({
    kind: 'generate',
    backend: 'webgpu',
    config,
    size,
    batch,
    threads: null,
    median_ms: ms(med),
    gflops: generateGflops(config, size, batch, med),
    runs,
    adapter,
    first_call_ms: ms(first),
  })
}

if (values.stage2) {
  const bench = await createGanBench('generator')
  const [first, med, runs] = await timeAdaptive(async () => {
    const t0 = performance.now()
    await bench.step()
    return performance.now() - t0
  })
  bench.dispose()
  emit({
    kind: 'training',
    stage: 'generator',
    backend: 'webgpu',
    size: TRAIN_SIZE,
    batch: TRAIN_BATCH,
    threads: null,
    parallel: 'kernels',
    median_ms: ms(med),
    items_per_s: Number(((TRAIN_BATCH * 1000) / med).toFixed(2)),
    runs,
    adapter,
    first_call_ms: ms(first),
  })
}
