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
 * <x_i, x_j> in the term's metric between one anchor row and m candidate rows (inside tidy), as
 * one 2-D matrix product with the anchor as the small side (no candidate is transposed or
 * repeated). Vector terms: cands [m, D] x x_i [D, 1]. Kernel terms (rows F [hw, c]): the stacked
 * candidates [m * hw, c] x F_i^T [c, hw], squared and summed per candidate, because
 * <G_i, G_j> = |F_j F_i^T|_F^2 / (C H W)^2 (terms.ts).
 */
function anchorDots(t: DistanceTerm, anchor: tf.Tensor2D, cands: tf.Tensor2D): tf.Tensor1D {
  const m = cands.shape[0]
  if (t.kind === 'vector')
    return tf.reshape(tf.matMul(cands, tf.reshape(anchor, [t.rowLength, 1])), [m])
  const hw = t.positions ?? 1
  const c = t.rowLength / hw
  // explicit transpose: tfjs-wasm's matMul is ~10x slower with transpose flags (0005)
  const fiT = tf.transpose(tf.reshape(anchor, [hw, c]))
  const k = tf.matMul(tf.reshape(cands, [m * hw, c]), fiT) // [m * hw, hw]
  const dots = tf.sum(tf.reshape(tf.square(k), [m, hw * hw]), 1)
  return tf.mul(dots, 1 / ((c * hw) ** 2 * c * c))
}

/** Copies rows `idx` of a term into `out` (a Float32Array of >= idx.length rows). */
function gatherRows(t: DistanceTerm, idx: ArrayLike<number>, out: Float32Array): Float32Array {
  const len = t.rowLength
  for (let p = 0; p < idx.length; p++) {
    const r = idx[p] ?? 0
    out.set(t.rows.subarray(r * len, (r + 1) * len), p * len)
  }
  return out.subarray(0, idx.length * len)
}

/**
 * Re-ranks `candidates.near` (each row's candidate list) by the exact distance of `terms` (with
 * their weights and precomputed `norms`); `far` lists are kept as they are.
 *
 * Cost: each unordered candidate pair once (a pair listed by both of its rows is computed for
 * the first and reused), as one matrix product per anchor row and term with the anchor's
 * candidates stacked: O(N * candidates * row) with no per-pair host loops over row entries.
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
  const list = candidates.near
  // dist[i * cands + q]: exact distance of row i to its q-th candidate; NaN until computed
  const dist = new Float32Array(n * cands).fill(NaN)
  /** Position of `i` in row j's candidate list, or -1. */
  const slotOf = (j: number, i: number): number => {
    for (let q = 0; q < cands; q++) if (list[j * cands + q] === i) return q
    return -1
  }
  const bufs = terms.map((t) => new Float32Array(cands * t.rowLength))
  for (let r0 = 0; r0 < n; r0 += rowBlock) {
    options.signal?.throwIfAborted()
    const r1 = Math.min(n, r0 + rowBlock)
    // the pairs this block computes: (row, slot) whose distance is not known yet
    const todo: number[][] = []
    const cols: number[] = []
    for (let i = r0; i < r1; i++) {
      const slots: number[] = []
      for (let q = 0; q < cands; q++) {
        if (!Number.isNaN(dist[i * cands + q] ?? NaN)) continue
        slots.push(q)
        cols.push(list[i * cands + q] ?? 0)
      }
      todo.push(slots)
    }
    const rowOf = Int32Array.from(todo.flatMap((slots, a) => slots.map(() => r0 + a)))
    const d = tf.tidy(() => {
      const parts = terms.map((t, k) => {
        const len = t.rowLength
        const buf = bufs[k] as Float32Array
        const pieces: tf.Tensor1D[] = []
        let off = 0
        // one upload per anchor and term (tf.slice of a large wasm tensor is slow, measured)
        for (const [a, slots] of todo.entries()) {
          if (slots.length === 0) continue
          const i = r0 + a
          const anchor = tf.tensor2d(t.rows.subarray(i * len, (i + 1) * len), [1, len])
          const idx = cols.slice(off, off + slots.length)
          const b = tf.tensor2d(gatherRows(t, idx, buf), [idx.length, len])
          pieces.push(anchorDots(t, anchor, b))
          off += slots.length
        }
        const dots = pieces.length === 1 ? (pieces[0] as tf.Tensor1D) : tf.concat(pieces)
        const nk = norms[k] as Float32Array
        const nI = tf.tensor1d(Float32Array.from(rowOf, (i) => nk[i] ?? 0))
        const nJ = tf.tensor1d(Float32Array.from(cols, (j) => nk[j] ?? 0))
        return tf.mul(tf.relu(tf.sub(tf.add(nI, nJ), tf.mul(dots, 2))), t.weight)
      })
      return parts.length === 1 ? (parts[0] as tf.Tensor1D) : tf.addN(parts)
    })
    const values = cols.length > 0 ? await d.data() : new Float32Array(0)
    d.dispose()
    let p = 0
    for (const [a, slots] of todo.entries()) {
      const i = r0 + a
      for (const q of slots) {
        const v = values[p++] ?? NaN
        dist[i * cands + q] = v
        // the same pair listed by a later row: reuse
        const j = list[i * cands + q] ?? 0
        if (j > i) {
          const back = slotOf(j, i)
          if (back >= 0) dist[j * cands + back] = v
        }
      }
    }
    for (let i = r0; i < r1; i++) {
      const base = i * cands
      const order = Array.from({ length: cands }, (_, q) => q).sort(
        (x, y) => (dist[base + x] ?? 0) - (dist[base + y] ?? 0) || x - y,
      )
      for (let q = 0; q < kNear; q++) near[i * kNear + q] = list[base + (order[q] ?? 0)] ?? -1
    }
    options.onProgress?.(r1, n)
    await new Promise((resolve) => setTimeout(resolve, 0)) // let cancellation and progress through
  }
  return { n, kNear, kFar: candidates.kFar, near, far: candidates.far }
}
