/**
 * Nearest and farthest neighbours of every row under a distance given as weighted terms
 * (terms.ts: |x_i|^2 + |x_j|^2 - 2 x_i . x_j per term), computed with matrix products in row x
 * column blocks (memory stays bounded by the block sizes), then tf.topk per row block.
 */
import * as tf from '@tensorflow/tfjs'
import { blockDistances, termNorms, type DistanceTerm } from './terms.js'

/** Per-row neighbour indices: row i's list is at [i * k, (i + 1) * k), nearest/farthest first. */
export interface NeighbourLists {
  readonly n: number
  readonly kNear: number
  readonly kFar: number
  /** [N * kNear] indices of the closest other rows (self excluded), closest first. */
  readonly near: Int32Array
  /** [N * kFar] indices of the farthest rows, farthest first. */
  readonly far: Int32Array
}

/** Options of computeNeighbours. */
export interface NeighbourOptions {
  readonly kNear: number
  readonly kFar: number
  /** Rows per block (default 256). */
  readonly rowBlock?: number
  /** Columns per block (default 1024). */
  readonly colBlock?: number
  readonly onProgress?: (rowsDone: number, rows: number) => void
  readonly signal?: AbortSignal
  /** Precomputed termNorms per term (computed when absent). */
  readonly norms?: readonly Float32Array[]
}

/** Computes the lists for X given as a row-major Float32Array of N rows of length D. */
export async function computeNeighbours(
  x: Float32Array,
  d: number,
  options: NeighbourOptions,
): Promise<NeighbourLists> {
  return neighboursOfTerms(
    [{ kind: 'vector', rows: x, rowLength: d, weight: 1, layer: 'x' }],
    options,
  )
}

/** Computes the lists under the weighted sum of distance terms (terms.ts). */
export async function neighboursOfTerms(
  terms: readonly DistanceTerm[],
  options: NeighbourOptions,
): Promise<NeighbourLists> {
  const first = terms[0]
  if (!first) throw new RangeError('computeNeighbours: no distance terms')
  const n = first.rows.length / first.rowLength
  if (!Number.isInteger(n) || n < 2)
    throw new RangeError(
      `computeNeighbours: need >= 2 rows of length ${first.rowLength}, got ${first.rows.length} values`,
    )
  const kNear = Math.min(options.kNear, n - 1)
  const kFar = Math.min(options.kFar, n - 1)
  // Blocks sized so one block of every term stays under ~32M floats.
  const width = terms.reduce((s, t) => s + t.rowLength, 0)
  const budget = Math.max(8, Math.floor(32_000_000 / width))
  const rowBlock = Math.min(options.rowBlock ?? 256, budget)
  const colBlock = Math.min(options.colBlock ?? 1024, budget)
  const norms = options.norms ?? (await Promise.all(terms.map((t) => termNorms(t))))
  const near = new Int32Array(n * kNear)
  const far = new Int32Array(n * kFar)
  for (let r0 = 0; r0 < n; r0 += rowBlock) {
    options.signal?.throwIfAborted()
    const r1 = Math.min(n, r0 + rowBlock)
    const [nearIdx, farIdx] = tf.tidy(() => {
      const pieces: tf.Tensor2D[] = []
      for (let c0 = 0; c0 < n; c0 += colBlock)
        pieces.push(blockDistances(terms, norms, r0, r1, c0, Math.min(n, c0 + colBlock)))
      const dist = pieces.length === 1 ? (pieces[0] as tf.Tensor2D) : tf.concat(pieces, 1)
      // self has distance ~0: ask for one extra and drop it below
      return [tf.topk(tf.neg(dist), Math.min(n, kNear + 1)).indices, tf.topk(dist, kFar).indices]
    })
    const [ni, fi] = await Promise.all([nearIdx.data(), farIdx.data()])
    tf.dispose([nearIdx, farIdx])
    const wNear = Math.min(n, kNear + 1)
    for (let r = r0; r < r1; r++) {
      let k = 0
      for (let j = 0; j < wNear && k < kNear; j++) {
        const idx = ni[(r - r0) * wNear + j] ?? -1
        if (idx !== r) near[r * kNear + k++] = idx
      }
      for (let j = 0; j < kFar; j++) far[r * kFar + j] = fi[(r - r0) * kFar + j] ?? -1
    }
    options.onProgress?.(r1, n)
    await new Promise((resolve) => setTimeout(resolve, 0)) // let cancellation and progress through
  }
  return { n, kNear, kFar, near, far }
}

/** Mean fraction of each row's first k exact nearest neighbours found among approx's first k. */
export function recallAtK(exact: NeighbourLists, approx: NeighbourLists, k: number): number {
  if (exact.n !== approx.n) throw new RangeError(`recallAtK: ${exact.n} vs ${approx.n} rows`)
  if (k > exact.kNear || k > approx.kNear)
    throw new RangeError(`recallAtK: k=${k} exceeds the stored lists`)
  let hits = 0
  for (let i = 0; i < exact.n; i++) {
    const truth = new Set(exact.near.subarray(i * exact.kNear, i * exact.kNear + k))
    for (const j of approx.near.subarray(i * approx.kNear, i * approx.kNear + k))
      if (truth.has(j)) hits++
  }
  return hits / (exact.n * k)
}
