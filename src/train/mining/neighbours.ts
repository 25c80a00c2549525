/**
 * Nearest and farthest neighbours of every row under a distance given as weighted terms
 * (terms.ts: |x_i|^2 + |x_j|^2 - 2 x_i . x_j per term), computed with matrix products in row x
 * column blocks (memory stays bounded by the block sizes), then tf.topk per row block.
 */
import * as tf from '@tensorflow/tfjs'
import { crossDistances, termNorms, type DistanceTerm } from './terms.js'

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
  /**
   * neighboursOfTerms only: compute the lists of these rows only (against all rows); the result
   * has one list per query row, in this order (n = queryRows.length). Same arithmetic per row.
   */
  readonly queryRows?: Int32Array
}

/** Computes the lists for X given as a row-major Float32Array of N rows of length D. */
export async function computeNeighbours(
  x: Float32Array,
  d: number,
  options: NeighbourOptions,
): Promise<NeighbourLists> {
  return neighboursOfVectors(
    [{ kind: 'vector', rows: x, rowLength: d, weight: 1, layer: 'x' }],
    options,
  )
}

/** A row's best `k` (value, index) so far, best first; `better(a, b)` orders values. */
class TopList {
  readonly value: Float32Array
  readonly index: Int32Array
  size = 0
  constructor(
    readonly k: number,
    private readonly larger: boolean,
  ) {
    this.value = new Float32Array(k)
    this.index = new Int32Array(k)
  }

  /** Offers (v, j); ties keep the lower index first. */
  offer(v: number, j: number): void {
    const { k, value, index } = this
    const before = (p: number) => {
      const w = value[p] ?? 0
      return this.larger
        ? v > w || (v === w && j < (index[p] ?? 0))
        : v < w || (v === w && j < (index[p] ?? 0))
    }
    if (this.size === k && !before(k - 1)) return
    let p = Math.min(this.size, k - 1)
    while (p > 0 && before(p - 1)) {
      value[p] = value[p - 1] ?? 0
      index[p] = index[p - 1] ?? 0
      p--
    }
    value[p] = v
    index[p] = j
    if (this.size < k) this.size++
  }
}

/** Rows N and the list lengths (at most N - 1) of `terms`, checked. */
function listShape(
  terms: readonly DistanceTerm[],
  options: NeighbourOptions,
): { n: number; kNear: number; kFar: number } {
  const first = terms[0]
  if (!first) throw new RangeError('computeNeighbours: no distance terms')
  const n = first.rows.length / first.rowLength
  if (!Number.isInteger(n) || n < 2)
    throw new RangeError(
      `computeNeighbours: need >= 2 rows of length ${first.rowLength}, got ${first.rows.length} values`,
    )
  return { n, kNear: Math.min(options.kNear, n - 1), kFar: Math.min(options.kFar, n - 1) }
}

/**
 * Neighbour lists under a weighted sum of VECTOR terms (the sketch's all-pairs phase), faster
 * than neighboursOfTerms: the terms are one matrix X = [sqrt(w_1) X_1 | ...] (one product per
 * block instead of one per term), each column block is uploaded and transposed once, only
 * blocks J >= I are computed (the distance is symmetric: block (I, J) gives row I's and, through
 * its transpose, row J's candidates), and a fused tf.topk per block feeds each row's running
 * top-k. Distances: relu(|x_i|^2 + |x_j|^2 - 2 x_i . x_j) with the terms' norms.
 */
export async function neighboursOfVectors(
  terms: readonly DistanceTerm[],
  options: NeighbourOptions,
): Promise<NeighbourLists> {
  if (terms.some((t) => t.kind !== 'vector'))
    throw new RangeError('neighboursOfVectors: kernel terms need neighboursOfTerms')
  const { n, kNear, kFar } = listShape(terms, options)
  const width = terms.reduce((s, t) => s + t.rowLength, 0)
  const norms = options.norms ?? (await Promise.all(terms.map((t) => termNorms(t))))
  const norm = new Float32Array(n)
  for (const [k, t] of terms.entries())
    for (let i = 0; i < n; i++)
      norm[i] = (norm[i] ?? 0) + t.weight * ((norms[k] as Float32Array)[i] ?? 0)
  const block = Math.max(2, Math.min(options.rowBlock ?? 512, Math.floor(16_000_000 / width)))
  const rowsOf = (b0: number, b1: number): Float32Array => {
    const out = new Float32Array((b1 - b0) * width)
    let off = 0
    for (const t of terms) {
      const s = Math.sqrt(t.weight)
      for (let i = b0; i < b1; i++) {
        const src = t.rows.subarray(i * t.rowLength, (i + 1) * t.rowLength)
        const at = (i - b0) * width + off
        for (let e = 0; e < src.length; e++) out[at + e] = s * (src[e] ?? 0)
      }
      off += t.rowLength
    }
    return out
  }
  const starts = Array.from({ length: Math.ceil(n / block) }, (_, b) => b * block)
  const end = (b0: number) => Math.min(n, b0 + block)
  // columns: X_J^T [width, |J|] and norms, uploaded once
  const cols = starts.map((b0) =>
    tf.tidy(() => {
      const x = tf.tensor2d(rowsOf(b0, end(b0)), [end(b0) - b0, width])
      return {
        xT: tf.keep(tf.transpose(x)),
        n: tf.keep(tf.tensor2d(norm.subarray(b0, end(b0)), [1, end(b0) - b0])),
      }
    }),
  )
  const nearTop = Array.from({ length: n }, () => new TopList(kNear + 1, false))
  const farTop = Array.from({ length: n }, () => new TopList(kFar, true))
  const wNear = (m: number) => Math.min(m, kNear + 1)
  const wFar = (m: number) => Math.min(m, kFar)
  /** Offers a block's top-k (tensors [near values, near indices, far values, far indices]). */
  const feed = async (r0: number, c0: number, m: number, ts: tf.Tensor[]) => {
    const [nv, ni, fv, fi] = await Promise.all(ts.map((t) => t.data()))
    const rows = ts[0]?.shape[0] ?? 0
    const [wn, wf] = [wNear(m), wFar(m)]
    for (let r = 0; r < rows; r++) {
      const near = nearTop[r0 + r] as TopList
      const far = farTop[r0 + r] as TopList
      for (let q = 0; q < wn; q++)
        near.offer(-Number(nv?.[r * wn + q] ?? 0), c0 + Number(ni?.[r * wn + q] ?? 0))
      for (let q = 0; q < wf; q++)
        far.offer(Number(fv?.[r * wf + q] ?? 0), c0 + Number(fi?.[r * wf + q] ?? 0))
    }
  }
  try {
    for (const [bi, i0] of starts.entries()) {
      options.signal?.throwIfAborted()
      const i1 = end(i0)
      const a = tf.tensor2d(rowsOf(i0, i1), [i1 - i0, width])
      const nI = tf.tensor2d(norm.subarray(i0, i1), [i1 - i0, 1])
      for (let bj = bi; bj < starts.length; bj++) {
        const j0 = starts[bj] ?? 0
        const j1 = end(j0)
        const col = cols[bj] as { xT: tf.Tensor2D; n: tf.Tensor2D }
        const out = tf.tidy(() => {
          const d = tf.relu(
            tf.sub(tf.add(nI, col.n), tf.mul(tf.matMul(a, col.xT), 2)),
          ) as tf.Tensor2D
          const top = (x: tf.Tensor2D) => {
            const near = tf.topk(tf.neg(x), wNear(x.shape[1]))
            const far = tf.topk(x, wFar(x.shape[1]))
            return [near.values, near.indices, far.values, far.indices]
          }
          return bj === bi ? top(d) : [...top(d), ...top(tf.transpose(d))]
        })
        await feed(i0, j0, j1 - j0, out.slice(0, 4))
        if (out.length > 4) await feed(j0, i0, i1 - i0, out.slice(4))
        tf.dispose(out)
      }
      tf.dispose([a, nI])
      options.onProgress?.(i1, n)
      await new Promise((resolve) => setTimeout(resolve, 0)) // let cancellation and progress through
    }
  } finally {
    for (const c of cols) tf.dispose([c.xT, c.n])
  }
  const near = new Int32Array(n * kNear)
  const far = new Int32Array(n * kFar)
  for (let r = 0; r < n; r++) {
    const top = nearTop[r] as TopList
    let k = 0
    for (let q = 0; q < top.size && k < kNear; q++)
      if (top.index[q] !== r) near[r * kNear + k++] = top.index[q] ?? -1
    far.set((farTop[r] as TopList).index.subarray(0, kFar), r * kFar)
  }
  return { n, kNear, kFar, near, far }
}

/** Computes the lists under the weighted sum of distance terms (terms.ts). */
export async function neighboursOfTerms(
  terms: readonly DistanceTerm[],
  options: NeighbourOptions,
): Promise<NeighbourLists> {
  const { n, kNear, kFar } = listShape(terms, options)
  // Blocks sized so one block of every term stays under ~32M floats.
  const width = terms.reduce((s, t) => s + t.rowLength, 0)
  const budget = Math.max(8, Math.floor(32_000_000 / width))
  const rowBlock = Math.min(options.rowBlock ?? 256, budget)
  const colBlock = Math.min(options.colBlock ?? 1024, budget)
  const norms = options.norms ?? (await Promise.all(terms.map((t) => termNorms(t))))
  const query = options.queryRows
  const rowTerms = query ? terms.map((t) => gatherTerm(t, query)) : terms
  const rowNorms = query ? norms.map((nk) => Float32Array.from(query, (i) => nk[i] ?? 0)) : norms
  const rows = query ? query.length : n
  const self = (r: number) => (query ? (query[r] ?? -1) : r)
  const near = new Int32Array(rows * kNear)
  const far = new Int32Array(rows * kFar)
  for (let r0 = 0; r0 < rows; r0 += rowBlock) {
    options.signal?.throwIfAborted()
    const r1 = Math.min(rows, r0 + rowBlock)
    const [nearIdx, farIdx] = tf.tidy(() => {
      const pieces: tf.Tensor2D[] = []
      for (let c0 = 0; c0 < n; c0 += colBlock) {
        const c1 = Math.min(n, c0 + colBlock)
        pieces.push(crossDistances(rowTerms, rowNorms, r0, r1, terms, norms, c0, c1))
      }
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
        if (idx !== self(r)) near[r * kNear + k++] = idx
      }
      for (let j = 0; j < kFar; j++) far[r * kFar + j] = fi[(r - r0) * kFar + j] ?? -1
    }
    options.onProgress?.(r1, rows)
    await new Promise((resolve) => setTimeout(resolve, 0)) // let cancellation and progress through
  }
  return { n: rows, kNear, kFar, near, far }
}

/** A term holding only rows `idx` of `t`. */
function gatherTerm(t: DistanceTerm, idx: Int32Array): DistanceTerm {
  const rows = new Float32Array(idx.length * t.rowLength)
  for (const [p, r] of idx.entries())
    rows.set(t.rows.subarray(r * t.rowLength, (r + 1) * t.rowLength), p * t.rowLength)
  return { ...t, rows }
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
