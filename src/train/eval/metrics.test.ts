import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRng } from '../../core/rng.js'
import { createRandomExtractor } from '../../models/features/random.js'
import type { FeatureExtractor } from '../../models/features/types.js'
import {
  diversity,
  gaussianWindow,
  perceptualDistance,
  perceptualMetricName,
  psnr,
  PSNR_CAP_DB,
  ssim,
} from './metrics.js'

let extractor: FeatureExtractor
beforeAll(async () => {
  await tf.setBackend('cpu')
  extractor = createRandomExtractor({ inputSize: 16, seed: 1 })
})
afterAll(() => extractor.dispose())

/** Host image values in [lo, hi), row-major [b, h, w, 3]. */
function values(b: number, h: number, w: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rng = createRng(seed)
  return Float32Array.from({ length: b * h * w * 3 }, () => rng.uniform(lo, hi))
}

async function read(t: tf.Tensor): Promise<number[]> {
  try {
    return Array.from(await t.data())
  } finally {
    t.dispose()
  }
}

/**
 * SSIM written straight from Wang et al. 2004 in float64 loops: for each channel and each valid
 * window position, weighted means, variances and covariance under the gaussian window.
 */
function ssimReference(x: Float32Array, y: Float32Array, h: number, w: number): number {
  const k = 11
  const win = gaussianWindow(k, 1.5)
  const [c1, c2] = [0.01 ** 2, 0.03 ** 2]
  const at = (v: Float32Array, i: number, j: number, c: number) =>
    ((v[(i * w + j) * 3 + c] ?? 0) + 1) / 2
  let sum = 0
  let count = 0
  for (let c = 0; c < 3; c++) {
    for (let i0 = 0; i0 + k <= h; i0++) {
      for (let j0 = 0; j0 + k <= w; j0++) {
        let [mx, my, xx, yy, xy] = [0, 0, 0, 0, 0]
        for (let i = 0; i < k; i++) {
          for (let j = 0; j < k; j++) {
            const g = win[i * k + j] ?? 0
            const a = at(x, i0 + i, j0 + j, c)
            const b = at(y, i0 + i, j0 + j, c)
            mx += g * a
            my += g * b
            xx += g * a * a
            yy += g * b * b
            xy += g * a * b
          }
        }
        const [vx, vy, cov] = [xx - mx * mx, yy - my * my, xy - mx * my]
        sum += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
        count++
      }
    }
  }
  return sum / count
}

describe('psnr', () => {
  it('is 20 dB for a constant offset of 0.1 on the [0, 1] scale, 40 dB for 0.01', async () => {
    const a = values(2, 8, 8, 1, -1, 0.8)
    const b = a.map((v, i) => v + (i < a.length / 2 ? 0.2 : 0.02)) // [-1, 1] scale: x2
    const ta = tf.tensor4d(a, [2, 8, 8, 3])
    const tb = tf.tensor4d(b, [2, 8, 8, 3])
    const [p1, p2] = await read(psnr(ta, tb))
    expect(p1).toBeCloseTo(20, 3)
    expect(p2).toBeCloseTo(40, 2)
    expect(await read(psnr(ta, ta))).toEqual([PSNR_CAP_DB, PSNR_CAP_DB])
    expect(() => psnr(ta, tf.slice(tb, 0, 1))).toThrow(
      'psnr: expected two image batches [B, H, W, 3] of the same shape, got [2, 8, 8, 3] and [1, 8, 8, 3]',
    )
    tf.dispose([ta, tb])
  })
})

describe('ssim', () => {
  it('is 1 for identical images and matches a direct float64 implementation otherwise', async () => {
    const [h, w] = [13, 12] // 3 x 2 window positions per channel
    const x = values(1, h, w, 2)
    const lowContrast = x.map((v) => 0.5 * v) // halves the contrast around mid-grey
    const shifted = x.map((v) => Math.min(1, v + 0.3))
    const tx = tf.tensor4d(x, [1, h, w, 3])
    expect((await read(ssim(tx, tx)))[0]).toBeCloseTo(1, 6)
    for (const y of [lowContrast, shifted]) {
      const ty = tf.tensor4d(y, [1, h, w, 3])
      const [got] = await read(ssim(tx, ty))
      const want = ssimReference(x, y, h, w)
      expect(got).toBeCloseTo(want, 5)
      expect(want).toBeLessThan(0.99)
      ty.dispose()
    }
    // By hand: halving the contrast of uniform noise (sigma^2 = 1/12 >> C2) whose local means are
    // near mid-grey gives luminance ~1 and contrast-structure 2c / (1 + c^2) = 0.8 for c = 0.5.
    expect(Math.abs(ssimReference(x, lowContrast, h, w) - 0.8)).toBeLessThan(0.01)
    const small = tf.zeros<tf.Rank.R4>([1, 10, 10, 3])
    expect(() => ssim(small, small)).toThrow('smaller than the 11x11 window')
    tf.dispose([tx, small])
  })

  it('uses the normalised gaussian window of sigma 1.5', () => {
    const win = gaussianWindow(11, 1.5)
    expect(win.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6)
    // centre / one-step neighbour = exp(1 / (2 * 1.5^2))
    expect((win[60] ?? 0) / (win[61] ?? 1)).toBeCloseTo(Math.exp(1 / 4.5), 5)
  })
})

describe('perceptual distance and diversity', () => {
  it('is 0 for identical images, positive and symmetric otherwise', async () => {
    const a = tf.tensor4d(values(2, 16, 16, 3), [2, 16, 16, 3])
    const b = tf.tensor4d(values(2, 16, 16, 4), [2, 16, 16, 3])
    expect(await read(perceptualDistance(extractor, a, a))).toEqual([0, 0])
    const ab = await read(perceptualDistance(extractor, a, b))
    const ba = await read(perceptualDistance(extractor, b, a))
    for (const [i, v] of ab.entries()) {
      expect(v).toBeGreaterThan(0.01)
      expect(v).toBeLessThanOrEqual(4)
      expect(v).toBeCloseTo(ba[i] ?? NaN, 6)
    }
    expect(perceptualMetricName(extractor)).toBe('percept_random')
    tf.dispose([a, b])
  })

  it('diversity is the mean pairwise perceptual distance; 0 for copies', async () => {
    const s = tf.tensor4d(values(3, 16, 16, 5), [3, 16, 16, 3])
    const pair = (i: number, j: number) =>
      read(perceptualDistance(extractor, tf.slice(s, i, 1), tf.slice(s, j, 1)))
    const pairs = (await Promise.all([pair(0, 1), pair(0, 2), pair(1, 2)])).flat()
    const [div] = await read(diversity(extractor, s))
    expect(div).toBeCloseTo(pairs.reduce((x, y) => x + y, 0) / 3, 4)
    const copies = tf.tile(tf.slice(s, 0, 1), [4, 1, 1, 1])
    expect((await read(diversity(extractor, copies)))[0]).toBeCloseTo(0, 4)
    expect(() => diversity(extractor, tf.slice(s, 0, 1))).toThrow(
      'diversity: expected at least 2 images',
    )
    tf.dispose([s, copies])
  })
})
