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
    const kernel = tf.mul<tf.Tensor4D>(layer.kernel, layer.scale)
    const wx = tf.slice(kernel, [0, 0, 0, 0], [k, k, c, cout]) // [k, k, C, O]
    const wz = tf.slice(kernel, [0, 0, c, 0], [k, k, zd, cout]) // [k, k, Z, O]
    const y: tf.Tensor4D = trainableConv2d(x, wx, 1, 'same')
    // V[b, r, c, o] = sum_j z[b, j] W_z[r, c, j, o]
    const wzFlat = tf.reshape(tf.transpose(wz, [2, 0, 1, 3]), [zd, k * k * cout])
    const v = tf.reshape(tf.matMul(z, wzFlat), [b, k, k, cout])
    if (k === 1) {
      const perSample = tf.reshape(v, [b, 1, 1, cout])
      return tf.add<tf.Tensor4D>(y, layer.bias ? tf.add(perSample, layer.bias) : perSample)
    }
    const pad = (k - 1) / 2
    const valid = (n: number) =>
      // [n, k]: 1 where tap t of output position i reads inside
      tf.tensor2d(
        Array.from({ length: n * k }, (_, q) => {
          const i = Math.floor(q / k) + (q % k) - pad
          return i >= 0 && i < n ? 1 : 0
        }),
        [n, k],
      )
    // z term [b, h, w, o] = sum_{r,c} R[h, r] C[w, c] V[b, r, c, o], as two small matMuls:
    // A[b, h, (c, o)] = R [H, k] . V[b] [k, (k O)], then C [W, k] . A[(b, h)] [k, O]. The bias
    // rides along as one more column of C (all ones) and row of A, so y gets one full-size add.
    const a = tf.reshape(tf.matMul(tf.expandDims(valid(h), 0), tf.reshape(v, [b, k, k * cout])), [
      b * h,
      k,
      cout,
    ])
    let cols = valid(w)
    let rows = a
    if (layer.bias) {
      cols = tf.concat([cols, tf.ones([w, 1])], 1) // [W, k + 1]
      const bias = tf.broadcastTo<tf.Rank.R3>(tf.reshape(layer.bias, [1, 1, cout]), [
        b * h,
        1,
        cout,
      ])
      rows = tf.concat([a, bias], 1) // [B H, k + 1, O]
    }
    const zTerm = tf.matMul(tf.expandDims(cols, 0), rows) // [B H, W, O]
    return tf.add(y, tf.reshape(zTerm, [b, h, w, cout]))
  })
}

function assertBatch(x: tf.Tensor4D, z: tf.Tensor2D): void {
  if (z.shape[0] !== x.shape[0]) {
    throw new RangeError(
      `z [${z.shape.join(', ')}] does not match the batch of [${x.shape.join(', ')}]`,
    )
  }
}
