/**
 * The generator terms outside the paper's loss set (recipe.ts; docs/method.md, "The texture recipe"): a pixel L1
 * term, a phase-invariant texture term (Gram matrices of the perceptual taps) and latent
 * regression (E(G(A, z)) against z, as in BicycleGAN). Pure tfjs ops; each returns a new scalar.
 */
import * as tf from '@tensorflow/tfjs'
import { perceptualWeights } from './losses.js'

/** Added to each position's squared channel norm before the square root (no 0/0 at dead ReLUs). */
export const GRAM_EPS = 1e-6

/** mean |fake - target| over every pixel and channel. fake, target [B, H, W, 3] in [-1, 1]. */
export function pixelL1(fake: tf.Tensor4D, target: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => tf.mean<tf.Scalar>(tf.abs(tf.sub(fake, target))))
}

/**
 * Per-sample Gram matrix of channel-normalised activations: each position's channel vector is
 * scaled to unit length, u_p = x_p / sqrt(|x_p|^2 + GRAM_EPS), then G = (1 / (h w)) sum_p u_p u_p^T.
 * Entries lie in [-1, 1] whatever the network's activation scale. x [B, h, w, C] -> [B, C, C].
 */
export function unitGram(x: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, h, w, c] = x.shape
    const inverseNorm = tf.rsqrt(tf.add(tf.sum(tf.square(x), 3, true), GRAM_EPS)) // [B, h, w, 1]
    return gramOfRows(tf.reshape(tf.mul(x, inverseNorm), [b, h * w, c])) as tf.Tensor3D // [B, C, C]
  })
}

/**
 * u [B, n, C] -> u_b^T u_b / n per sample [B, C, C], with its gradient du_b = u_b (dG_b + dG_b^T) / n.
 * Both are 2-D products without transpose flags, one per sample: tfjs-wasm runs those through
 * XNNPACK, about 10x faster than its batched or transposed matMul (measured: 8 x [256, 256]^2
 * in ~10 ms against ~100 ms), which autodiff of a batched matMul would use.
 */
const gramOfRows = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [u, save] = args
  if (!(u instanceof tf.Tensor) || u.rank !== 3 || typeof save !== 'function')
    throw new TypeError('gramOfRows: expected rows [B, n, C]')
  save([u])
  const n = u.shape[1] ?? 1
  const perSample = (f: (rows: tf.Tensor2D, i: number) => tf.Tensor2D, rows: tf.Tensor) =>
    tf.tidy(() => tf.div(tf.stack(tf.unstack(rows).map((r, i) => f(r as tf.Tensor2D, i))), n))
  return {
    value: perSample((r) => tf.matMul(tf.transpose(r), r), u), // [B, C, C]
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
      tf.tidy(() => {
        const sym = tf.unstack(tf.add(dy, tf.transpose(dy, [0, 2, 1]))) // B x [C, C]
        return perSample((r, i) => tf.matMul(r, sym[i] as tf.Tensor2D), saved[0] ?? u) // [B, n, C]
      }),
  }
})

/**
 * sum_l w_l * mean((unitGram(a_l) - targetGrams_l)^2) over the taps (finest first), with the
 * perceptual loss's per-tap weights by default. The target's Grams are passed in, computed once
 * from features that need no gradient. a_l [B, h, w, C]; targetGrams_l [B, C, C].
 */
export function gramDistance(
  features: readonly tf.Tensor4D[],
  targetGrams: readonly tf.Tensor3D[],
  weights: readonly number[] = perceptualWeights(features.length),
): tf.Scalar {
  if (
    features.length === 0 ||
    features.length !== targetGrams.length ||
    features.length !== weights.length
  ) {
    throw new RangeError(
      `gramDistance: ${features.length} feature maps, ${targetGrams.length} target Grams and ${weights.length} weights (expected the same number, at least 1)`,
    )
  }
  return tf.tidy(() =>
    tf.addN(
      features.map((f, l) => {
        const diff = tf.sub(unitGram(f), targetGrams[l] as tf.Tensor3D)
        return tf.mul<tf.Scalar>(tf.mean(tf.square(diff)), weights[l] ?? 0)
      }),
    ),
  )
}

/** Latent regression mean((codes - z)^2): codes = E(G(A, z)), z the code G was given. [B, zDim]. */
export function latentRegression(codes: tf.Tensor2D, z: tf.Tensor2D): tf.Scalar {
  if (codes.shape.join() !== z.shape.join())
    throw new RangeError(
      `latentRegression: codes [${codes.shape.join(', ')}] and z [${z.shape.join(', ')}] differ in shape`,
    )
  return tf.tidy(() => tf.mean<tf.Scalar>(tf.square(tf.sub(codes, z))))
}

const constantOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0]
  if (!(x instanceof tf.Tensor)) throw new TypeError('stopGradient: expected a tensor')
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) }
})

/** z unchanged, but no gradient flows back through it (a constant to the tape). z [B, zDim]. */
export function stopGradient(z: tf.Tensor2D): tf.Tensor2D {
  return constantOp(z) as tf.Tensor2D
}
