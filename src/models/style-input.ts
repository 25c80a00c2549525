/**
 * The one place where the style code z enters the generator's feature maps: z is tiled over the
 * grid, concatenated as extra channels and convolved. Keeping tiling, concat and the conv
 * together lets a later version swap in the equivalent split conv (features conv + per-sample
 * bias from z) without touching the generator.
 */
import * as tf from '@tensorflow/tfjs'
import { conv, type ConvLayer } from './layers.js'

/**
 * z tiled over the grid of x and appended as channels. x [B, H, W, C], z [B, Z] -> [B, H, W, C + Z].
 * Tiling is a broadcast multiply with ones (not tf.tile, whose gradient is a loop of slices).
 */
export function concatTiledZ(x: tf.Tensor4D, z: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w] = x.shape
    const zd = z.shape[1]
    if (z.shape[0] !== b) {
      throw new RangeError(
        `z [${z.shape.join(', ')}] does not match the batch of [${x.shape.join(', ')}]`,
      )
    }
    const tiled = tf.mul<tf.Tensor4D>(tf.ones([1, h, w, 1]), tf.reshape(z, [b, 1, 1, zd]))
    return tf.concat([x, tiled], 3)
  })
}

/** A conv layer over concat(x, tiled z). x [B, H, W, C], z [B, Z] -> [B, H', W', Cout]. */
export function styleConv(layer: ConvLayer, x: tf.Tensor4D, z: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => conv(layer, concatTiledZ(x, z)))
}
