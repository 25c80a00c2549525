/**
 * Style vectors: per-image vectors whose squared Euclidean distance is the paper's Gram style
 * distance d(i, j) = sum over layers l of mean((G_i^l - G_j^l)^2), G = F^T F / (C H W).
 *
 * - exact: the upper triangle of each Gram matrix (off-diagonal entries times sqrt 2, so dot
 *   products equal Frobenius products) divided by C, concatenated over layers.
 * - sketch: an unbiased random projection computed WITHOUT forming G: for random Gaussian vector
 *   pairs (u_k, v_k), z_k = u_k^T G v_k = (F u_k) . (F v_k) / (C H W); E[z_k(A) z_k(B)] = <A, B>_F.
 *   Cost per layer O(HW C p) instead of O(C^2) memory, so it scales to large N and wide layers.
 */
import * as tf from '@tensorflow/tfjs'
import { createRng } from '../../core/rng.js'
import { gramMatrix } from '../../models/ops.js'

/** Upper-triangle indices and weights of a C x C matrix flattened row-major. */
function upperTriangle(c: number): { index: tf.Tensor1D; weight: tf.Tensor1D } {
  const n = (c * (c + 1)) / 2
  const index = new Int32Array(n)
  const weight = new Float32Array(n)
  let k = 0
  for (let i = 0; i < c; i++) {
    for (let j = i; j < c; j++) {
      index[k] = i * c + j
      weight[k] = (i === j ? 1 : Math.SQRT2) / c
      k++
    }
  }
  return { index: tf.tensor1d(index, 'int32'), weight: tf.tensor1d(weight) }
}

/** Computes exact style vectors for batches of tap activations; reuse one per extractor. */
export class ExactStyleVectors {
  private readonly tri = new Map<number, { index: tf.Tensor1D; weight: tf.Tensor1D }>()

  /** Length of a vector for taps with these channel counts. */
  static dims(channels: readonly number[]): number {
    return channels.reduce((s, c) => s + (c * (c + 1)) / 2, 0)
  }

  /** activations: one [B, h, w, C_l] per layer -> [B, D]. */
  compute(activations: readonly tf.Tensor4D[]): tf.Tensor2D {
    return tf.tidy(() => {
      const parts = activations.map((a) => {
        const c = a.shape[3]
        let t = this.tri.get(c)
        if (!t) {
          t = upperTriangleKept(c)
          this.tri.set(c, t)
        }
        const flat = tf.reshape(gramMatrix(a), [a.shape[0], c * c])
        return tf.mul(tf.gather(flat, t.index, 1), t.weight)
      })
      return tf.concat<tf.Tensor2D>(parts as tf.Tensor2D[], 1)
    })
  }

  /** Frees the cached index tensors. */
  dispose(): void {
    for (const t of this.tri.values()) tf.dispose([t.index, t.weight])
    this.tri.clear()
  }
}

function upperTriangleKept(c: number): { index: tf.Tensor1D; weight: tf.Tensor1D } {
  const t = upperTriangle(c)
  return { index: tf.keep(t.index), weight: tf.keep(t.weight) }
}

/** A seeded Gram sketch: per layer, p pairs of Gaussian vectors (u_k, v_k). */
export class GramSketch {
  private readonly u: tf.Tensor2D[]
  private readonly v: tf.Tensor2D[]

  /** `dims` sketch entries per layer; `channels` of each tap. */
  constructor(
    readonly channels: readonly number[],
    readonly dims: number,
    readonly seed: number,
  ) {
    const rng = createRng(seed)
    const draw = (c: number): tf.Tensor2D =>
      tf.keep(
        tf.tensor2d(
          Float32Array.from({ length: c * dims }, () => rng.normal()),
          [c, dims],
        ),
      )
    // kept: the sketch may be created inside a caller's tf.tidy and must outlive it
    this.u = channels.map(draw)
    this.v = channels.map(draw)
  }

  /** activations: one [B, h, w, C_l] per layer -> [B, layers * dims]; scaled so that squared
   *  distances estimate the exact ones. */
  compute(activations: readonly tf.Tensor4D[]): tf.Tensor2D {
    return tf.tidy(() => {
      const parts = activations.map((a, l) => {
        const [b, h, w, c] = a.shape
        if (c !== this.channels[l])
          throw new RangeError(`sketch layer ${l}: ${c} channels, expected ${this.channels[l]}`)
        const f = tf.reshape(a, [b * h * w, c])
        const fu = tf.reshape(tf.matMul(f, this.u[l] as tf.Tensor2D), [b, h * w, this.dims])
        const fv = tf.reshape(tf.matMul(f, this.v[l] as tf.Tensor2D), [b, h * w, this.dims])
        // z_k = u^T G v with G = F^T F / (C H W); the extra 1/C matches the exact vectors' scale,
        // and 1/sqrt(p) turns the sum of p squared estimates into their mean.
        return tf.mul(tf.sum(tf.mul(fu, fv), 1), 1 / (c * h * w * c * Math.sqrt(this.dims)))
      })
      return tf.concat<tf.Tensor2D>(parts as tf.Tensor2D[], 1)
    })
  }

  /** Frees the projection tensors. */
  dispose(): void {
    tf.dispose([...this.u, ...this.v])
  }
}
