/**
 * Style distances as a weighted sum of per-layer terms, each stored on the host as one row per
 * image, and evaluated for blocks of rows with matrix products:
 *  - 'vector': squared Euclidean distance between rows (exact upper-triangle Gram vectors, or
 *    Gram sketches);
 *  - 'kernel': rows are raw activations F [HW, C] of a layer with few positions and many channels;
 *    <G_i, G_j> = |F_i F_j^T|_F^2 / (C H W)^2, so the Gram distance needs no C x C matrices
 *    (used when HW^2 < (C + 1) / 2, e.g. ResNet50's 1024-channel 4x4 tap).
 * Each term's distance is already divided by C^2 (the paper's mean over Gram entries; docs/method.md, stage 1).
 */
import * as tf from '@tensorflow/tfjs'

/** One layer's contribution to the style distance. */
export interface DistanceTerm {
  readonly kind: 'vector' | 'kernel'
  /** Row-major [N, rowLength]. */
  readonly rows: Float32Array
  readonly rowLength: number
  /** kernel only: positions HW per row (rowLength = HW * C). */
  readonly positions?: number
  /** Multiplies this term in the sum (1 = the paper's plain sum). */
  weight: number
  /** Tap name, for reports. */
  readonly layer: string
}

/** Rows [from, to) of a term as a tensor [to - from, rowLength]. */
function block(t: DistanceTerm, from: number, to: number): tf.Tensor2D {
  return tf.tensor2d(t.rows.subarray(from * t.rowLength, to * t.rowLength), [
    to - from,
    t.rowLength,
  ])
}

/** kernel term: [bi, bj] of sum_pq (f_ip . f_jq)^2, scaled to <G_i, G_j> / C^2. */
function kernelProducts(t: DistanceTerm, a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const hw = t.positions ?? 1
  const c = t.rowLength / hw
  const [bi, bj] = [a.shape[0], b.shape[0]]
  const k = tf.matMul(tf.reshape(a, [bi * hw, c]), tf.transpose(tf.reshape(b, [bj * hw, c])))
  const summed = tf.sum(tf.reshape(tf.square(k), [bi, hw, bj, hw]), [1, 3])
  return tf.mul<tf.Tensor2D>(summed, 1 / ((c * hw) ** 2 * c * c))
}

/** Squared norms of each row in the term's metric ([N]). */
export async function termNorms(t: DistanceTerm, rowBlock = 64): Promise<Float32Array> {
  const n = t.rows.length / t.rowLength
  const out = new Float32Array(n)
  for (let r0 = 0; r0 < n; r0 += rowBlock) {
    const r1 = Math.min(n, r0 + rowBlock)
    const norms = tf.tidy(() => {
      const x = block(t, r0, r1)
      if (t.kind === 'vector') return tf.sum(tf.square(x), 1)
      const hw = t.positions ?? 1
      const c = t.rowLength / hw
      const f = tf.reshape(x, [r1 - r0, hw, c])
      const self = tf.matMul(f, tf.transpose(f, [0, 2, 1])) // [b, hw, hw]
      return tf.mul(tf.sum(tf.square(self), [1, 2]), 1 / ((c * hw) ** 2 * c * c))
    })
    out.set(await norms.data(), r0)
    norms.dispose()
  }
  return out
}

/** Weighted distances [to-from rows, cols] between row block I and column block J (inside tidy). */
export function blockDistances(
  terms: readonly DistanceTerm[],
  norms: readonly Float32Array[],
  i0: number,
  i1: number,
  j0: number,
  j1: number,
): tf.Tensor2D {
  return crossDistances(terms, norms, i0, i1, terms, norms, j0, j1)
}

/**
 * As blockDistances, with the rows taken from `rowTerms` (the same layers, e.g. a subset of
 * query rows) and the columns from `colTerms`.
 */
export function crossDistances(
  rowTerms: readonly DistanceTerm[],
  rowNorms: readonly Float32Array[],
  i0: number,
  i1: number,
  colTerms: readonly DistanceTerm[],
  colNorms: readonly Float32Array[],
  j0: number,
  j1: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const parts = colTerms.map((t, k) => {
      const a = block(rowTerms[k] as DistanceTerm, i0, i1)
      const b = block(t, j0, j1)
      // explicit transpose: tfjs-wasm's matMul is ~10x slower with transposeB (measured)
      const dots = t.kind === 'vector' ? tf.matMul(a, tf.transpose(b)) : kernelProducts(t, a, b)
      const nI = tf.tensor2d((rowNorms[k] as Float32Array).subarray(i0, i1), [i1 - i0, 1])
      const nJ = tf.tensor2d((colNorms[k] as Float32Array).subarray(j0, j1), [1, j1 - j0])
      return tf.mul(tf.relu(tf.sub(tf.add(nI, nJ), tf.mul(dots, 2))), t.weight)
    })
    return (parts.length === 1 ? parts[0] : tf.addN(parts)) as tf.Tensor2D
  })
}

/**
 * Sets each term's weight to 1 / (its mean pairwise distance over up to `sample` rows), so every
 * layer contributes equally. With ResNet50's taps the plain sum is dominated by the first tap
 * (its distances are ~1000x larger) and style retrieval suffers (docs/decisions/0005).
 */
export async function balanceWeights(
  terms: DistanceTerm[],
  norms: readonly Float32Array[],
  sample = 256,
  method: 'pairs' | 'moments' = 'pairs',
): Promise<number[]> {
  const n = (terms[0]?.rows.length ?? 0) / (terms[0]?.rowLength ?? 1)
  const m = Math.min(n, sample)
  const means: number[] = []
  for (const [k, t] of terms.entries()) {
    if (method === 'moments') {
      means.push(await meanDistance(t, norms[k] as Float32Array, m))
      continue
    }
    const saved = t.weight
    t.weight = 1
    const d = blockDistances([t], [norms[k] as Float32Array], 0, m, 0, m)
    const meanT = tf.mean(d)
    const mean = (await meanT.data())[0] ?? 0
    tf.dispose([d, meanT])
    t.weight = saved
    means.push(mean)
  }
  means.forEach((mean, k) => ((terms[k] as DistanceTerm).weight = mean > 0 ? 1 / mean : 1))
  return means
}

/**
 * The mean of d(i, j) over all m^2 pairs of the first m rows from moments, without the pairs:
 * 2 mean_i |x_i|^2 - 2 |mean_i x_i|^2 (in the term's metric; for a kernel term the mean Gram
 * is S = sum_i F_i^T F_i, one [C, m HW] x [m HW, C] product instead of (m HW)^2 C).
 */
async function meanDistance(t: DistanceTerm, norms: Float32Array, m: number): Promise<number> {
  let meanNorm = 0
  for (let i = 0; i < m; i++) meanNorm += (norms[i] ?? 0) / m
  const sq = tf.tidy(() => {
    const x = block(t, 0, m)
    if (t.kind === 'vector') return tf.sum(tf.square(tf.mean(x, 0)))
    const hw = t.positions ?? 1
    const c = t.rowLength / hw
    const f = tf.reshape(x, [m * hw, c])
    const s = tf.matMul(tf.transpose(f), f)
    return tf.mul(tf.sum(tf.square(s)), 1 / (m * m * (c * hw) ** 2 * c * c))
  })
  const meanSq = (await sq.data())[0] ?? 0
  sq.dispose()
  return 2 * meanNorm - 2 * meanSq
}
