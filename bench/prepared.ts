/**
 * Prepared weights on vs off (docs/decisions/0014): forward time of the small generator (split z)
 * with its scaled / split kernels reused, against building them on every call as before, timed
 * alternately after warm-up (median of `runs`), with the max abs output difference.
 * `npm run bench` calls comparePreparedWeights; run alone: npx tsx bench/prepared.ts [--runs 7]
 */
import { pathToFileURL } from 'node:url'
import * as tf from '@tensorflow/tfjs'
import { SMALL } from '../src/models/configs.js'
import { createGenerator } from '../src/models/generator.js'
import { setPreparedWeights } from '../src/models/prepared.js'
import { alternateMedians, runComparison } from './common.js'

/** One size/batch case of the comparison. */
export interface PreparedRow {
  readonly size: number
  readonly batch: number
  readonly per_call_ms: number
  readonly prepared_ms: number
  readonly speedup: number
  readonly max_abs_diff: number
}

/** Times G with and without prepared weights on each [size, batch] case (current backend). */
export async function comparePreparedWeights(
  cases: readonly (readonly [number, number])[],
  runs: number,
): Promise<PreparedRow[]> {
  const rows: PreparedRow[] = []
  const g = createGenerator(SMALL.generator, 5)
  const call = (on: boolean, x: tf.Tensor4D, z: tf.Tensor2D) => () => {
    setPreparedWeights(on)
    return g.apply(x, z)
  }
  try {
    for (const [size, batch] of cases) {
      const x = tf.randomUniform<tf.Rank.R4>([batch, size, size, 3], -1, 1, 'float32', 1)
      const z = tf.randomNormal<tf.Rank.R2>([batch, SMALL.generator.zDim], 0, 1, 'float32', 2)
      const [off, on] = await alternateMedians(call(false, x, z), call(true, x, z), runs)
      const a = call(false, x, z)()
      const b = call(true, x, z)()
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))))
      rows.push({
        size,
        batch,
        per_call_ms: Number(off.toFixed(1)),
        prepared_ms: Number(on.toFixed(1)),
        speedup: Number((off / on).toFixed(2)),
        max_abs_diff: (await diff.data())[0] ?? NaN,
      })
      console.error(JSON.stringify(rows.at(-1)))
      tf.dispose([x, z, a, b, diff])
    }
  } finally {
    setPreparedWeights(true)
    g.dispose()
  }
  return rows
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runComparison('prepared', comparePreparedWeights, 7)
}
