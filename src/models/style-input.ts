/**
 * The one place where the style code z enters the generator's feature maps. Mathematically the
 * generator convolves concat(x, z tiled over the grid); this is computed without tiling: the conv
 * of x with the feature part of the kernel, plus the z part as a per-sample term. With 'same'
 * zero padding the z term is constant inside the image and smaller at the borders (kernel taps
 * that fall outside see zeros), so it is built exactly from per-tap projections V = z . W_z and
 * the row / column validity of each tap: z_term[b, h, w] = sum_{r,c} R[h, r] C[w, c] V[b, r, c]
 * (two small batched matMuls, so one full-size add per layer).
 * `styleConvTiled` keeps the tiled form for tests and benchmarks (docs/decisions/0010).
 */
import * as tf from '@tensorflow/tfjs'
import { trainableConv2d } from './conv2d.js'
import { conv, type ConvLayer } from './layers.js'
import { prepared } from './prepared.js'

/**
 * z tiled over the grid of x and appended as channels. x [B, H, W, C], z [B, Z] -> [B, H, W, C + Z].
 * Tiling is a broadcast multiply with ones (not tf.tile, whose gradient is a loop of slices).
 */
export function concatTiledZ(x: tf.Tensor4D, z: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w] = x.shape
    const zd = z.shape[1]
    assertBatch(x, z)
    const tiled = tf.mul<tf.Tensor4D>(tf.ones([1, h, w, 1]), tf.reshape(z, [b, 1, 1, zd]))
    return tf.concat([x, tiled], 3)
  })
}

/** conv(concat(x, tiled z)) computed the direct way (reference for styleConv). */
export function styleConvTiled(layer: ConvLayer, x: tf.Tensor4D, z: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => conv(layer, concatTiledZ(x, z)))
}

/**
 * A conv layer over concat(x, tiled z), split: conv(x, W_x) + bias + z term (see the module
 * comment). x [B, H, W, C], z [B, Z]; the layer has C + Z input channels, stride 1, odd k.
 */
export function styleConv(layer: ConvLayer, x: tf.Tensor4D, z: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    assertBatch(x, z)
    const [k, , cin, cout] = layer.kernel.shape
    const [b, h, w, c] = x.shape
    const zd = z.shape[1]
    if (cin !== c + zd || layer.stride !== 1 || k % 2 !== 1) {
      throw new RangeError(
        `${layer.name}: kernel [${layer.kernel.shape.join(', ')}] does not take [${x.shape.join(', ')}] + z [${z.shape.join(', ')}] at stride 1`,
      )
    }
    const [wx, wzFlat] = prepared(layer.kernel, `split-z/${c}`, () => {
      const kernel = tf.mul<tf.Tensor4D>(layer.kernel, layer.scale)
      const wz = tf.slice(kernel, [0, 0, c, 0], [k, k, zd, cout]) // [k, k, Z, O]
      return [
        tf.slice(kernel, [0, 0, 0, 0], [k, k, c, cout]), // W_x [k, k, C, O]
        tf.reshape<tf.Rank.R2>(tf.transpose(wz, [2, 0, 1, 3]), [zd, k * k * cout]), // [Z, k k O]
      ] as const
    })
    const y: tf.Tensor4D = trainableConv2d(x, wx, 1, 'same')
    // V[b, r, c, o] = sum_j z[b, j] W_z[r, c, j, o]
    const v = tf.reshape(tf.matMul(z, wzFlat), [b, k, k, cout])
    if (k === 1) {
      const perSample = tf.reshape(v, [b, 1, 1, cout])
      return tf.add<tf.Tensor4D>(y, layer.bias ? tf.add(perSample, layer.bias) : perSample)
    }
    // R [1, H, k] and C [1, W, k (+ 1)]: which taps of each output row / column read inside the
    // image (C's extra all-ones column carries the bias); fixed per size, so prepared once
    const [rowTaps, colTaps] = prepared(layer.kernel, `z-border/${h}x${w}`, () => [
      tf.tensor3d(tapValidity(h, k, false), [1, h, k]),
      tf.tensor3d(tapValidity(w, k, layer.bias !== null), [1, w, layer.bias ? k + 1 : k]),
    ])
    // z term [b, h, w, o] = sum_{r,c} R[h, r] C[w, c] V[b, r, c, o], as two small matMuls:
    // A[b, h, (c, o)] = R [H, k] . V[b] [k, (k O)], then C [W, k] . A[(b, h)] [k, O]. The bias
    // rides along as one more column of C and row of A, so y gets one full-size add.
    const a = tf.reshape(tf.matMul(rowTaps, tf.reshape(v, [b, k, k * cout])), [b * h, k, cout])
    const rows = layer.bias
      ? tf.concat([a, tf.broadcastTo(tf.reshape(layer.bias, [1, 1, cout]), [b * h, 1, cout])], 1)
      : a // [B H, k (+ 1), O]
    const zTerm = tf.matMul(colTaps, rows) // [B H, W, O]
    return tf.add(y, tf.reshape(zTerm, [b, h, w, cout]))
  })
}

/** [n, k] row-major, 1 where tap t of output position i reads inside 0..n-1; `ones` appends a 1. */
function tapValidity(n: number, k: number, ones: boolean): number[] {
  const pad = (k - 1) / 2
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) out.push(i + t - pad >= 0 && i + t - pad < n ? 1 : 0)
    if (ones) out.push(1)
  }
  return out
}

function assertBatch(x: tf.Tensor4D, z: tf.Tensor2D): void {
  if (z.shape[0] !== x.shape[0]) {
    throw new RangeError(
      `z [${z.shape.join(', ')}] does not match the batch of [${x.shape.join(', ')}]`,
    )
  }
}
