/**
 * Gradient plumbing the baseline trainers share: the gradients of a scalar loss with respect to
 * an ordered list of variables, and per-step seeded noise (every draw derives from (seed, step),
 * so a resumed run draws what an uninterrupted one would).
 */
import * as tf from '@tensorflow/tfjs'
import { deriveSeed } from '../../core/rng.js'
import { normalNoise } from '../../inference/noise.js'

/** loss value and its gradients in the order of `vars` (zeros for a variable it does not use). */
export function gradientsOf(
  f: () => tf.Scalar,
  vars: readonly tf.Variable[],
): { value: tf.Scalar; grads: tf.Tensor[] } {
  const { value, grads } = tf.variableGrads(f, [...vars])
  const ordered = vars.map((v) => grads[v.name] ?? tf.zerosLike(v))
  const used = new Set(ordered)
  tf.dispose(Object.values(grads).filter((g) => !used.has(g)))
  return { value, grads: ordered }
}

/** Element-wise sums of two gradient lists of the same variables; disposes both. */
export function addGrads(a: tf.Tensor[], b: tf.Tensor[]): tf.Tensor[] {
  const sum = a.map((g, i) => tf.add(g, b[i] ?? tf.zerosLike(g)))
  tf.dispose([...a, ...b])
  return sum
}

/** N(0, I) noise [count, zDim] for draw `what` of step `step`. */
export function stepNoise(
  seed: number,
  what: string,
  step: number,
  count: number,
  zDim: number,
): tf.Tensor2D {
  return tf.tensor2d(normalNoise(deriveSeed(seed, what, step), count, zDim), [count, zDim])
}

/** mean |a - b|. */
export function l1(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean<tf.Scalar>(tf.abs(tf.sub(a, b))))
}
