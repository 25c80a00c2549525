/**
 * Functional building blocks shared by the StEP networks (docs/method.md): equalised-learning-rate
 * convolution and dense layers, instance norm, pixel norm, and Gram matrices. Pure tfjs ops, so
 * they run unchanged on every backend.
 */
import * as tf from '@tensorflow/tfjs'

/** Run-time He scale of the equalised learning rate: sqrt(2 / ((1 + slope^2) * fanIn)). */
export function equalisedScale(fanIn: number, slope = 0): number {
  return Math.sqrt(2 / ((1 + slope * slope) * fanIn))
}

/**
 * Convolution with equalised learning rate: weights are stored N(0, 1) and scaled at run time.
 * x [B, H, W, Cin], kernel [k, k, Cin, Cout], bias [Cout] -> [B, H', W', Cout].
 */
export function eqConv2d(
  x: tf.Tensor4D,
  kernel: tf.Tensor4D,
  bias: tf.Tensor1D | null,
  stride = 1,
  pad: 'same' | 'valid' = 'same',
  slope = 0,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, cin] = kernel.shape
    const w = tf.mul<tf.Tensor4D>(kernel, equalisedScale(kh * kw * cin, slope))
    const y = tf.conv2d(x, w, stride, pad)
    return bias ? tf.add<tf.Tensor4D>(y, bias) : y
  })
}

/** Dense layer with equalised learning rate. x [B, Cin], kernel [Cin, Cout] -> [B, Cout]. */
export function eqDense(
  x: tf.Tensor2D,
  kernel: tf.Tensor2D,
  bias: tf.Tensor1D | null,
  slope = 0,
): tf.Tensor2D {
  return tf.tidy(() => {
    const y = tf.matMul<tf.Tensor2D>(
      x,
      tf.mul<tf.Tensor2D>(kernel, equalisedScale(kernel.shape[0], slope)),
    )
    return bias ? tf.add<tf.Tensor2D>(y, bias) : y
  })
}

/** Instance norm (no affine): per sample and channel over H, W. [B, H, W, C] -> same. */
export function instanceNorm(x: tf.Tensor4D, epsilon = 1e-5): tf.Tensor4D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, [1, 2], true)
    return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, epsilon)))
  })
}

/** Pixel norm: each pixel's feature vector scaled to unit RMS over channels. [B, H, W, C] -> same. */
export function pixelNorm(x: tf.Tensor4D, epsilon = 1e-8): tf.Tensor4D {
  return tf.tidy(() => tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), epsilon))))
}

/** Gram matrix F^T F / (C * H * W) per sample. [B, H, W, C] -> [B, C, C]. */
export function gramMatrix(x: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, h, w, c] = x.shape
    const f = tf.reshape(x, [b, h * w, c])
    // explicit transpose: faster than the transposeA flag on tfjs-wasm (measured)
    return tf.div(tf.matMul(tf.transpose(f, [0, 2, 1]), f), c * h * w)
  })
}
