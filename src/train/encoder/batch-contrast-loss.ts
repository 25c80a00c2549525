/**
 * Batch-contrastive stage-1 objective (docs/decisions/0008-encoder-texture.md), an alternative to
 * the paper's triplet hinge on the same mined triplets: each anchor's mined positive must be the
 * nearest, in squared code distance, of ALL other codes of the batch (anchors, positives and
 * negatives), by a softmax cross-entropy. The batch's other images supply many negatives that
 * share colour with the anchor, so colour alone cannot solve the batch and texture is learnt.
 */
import * as tf from '@tensorflow/tfjs'
import { TRIPLET_L2, type TripletLossParts } from './triplet-loss.js'

/** Temperature of the distance softmax: logits are -|z_a - z_j|^2 / temperature. */
export const CONTRAST_TEMPERATURE = 1

/**
 * za, zp, zn [B, zDim] (z not normalised). With Z = [za; zp; zn] [3B, zDim] and
 * l_ij = -|za_i - Z_j|^2 / temperature (the anchor itself, j = i, excluded):
 * mean_i -log softmax_j(l_ij)[B + i] + lambda mean(Z^2). `triplet` holds the contrastive term.
 */
export function batchContrastLoss(
  za: tf.Tensor2D,
  zp: tf.Tensor2D,
  zn: tf.Tensor2D,
  lambda = TRIPLET_L2,
  temperature = CONTRAST_TEMPERATURE,
): TripletLossParts {
  return tf.tidy(() => {
    const b = za.shape[0]
    const z = tf.concat([za, zp, zn], 0) // [3B, zDim]
    const d2 = tf.sum(tf.square(tf.sub(tf.expandDims(za, 1), tf.expandDims(z, 0))), 2) // [B, 3B]
    const self = tf.oneHot(tf.range(0, b, 1, 'int32'), 3 * b)
    const logits = tf.sub(tf.div(tf.neg(d2), temperature), tf.mul(self, 1e9))
    const target = tf.oneHot(tf.range(b, 2 * b, 1, 'int32'), 3 * b)
    const triplet = tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(target, logits)
    const l2 = tf.mean<tf.Scalar>(tf.square(z))
    return { total: tf.add<tf.Scalar>(triplet, tf.mul(l2, lambda)), triplet, l2 }
  })
}
