/**
 * A conv2d that trains on every backend. tfjs-backend-wasm 4.22 has no 'Conv2DBackpropFilter'
 * kernel (the filter gradient of tf.conv2d throws there) and its 'Conv2DBackpropInput' is a plain
 * loop, ~10x slower than its XNNPACK Conv2D. On wasm, or any backend without the filter kernel,
 * the conv therefore runs with a custom gradient in which both parts are forward convs:
 * dFilter = a stride-1 conv dilated by the stride, with the batch as channels; dx = a stride-1
 * conv with the flipped kernel whose phases are interleaved depth-to-space (sub-pixel form).
 */
import * as tf from '@tensorflow/tfjs'

type Pad = 'same' | 'valid'
type Conv = (x: tf.Tensor4D, filter: tf.Tensor4D) => tf.Tensor4D

/** Padding before and after one spatial axis, as TensorFlow's 'same' / 'valid' define it. */
function axisPadding(
  size: number,
  k: number,
  stride: number,
  out: number,
  pad: Pad,
): [number, number] {
  if (pad === 'valid') return [0, 0]
  const total = Math.max((out - 1) * stride + k - size, 0)
  const before = Math.floor(total / 2)
  return [before, total - before]
}

/**
 * dLoss/dFilter of conv2d(x, filter, stride, pad) as one stride-1 conv dilated by `stride`, with
 * the batch as channels: out[c, t, u, o] = sum_{b,i,j} xPadded[b, s i + t, s j + u, c] dy[b, i, j, o].
 * x [B, H, W, Ci], dy [B, Ho, Wo, Co] -> [kh, kw, Ci, Co].
 */
export function conv2dFilterGrad(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: readonly [number, number, number, number],
  stride: number,
  pad: Pad,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, w] = x.shape
    const [, ho, wo] = dy.shape
    const [kh, kw] = filterShape
    const xp = tf.pad(x, [
      [0, 0],
      axisPadding(h, kh, stride, ho, pad),
      axisPadding(w, kw, stride, wo, pad),
      [0, 0],
    ])
    const xt = tf.transpose<tf.Tensor4D>(xp, [3, 1, 2, 0]) // [Ci, Hp, Wp, B]
    const dyt = tf.transpose<tf.Tensor4D>(dy, [1, 2, 0, 3]) // [Ho, Wo, B, Co]
    const out = tf.conv2d(xt, dyt, 1, 'valid', 'NHWC', stride) // [Ci, >= kh, >= kw, Co]
    const [ci, oh, ow, co] = out.shape
    const exact = oh === kh && ow === kw ? out : tf.slice(out, [0, 0, 0, 0], [ci, kh, kw, co])
    return tf.transpose(exact, [1, 2, 0, 3])
  })
}

/**
 * The kernel conv2dInputGrad convolves dy with: filter [kh, kw, Ci, Co] padded to multiples of the
 * stride, taps flipped, the s x s phases moved into the output channels -> [mh, mw, Co, s s Ci].
 * A pure function of the filter: a frozen filter's can be computed once (features/frozen-conv.ts).
 */
export function inputGradKernel(filter: tf.Tensor4D, stride: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, ci, co] = filter.shape
    const s = stride
    const mh = Math.ceil(kh / s)
    const mw = Math.ceil(kw / s)
    const kp = tf.pad(filter, [
      [0, mh * s - kh],
      [0, mw * s - kw],
      [0, 0],
      [0, 0],
    ])
    // [mh, s, mw, s, Ci, Co] -> taps (m, n) as rows [mh mw, Co s s Ci]
    const k6 = tf.reshape(kp, [mh, s, mw, s, ci, co])
    const rows = tf.reshape(tf.transpose(k6, [0, 2, 5, 1, 3, 4]), [mh * mw, co * s * s * ci])
    // reversing the row order flips both tap axes; split + concat instead of tf.reverse, which
    // is ~8x slower than a copy on wasm (~20x in its threaded build)
    const flipped = mh * mw === 1 ? rows : tf.concat(tf.split(rows, mh * mw, 0).reverse(), 0)
    return tf.reshape<tf.Rank.R4>(flipped, [mh, mw, co, s * s * ci])
  })
}

/**
 * dLoss/dx of conv2d(x, filter, stride, pad) as one stride-1 conv plus depth-to-space (the
 * sub-pixel form of a transposed conv: phase (r, q) of dx uses the taps s m + r, s n + q).
 * dy [B, Ho, Wo, Co], filter [k, k, Ci, Co] -> [B, H, W, Ci]. `prepared` is
 * inputGradKernel(filter, stride) when the caller already has it.
 */
export function conv2dInputGrad(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  xShape: readonly [number, number, number, number],
  stride: number,
  pad: Pad,
  prepared?: tf.Tensor4D,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w, ci] = xShape
    const [, ho, wo] = dy.shape
    const [kh, kw] = filter.shape
    const s = stride
    const [padTop] = axisPadding(h, kh, s, ho, pad)
    const [padLeft] = axisPadding(w, kw, s, wo, pad)
    const mh = Math.ceil(kh / s)
    const mw = Math.ceil(kw / s)
    // dx rows [padTop, padTop + H) of the padded frame lie in phase rows [q0, q1)
    const q0h = Math.floor(padTop / s)
    const q1h = Math.ceil((padTop + h) / s)
    const q0w = Math.floor(padLeft / s)
    const q1w = Math.ceil((padLeft + w) / s)
    const k4 = prepared ?? inputGradKernel(filter, s)
    const dyp = padOrCrop(dy, [mh - 1 - q0h, q1h - ho], [mw - 1 - q0w, q1w - wo])
    let g = tf.conv2d(dyp, k4, 1, 'valid') // [B, q1h - q0h, q1w - q0w, s s Ci]
    if (s > 1) {
      // depthToSpace as reshape + transpose (~3x faster than wasm's DepthToSpace kernel)
      const [, gh, gw] = g.shape
      const phases = tf.reshape(g, [b, gh, gw, s, s, ci])
      g = tf.reshape(tf.transpose(phases, [0, 1, 3, 2, 4, 5]), [b, gh * s, gw * s, ci])
    } // [B, s (q1h - q0h), s (q1w - q0w), Ci]
    const top = padTop - s * q0h
    const left = padLeft - s * q0w
    if (top === 0 && left === 0 && g.shape[1] === h && g.shape[2] === w) return g
    return tf.slice(g, [0, top, left, 0], [b, h, w, ci])
  })
}

/** Pads (positive amounts) or crops (negative amounts) the two spatial axes of x [B, H, W, C]. */
function padOrCrop(x: tf.Tensor4D, rows: [number, number], cols: [number, number]): tf.Tensor4D {
  const [b, h, w, c] = x.shape
  const [top, bottom] = rows
  const [left, right] = cols
  let y = x
  if (Math.min(top, bottom, left, right) < 0) {
    const t = Math.max(-top, 0)
    const l = Math.max(-left, 0)
    y = tf.slice(x, [0, t, l, 0], [b, h - t - Math.max(-bottom, 0), w - l - Math.max(-right, 0), c])
  }
  if (Math.max(top, bottom, left, right) <= 0) return y
  const p = (n: number): number => Math.max(n, 0)
  return tf.pad(y, [
    [0, 0],
    [p(top), p(bottom)],
    [p(left), p(right)],
    [0, 0],
  ])
}

const cache = new Map<string, Conv>()

/** conv2d whose gradients are conv2dInputGrad and conv2dFilterGrad, whatever the backend. */
export function conv2dWithConvGrads(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  stride: number,
  pad: Pad,
): tf.Tensor4D {
  const key = `${stride}/${pad}`
  let conv = cache.get(key)
  if (!conv) {
    const custom = tf.customGrad((...inputs) => {
      const [xIn, fIn, save] = inputs
      if (!(xIn instanceof tf.Tensor) || !(fIn instanceof tf.Tensor) || typeof save !== 'function')
        throw new TypeError('conv2dWithConvGrads: expected (x, filter)')
      const xt = xIn as tf.Tensor4D
      const ft = fIn as tf.Tensor4D
      save([xt, ft])
      return {
        value: tf.conv2d(xt, ft, stride, pad),
        gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
          const [sx, sf] = saved as [tf.Tensor4D, tf.Tensor4D]
          return [
            conv2dInputGrad(dy, sf, sx.shape, stride, pad),
            conv2dFilterGrad(sx, dy, sf.shape, stride, pad),
          ]
        },
      }
    })
    conv = (a, f) => custom(a, f)
    cache.set(key, conv)
  }
  return conv(x, filter)
}

/** True when the active backend differentiates conv2d w.r.t. the filter with its own kernel. */
export function hasNativeFilterGrad(): boolean {
  return tf.getKernel('Conv2DBackpropFilter', tf.getBackend()) !== undefined
}

/** True when trainableConv2d uses the custom gradient (wasm, or no native filter gradient). */
export function usesCustomConvGrad(): boolean {
  return tf.getBackend() === 'wasm' || !hasNativeFilterGrad()
}

/**
 * conv2d that is differentiable w.r.t. input and filter on every backend.
 * x [B, H, W, Ci], filter [k, k, Ci, Co] -> [B, H / stride, W / stride, Co] ('same').
 */
export function trainableConv2d(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  stride = 1,
  pad: Pad = 'same',
): tf.Tensor4D {
  return usesCustomConvGrad()
    ? conv2dWithConvGrads(x, filter, stride, pad)
    : tf.conv2d(x, filter, stride, pad)
}
