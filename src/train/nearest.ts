/**
 * Exact nearest-neighbour search between two host matrices (IMLE's "nearest M(e) for each code",
 * coverage checks). Squared Euclidean distances are computed block by block as
 * |q|^2 - 2 q r^T + |r|^2 (one matrix product per block), so memory is bounded by the block size
 * whatever Q and R are; every pair is compared (no approximation). The winner's distance is then
 * recomputed on the host from the coordinates, free of the product form's cancellation error.
 */
import * as tf from '@tensorflow/tfjs'

/** Default number of distance entries per block (4 Mi floats = 16 MiB). */
export const NEAREST_BLOCK_ELEMENTS = 1 << 22

/** The nearest reference row of each query row. */
export interface NearestResult {
  /** [Q] index into the reference rows. */
  readonly index: Int32Array
  /** [Q] squared Euclidean distance to that row (computed on the host in float64). */
  readonly distance: Float64Array
}

/**
 * For each row of `queries` [Q, dim], the index of the nearest row of `refs` [R, dim] (squared
 * Euclidean; ties go to the lower index). `blockElements` bounds the distance block Q' x R'.
 */
export async function nearestRows(
  queries: Float32Array,
  refs: Float32Array,
  dim: number,
  blockElements = NEAREST_BLOCK_ELEMENTS,
): Promise<NearestResult> {
  if (!Number.isInteger(dim) || dim <= 0) throw new RangeError(`nearestRows: dim ${dim}`)
  if (queries.length % dim !== 0 || refs.length % dim !== 0) {
    throw new RangeError(
      `nearestRows: queries (${queries.length} values) and refs (${refs.length} values) must be multiples of dim ${dim}`,
    )
  }
  const q = queries.length / dim
  const r = refs.length / dim
  if (r === 0) throw new RangeError('nearestRows: no reference rows')
  const qBlock = Math.max(1, Math.min(q, 1024))
  const rBlock = Math.max(1, Math.min(r, Math.floor(blockElements / qBlock)))
  const best = new Float32Array(q).fill(Infinity)
  const index = new Int32Array(q)
  const qT = tf.tensor2d(queries, [q, dim])
  // Explicit transpose once: tfjs-wasm's matMul with transposeB is ~10x slower (decision 0005).
  const rT = tf.tidy(() => tf.transpose(tf.tensor2d(refs, [r, dim]))) // [dim, R]
  const rNorm = tf.tidy(() => tf.sum(tf.square(rT), 0)) // [R]
  try {
    for (let q0 = 0; q0 < q; q0 += qBlock) {
      const qn = Math.min(qBlock, q - q0)
      const qs = tf.slice(qT, [q0, 0], [qn, dim])
      const qNorm = tf.tidy(() => tf.sum(tf.square(qs), 1, true)) // [q', 1]
      for (let r0 = 0; r0 < r; r0 += rBlock) {
        const rn = Math.min(rBlock, r - r0)
        const [mins, args] = tf.tidy((): [tf.Tensor1D, tf.Tensor1D] => {
          const dots = tf.matMul(qs, tf.slice(rT, [0, r0], [dim, rn])) // [q', r']
          const d = tf.add(tf.sub(qNorm, tf.mul(dots, 2)), tf.slice(rNorm, [r0], [rn]))
          return [tf.min<tf.Tensor1D>(d, 1), tf.argMin<tf.Tensor1D>(d, 1)]
        })
        const [mv, av] = await Promise.all([mins.data(), args.data()])
        tf.dispose([mins, args])
        for (let i = 0; i < qn; i++) {
          const v = mv[i] ?? Infinity
          if (v < (best[q0 + i] ?? Infinity)) {
            best[q0 + i] = v
            index[q0 + i] = r0 + (av[i] ?? 0)
          }
        }
      }
      tf.dispose([qs, qNorm])
    }
  } finally {
    tf.dispose([qT, rT, rNorm])
  }
  const distance = new Float64Array(q)
  for (let i = 0; i < q; i++) distance[i] = squaredDistance(queries, i, refs, index[i] ?? 0, dim)
  return { index, distance }
}

/** |a_i - b_j|^2 for rows i of `a` and j of `b` (float64 on the host). */
export function squaredDistance(
  a: Float32Array,
  i: number,
  b: Float32Array,
  j: number,
  dim: number,
): number {
  let s = 0
  for (let k = 0; k < dim; k++) {
    const d = (a[i * dim + k] ?? 0) - (b[j * dim + k] ?? 0)
    s += d * d
  }
  return s
}
