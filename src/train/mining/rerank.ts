/**
 * Exact re-ranking of approximate neighbour candidates. Projected mining finds each image's
 * closest candidates under the Gram sketch (cheap, all N^2 pairs), then this module computes the
 * EXACT style distance for those candidate pairs only and keeps the closest, so the near lists
 * are exact whenever the true neighbours are among the candidates (measured: the exact top 5 are
 * always inside the sketch's top 16 at N = 1000; docs/decisions/0006).
 *
 * Pair distances use the same weighted terms as terms.ts: |x_i|^2 + |x_j|^2 - 2 <x_i, x_j>.
 */
import * as tf from '@tensorflow/tfjs'
import type { NeighbourLists } from './neighbours.js'
import type { DistanceTerm } from './terms.js'

/** Options of rerankNeighbours. */
export interface RerankOptions {
  /** Neighbours kept per row after re-ranking (<= candidates per row). */
  readonly kNear: number
  /** Floats one gathered block may hold per term (default 8M). */
  readonly blockFloats?: number
  readonly signal?: AbortSignal
  readonly onProgress?: (rowsDone: number, rows: number) => void
}

/**
 * <x_i, x_j> in the term's metric for P pairs (inside tidy). Vector terms: rows a [P, D], b [P, D].
 * Kernel terms: a [R, D] holds each anchor row once and b [R * perRow, D] its candidates; one 2-D
 * product per anchor row, F_i [hw, c] x [F_j1; ...; F_jC]^T, because
 * tfjs-wasm's batched matMul runs ~10x slower than one 2-D product of the same size (measured).
 */
function pairDots(t: DistanceTerm, a: tf.Tensor2D, b: tf.Tensor2D, perRow: number): tf.Tensor1D {
  if (t.kind === 'vector') return tf.sum(tf.mul(a, b), 1)
  const hw = t.positions ?? 1
  const c = t.rowLength / hw
  const out: tf.Tensor1D[] = []
  for (let r = 0; r < a.shape[0]; r++) {
    const fi = tf.reshape(tf.slice(a, [r, 0], [1, t.rowLength]), [hw, c])
    const fj = tf.reshape(tf.slice(b, [r * perRow, 0], [perRow, t.rowLength]), [perRow * hw, c])
    const k = tf.matMul(fi, tf.transpose(fj)) // [hw, perRow * hw]; explicit transpose: terms.ts
    out.push(tf.sum(tf.reshape(tf.square(k), [hw, perRow, hw]), [0, 2]))
  }
  const dots = out.length === 1 ? (out[0] as tf.Tensor1D) : tf.concat(out)
  return tf.mul(dots, 1 / ((c * hw) ** 2 * c * c))
}

/** Copies rows `idx` of a term into one Float32Array [idx.length, rowLength]. */
function gatherRows(t: DistanceTerm, idx: ArrayLike<number>): Float32Array {
  const out = new Float32Array(idx.length * t.rowLength)
  for (let p = 0; p < idx.length; p++) {
    const r = idx[p] ?? 0
    out.set(t.rows.subarray(r * t.rowLength, (r + 1) * t.rowLength), p * t.rowLength)
  }
  return out
}

/**
 * Re-ranks `candidates.near` (each row's candidate list) by the exact distance of `terms` (with
 * their weights and precomputed `norms`); `far` lists are kept as they are.
 */
export async function rerankNeighbours(
  candidates: NeighbourLists,
  terms: readonly DistanceTerm[],
  norms: readonly Float32Array[],
  options: RerankOptions,
): Promise<NeighbourLists> {
  const { n, kNear: cands } = candidates
  const kNear = Math.min(options.kNear, cands)
  const widest = terms.reduce((m, t) => Math.max(m, t.rowLength), 1)
  const rowBlock = Math.max(1, Math.floor((options.blockFloats ?? 8_000_000) / (widest * cands)))
  const near = new Int32Array(n * kNear)
  for (let r0 = 0; r0 < n; r0 += rowBlock) {
    options.signal?.throwIfAborted()
    const r1 = Math.min(n, r0 + rowBlock)
    const pairs = (r1 - r0) * cands
    const rowOf = new Int32Array(pairs)
    const colOf = candidates.near.subarray(r0 * cands, r1 * cands)
    for (let p = 0; p < pairs; p++) rowOf[p] = r0 + Math.floor(p / cands)
    const dist = tf.tidy(() => {
      const parts = terms.map((t, k) => {
        const anchors =
          t.kind === 'kernel' ? Int32Array.from({ length: r1 - r0 }, (_, q) => r0 + q) : rowOf
        const a = tf.tensor2d(gatherRows(t, anchors), [anchors.length, t.rowLength])
        const b = tf.tensor2d(gatherRows(t, colOf), [pairs, t.rowLength])
        const nk = norms[k] as Float32Array
        const nI = tf.tensor1d(Float32Array.from(rowOf, (i) => nk[i] ?? 0))
        const nJ = tf.tensor1d(Float32Array.from(colOf, (j) => nk[j] ?? 0))
        return tf.mul(
          tf.relu(tf.sub(tf.add(nI, nJ), tf.mul(pairDots(t, a, b, cands), 2))),
          t.weight,
        )
      })
      return parts.length === 1 ? (parts[0] as tf.Tensor1D) : tf.addN(parts)
    })
    const d = await dist.data()
    dist.dispose()
    for (let r = r0; r < r1; r++) {
      const base = (r - r0) * cands
      const order = Array.from({ length: cands }, (_, q) => q).sort(
        (x, y) => (d[base + x] ?? 0) - (d[base + y] ?? 0) || x - y,
      )
      for (let q = 0; q < kNear; q++) near[r * kNear + q] = colOf[base + (order[q] ?? 0)] ?? -1
    }
    options.onProgress?.(r1, n)
    await new Promise((resolve) => setTimeout(resolve, 0)) // let cancellation and progress through
  }
  return { n, kNear, kFar: candidates.kFar, near, far: candidates.far }
}
