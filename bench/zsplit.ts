/**
 * Split z injection vs tiled concat (docs/decisions/0010): generator forward time of the small
 * config on one backend, both variants built from the same seed, with the max abs output
 * difference. Warm-up excluded; the two variants are timed alternately (order flipped each round), median of N. Writes bench/results/zsplit.json.
 * Run: npx tsx bench/zsplit.ts [--backend wasm] [--runs 5]
 */
import { parseArgs } from 'node:util'
import * as tf from '@tensorflow/tfjs'
import { SMALL } from '../src/models/configs.js'
import { createGenerator } from '../src/models/generator.js'
import { initBackend } from '../src/runtime/backend.js'
import { machine, writeResult } from './common.js'

const { values } = parseArgs({
  options: { backend: { type: 'string', default: 'wasm' }, runs: { type: 'string', default: '5' } },
})
const info = await initBackend({ prefer: values.backend as 'wasm' })
const runs = Number(values.runs)

/** Median ms of `a` and of `b`, timed alternately (order flipped each round) after warm-up. */
async function medians(a: () => tf.Tensor, b: () => tf.Tensor): Promise<[number, number]> {
  const time = async (f: () => tf.Tensor) => {
    const t0 = performance.now()
    const y = f()
    await y.data()
    y.dispose()
    return performance.now() - t0
  }
  for (let i = 0; i < 2; i++) {
    await time(a)
    await time(b)
  }
  const ta: number[] = []
  const tb: number[] = []
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      ta.push(await time(a))
      tb.push(await time(b))
    } else {
      tb.push(await time(b))
      ta.push(await time(a))
    }
  }
  const mid = (t: number[]) => t.sort((x, y) => x - y)[Math.floor(t.length / 2)] ?? NaN
  return [mid(ta), mid(tb)]
}

const rows = []
const tiled = createGenerator(SMALL.generator, 5, { zInjection: 'tiled' })
const split = createGenerator(SMALL.generator, 5, { zInjection: 'split' })
for (const size of [64, 256]) {
  for (const batch of [1, 8]) {
    const x = tf.randomUniform<tf.Rank.R4>([batch, size, size, 3], -1, 1, 'float32', 1)
    const z = tf.randomNormal<tf.Rank.R2>([batch, SMALL.generator.zDim], 0, 1, 'float32', 2)
    const [tiledMs, splitMs] = await medians(
      () => tiled.apply(x, z),
      () => split.apply(x, z),
    )
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(tiled.apply(x, z), split.apply(x, z)))))
    const maxAbsDiff = (await diff.data())[0]
    rows.push({
      size,
      batch,
      tiled_ms: Number(tiledMs.toFixed(1)),
      split_ms: Number(splitMs.toFixed(1)),
      speedup: Number((tiledMs / splitMs).toFixed(2)),
      max_abs_diff: maxAbsDiff,
    })
    console.error(JSON.stringify(rows.at(-1)))
    tf.dispose([x, z, diff])
  }
}
await writeResult('zsplit', {
  machine: machine(),
  backend: info.backend,
  config: 'small',
  runs,
  rows,
})
