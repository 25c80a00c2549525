/** The stage-1 objective (docs/method.md, stage 1): triplet hinge on squared distances plus an L2 pull on the codes. */
import * as tf from '@tensorflow/tfjs'

/** Spec defaults: margin alpha 0.1, L2 weight lambda 0.01. */
export const TRIPLET_MARGIN = 0.1
export const TRIPLET_L2 = 0.01

/** The parts of the loss (scalars). */
export interface TripletLossParts {
  readonly total: tf.Scalar
  readonly triplet: tf.Scalar
  readonly l2: tf.Scalar
}

/**
 * za, zp, zn [B, zDim] (z not normalised):
 * mean_b max(0, |za - zp|^2 - |za - zn|^2 + margin) + lambda (mean za^2 + mean zp^2 + mean zn^2).
 */
export function tripletLoss(
  za: tf.Tensor2D,
  zp: tf.Tensor2D,
  zn: tf.Tensor2D,
  margin = TRIPLET_MARGIN,
  lambda = TRIPLET_L2,
): TripletLossParts {
  return tf.tidy(() => {
    const dPos = tf.sum(tf.square(tf.sub(za, zp)), 1)
    const dNeg = tf.sum(tf.square(tf.sub(za, zn)), 1)
    const triplet = tf.mean<tf.Scalar>(tf.relu(tf.add(tf.sub(dPos, dNeg), margin)))
    const l2 = tf.addN([
      tf.mean(tf.square(za)),
      tf.mean(tf.square(zp)),
      tf.mean(tf.square(zn)),
    ]) as tf.Scalar
    return { total: tf.add<tf.Scalar>(triplet, tf.mul(l2, lambda)), triplet, l2 }
  })
}
