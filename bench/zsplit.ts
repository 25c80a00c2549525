/**
 * Split z injection vs tiled concat (docs/decisions/0010): forward time of the small config's
 * whole generator and of its decoder alone (the part z enters; content features computed once)
 * on the current backend, both variants built from the same seed, timed alternately after
 * warm-up (median of `runs`), with the max abs output difference. `npm run bench` calls
 * compareZInjection; run alone: npx tsx bench/zsplit.ts [--backend wasm] [--runs 5]
 */
import { pathToFileURL } from 'node:url'
import * as tf from '@tensorflow/tfjs'
import { SMALL } from '../src/models/configs.js'
import { createGenerator } from '../src/models/generator.js'
import { alternateMedians, runComparison } from './common.js'

/** One size/batch case of the comparison. */
export interface ZSplitRow {
  readonly size: number
  readonly batch: number
  readonly tiled_ms: number
  readonly split_ms: number
  readonly speedup: number
  readonly decoder_tiled_ms: number
  readonly decoder_split_ms: number
  readonly decoder_speedup: number
  readonly max_abs_diff: number
}

const ms = (v: number) => Number(v.toFixed(1))

/** Times both variants on each [size, batch] case. */
export async function compareZInjection(
  cases: readonly (readonly [number, number])[],
  runs: number,
): Promise<ZSplitRow[]> {
  const rows: ZSplitRow[] = []
  const tiled = createGenerator(SMALL.generator, 5, { zInjection: 'tiled' })
  const split = createGenerator(SMALL.generator, 5, { zInjection: 'split' })
  for (const [size, batch] of cases) {
    const x = tf.randomUniform<tf.Rank.R4>([batch, size, size, 3], -1, 1, 'float32', 1)
    const z = tf.randomNormal<tf.Rank.R2>([batch, SMALL.generator.zDim], 0, 1, 'float32', 2)
    const [tiledMs, splitMs] = await alternateMedians(
      () => tiled.apply(x, z),
      () => split.apply(x, z),
      runs,
    )
    const features = split.encodeContent(x)
    const [tiledDec, splitDec] = await alternateMedians(
      () => tiled.decode(features, z),
      () => split.decode(features, z),
      runs,
    )
    features.dispose()
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(tiled.apply(x, z), split.apply(x, z)))))
    rows.push({
      size,
      batch,
      tiled_ms: ms(tiledMs),
      split_ms: ms(splitMs),
      speedup: Number((tiledMs / splitMs).toFixed(2)),
      decoder_tiled_ms: ms(tiledDec),
      decoder_split_ms: ms(splitDec),
      decoder_speedup: Number((tiledDec / splitDec).toFixed(2)),
      max_abs_diff: (await diff.data())[0] ?? NaN,
    })
    console.error(JSON.stringify(rows.at(-1)))
    tf.dispose([x, z, diff])
  }
  tiled.dispose()
  split.dispose()
  return rows
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runComparison('zsplit', compareZInjection, 5)
}
