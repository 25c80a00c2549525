/**
 * Image-quality metrics for evaluation (docs/method.md, "Evaluation"): PSNR and SSIM of a
 * reconstruction against its target, a perceptual distance and sample diversity. Images come in
 * [-1, 1] as [B, H, W, 3]; PSNR and SSIM are computed on the [0, 1] scale (data range 1). Every
 * function is pure tfjs ops and returns a new tensor (per image [B], or a scalar) the caller
 * disposes.
 *
 * The perceptual distance is NOT LPIPS (no LPIPS weights are available here): it is LPIPS's
 * recipe without the learned per-channel weights, on whatever FeatureExtractor is given: per tap,
 * activations unit-normalised over channels at each position, squared Euclidean distance summed
 * over channels and averaged over positions (so each tap lies in [0, 4]), then averaged over taps.
 * Report it as `percept_<extractor>` (perceptualMetricName), e.g. `percept_resnet50`.
 */
import * as tf from '@tensorflow/tfjs'
import type { FeatureExtractor } from '../../models/features/types.js'

/** PSNR of identical images (infinite in theory) is reported as this many dB. */
export const PSNR_CAP_DB = 100

/** Options of ssim (defaults: Wang et al. 2004). */
export interface SsimOptions {
  /** Side of the gaussian window (11). */
  readonly windowSize?: number
  /** Standard deviation of the gaussian window in pixels (1.5). */
  readonly sigma?: number
  /** Stability constants: C1 = (k1 L)^2, C2 = (k2 L)^2 with L = 1 (0.01, 0.03). */
  readonly k1?: number
  readonly k2?: number
}

/**
 * PSNR in dB per image: 10 log10(1 / MSE) on the [0, 1] scale. MSE <= 1e-10 (identical images)
 * gives PSNR_CAP_DB instead of Infinity, so means over a data set stay finite. -> [B].
 */
export function psnr(a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor1D {
  assertPair('psnr', a, b)
  return tf.tidy(() => {
    const mse = tf.mean<tf.Tensor1D>(tf.square(tf.mul(tf.sub(a, b), 0.5)), [1, 2, 3]) // [0, 1] scale
    const db = tf.mul<tf.Tensor1D>(tf.log(mse), -10 / Math.LN10)
    return tf.where(tf.lessEqual(mse, 1e-10), tf.fill(mse.shape, PSNR_CAP_DB), db)
  })
}

/** The normalised 2-D gaussian window, row-major [size * size]. */
export function gaussianWindow(size: number, sigma: number): Float32Array {
  const c = (size - 1) / 2
  const g = Array.from({ length: size }, (_, i) => Math.exp(-((i - c) ** 2) / (2 * sigma * sigma)))
  const s = g.reduce((x, y) => x + y, 0)
  const out = new Float32Array(size * size)
  for (let i = 0; i < size; i++)
    for (let j = 0; j < size; j++) out[i * size + j] = ((g[i] ?? 0) * (g[j] ?? 0)) / (s * s)
  return out
}

/**
 * SSIM per image (Wang et al. 2004): local statistics under a gaussian window over every 'valid'
 * window position, per channel, on the [0, 1] scale; the map's mean over positions and channels.
 * Images must be at least windowSize on each side. -> [B].
 */
export function ssim(a: tf.Tensor4D, b: tf.Tensor4D, options: SsimOptions = {}): tf.Tensor1D {
  assertPair('ssim', a, b)
  const k = options.windowSize ?? 11
  const sigma = options.sigma ?? 1.5
  const c1 = (options.k1 ?? 0.01) ** 2
  const c2 = (options.k2 ?? 0.03) ** 2
  const [, h, w] = a.shape
  if (h < k || w < k) {
    throw new RangeError(
      `ssim: images [${a.shape.join(', ')}] are smaller than the ${k}x${k} window`,
    )
  }
  return tf.tidy(() => {
    const win = tf.tile(tf.tensor4d(gaussianWindow(k, sigma), [k, k, 1, 1]), [1, 1, 3, 1])
    const local = (t: tf.Tensor4D) => tf.depthwiseConv2d(t, win, 1, 'valid')
    const x = tf.mul<tf.Tensor4D>(tf.add(a, 1), 0.5)
    const y = tf.mul<tf.Tensor4D>(tf.add(b, 1), 0.5)
    const mx = local(x)
    const my = local(y)
    const mxy = tf.mul(mx, my)
    const mx2 = tf.square(mx)
    const my2 = tf.square(my)
    const vx = tf.sub(local(tf.square(x)), mx2)
    const vy = tf.sub(local(tf.square(y)), my2)
    const cov = tf.sub(local(tf.mul(x, y)), mxy)
    const num = tf.mul(tf.add(tf.mul(mxy, 2), c1), tf.add(tf.mul(cov, 2), c2))
    const den = tf.mul(tf.add(tf.add(mx2, my2), c1), tf.add(tf.add(vx, vy), c2))
    return tf.mean<tf.Tensor1D>(tf.div(num, den), [1, 2, 3])
  })
}

/** The key under which the perceptual distance of `extractor` is reported ('percept_resnet50'). */
export function perceptualMetricName(extractor: FeatureExtractor): string {
  return `percept_${extractor.id.split(':')[0] ?? extractor.id}`
}

/** Perceptual distance per image pair (see the module comment). a, b [B, H, W, 3] -> [B]. */
export function perceptualDistance(
  extractor: FeatureExtractor,
  a: tf.Tensor4D,
  b: tf.Tensor4D,
): tf.Tensor1D {
  assertPair('perceptualDistance', a, b)
  return tf.tidy(() => {
    const n = a.shape[0]
    const taps = unitFeatures(extractor, tf.concat([a, b], 0)).map((f) => {
      const diff = tf.sub(tf.slice(f, 0, n), tf.slice(f, n, n))
      return tf.mean<tf.Tensor1D>(tf.sum(tf.square(diff), 3), [1, 2]) // [B]
    })
    return tf.div<tf.Tensor1D>(tf.addN(taps), taps.length)
  })
}

/**
 * Mean perceptual distance over all pairs of samples [K >= 2, H, W, 3] (e.g. K outputs for one
 * content image): the diversity of a sampler. All K activations are held at once. -> scalar.
 */
export function diversity(extractor: FeatureExtractor, samples: tf.Tensor4D): tf.Scalar {
  if (samples.rank !== 4 || samples.shape[3] !== 3 || samples.shape[0] < 2) {
    throw new RangeError(
      `diversity: expected at least 2 images [K, H, W, 3], got [${samples.shape.join(', ')}]`,
    )
  }
  const k = samples.shape[0]
  return tf.tidy(() => {
    const offDiagonal = tf.sub(1, tf.eye(k)) // [K, K]
    const taps = unitFeatures(extractor, samples).map((f) => {
      const positions = (f.shape[1] ?? 1) * (f.shape[2] ?? 1)
      const flat = tf.reshape(f, [k, -1]) // [K, P * C]
      const norms = tf.sum(tf.square(flat), 1) // [K]
      const dots = tf.matMul(flat, tf.transpose(flat)) // [K, K]
      const d = tf.relu(tf.sub(tf.add(tf.expandDims(norms, 1), norms), tf.mul(dots, 2)))
      return tf.div<tf.Scalar>(tf.sum(tf.mul(d, offDiagonal)), positions * k * (k - 1))
    })
    return tf.div<tf.Scalar>(tf.addN(taps), taps.length)
  })
}

/** The extractor's activations, each unit-normalised over channels at every position. */
function unitFeatures(extractor: FeatureExtractor, images: tf.Tensor4D): tf.Tensor4D[] {
  return extractor
    .extract(images)
    .map((f) => tf.div<tf.Tensor4D>(f, tf.add(tf.sqrt(tf.sum(tf.square(f), 3, true)), 1e-10)))
}

/** Checks two image batches of the same shape [B, H, W, 3]. */
function assertPair(op: string, a: tf.Tensor, b: tf.Tensor): asserts a is tf.Tensor4D {
  const ok = (x: tf.Tensor) => x.rank === 4 && x.shape[3] === 3 && x.shape[0] > 0
  if (!ok(a) || !ok(b) || a.shape.join() !== b.shape.join()) {
    throw new RangeError(
      `${op}: expected two image batches [B, H, W, 3] of the same shape, got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`,
    )
  }
}
