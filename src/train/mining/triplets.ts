/**
 * Triplet mining as docs/method.md (stage 1) describes it: anchor = every image (shuffled per epoch); positive = a random one
 * of its k_c closest (self excluded); negative = a random one of its k_f farthest. Positives come
 * from a SMALL close set and negatives from a LARGER far set: a style outlier is far from
 * everything, so it sits in every far list, and a larger far set makes it a rarer negative.
 * Every draw derives from (seed, step), so a resumed run draws exactly what it would have.
 */
import { createRng, deriveSeed } from '../../core/rng.js'
import type { NeighbourLists } from './neighbours.js'

/** Paper defaults. */
export const K_CLOSE = 5
export const K_FAR = 13

/** Indices of one batch of triplets. */
export interface TripletBatch {
  readonly anchor: number[]
  readonly positive: number[]
  readonly negative: number[]
}

/** Options of tripletBatch. */
export interface TripletOptions {
  readonly batchSize: number
  readonly seed: number
  readonly kClose?: number
  readonly kFar?: number
  /**
   * 'farthest' (paper): a random one of the k_f farthest. 'random': any image outside the anchor's
   * k_c closest. 'mixed': alternately a farthest one and a hard one (ranked just after the k_c
   * closest), which teaches the local ordering of styles that retrieval needs.
   */
  readonly negatives?: NegativeMode
}

/** Where negatives are drawn from. */
export type NegativeMode = 'farthest' | 'random' | 'mixed'

/** The anchors of step `step`: consecutive slices of a per-epoch shuffled order. */
function anchorsAt(n: number, step: number, batchSize: number, seed: number): number[] {
  const out: number[] = []
  let pos = step * batchSize
  let epoch = -1
  let order: number[] = []
  for (let b = 0; b < batchSize; b++, pos++) {
    const e = Math.floor(pos / n)
    if (e !== epoch) {
      epoch = e
      order = createRng(deriveSeed(seed, 'anchors', e)).shuffled(
        Array.from({ length: n }, (_, i) => i),
      )
    }
    out.push(order[pos % n] ?? 0)
  }
  return out
}

/** The triplets of training step `step` (0-based). */
export function tripletBatch(
  lists: NeighbourLists,
  step: number,
  options: TripletOptions,
): TripletBatch {
  const kClose = Math.min(options.kClose ?? K_CLOSE, lists.kNear)
  const kFar = Math.min(options.kFar ?? K_FAR, lists.kFar)
  if (kClose < 1 || kFar < 1)
    throw new RangeError(`tripletBatch: kClose=${kClose}, kFar=${kFar} must be >= 1`)
  const anchor = anchorsAt(lists.n, step, options.batchSize, options.seed)
  const rng = createRng(deriveSeed(options.seed, 'triplets', step))
  const positive = anchor.map((a) => lists.near[a * lists.kNear + rng.int(kClose)] ?? a)
  const negative = anchor.map((a, b) => {
    const mode = options.negatives ?? 'farthest'
    if (mode === 'mixed' && b % 2 === 1 && lists.kNear > kClose) {
      return lists.near[a * lists.kNear + kClose + rng.int(lists.kNear - kClose)] ?? a
    }
    if (mode !== 'random') return lists.far[a * lists.kFar + rng.int(kFar)] ?? a
    const close = lists.near.subarray(a * lists.kNear, a * lists.kNear + kClose)
    for (;;) {
      const j = rng.int(lists.n)
      if (j !== a && !close.includes(j)) return j
    }
  })
  return { anchor, positive, negative }
}
