import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { avgPool2x2 } from '../../models/layers.js'
import { createRandomExtractor } from '../../models/features/random.js'
import type { FeatureExtractor } from '../../models/features/types.js'
import {
  lsganDiscriminatorLoss,
  lsganGeneratorLoss,
  perceptualDistance,
  perceptualLoss,
  perceptualWeights,
  zRegulariser,
} from './losses.js'
import { lrAt } from '../lr-schedule.js'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

async function value(s: tf.Scalar): Promise<number> {
  const v = (await s.data())[0] ?? NaN
  s.dispose()
  return v
}

/** Two taps that pass a constant offset through unchanged: the images and their 2x2 means. */
const identityExtractor: FeatureExtractor = {
  id: 'identity',
  description: 'identity test taps',
  fingerprint: 'identity',
  layers: ['pixels', 'pooled'],
  inputSize: 8,
  extract: (x) => tf.tidy(() => [tf.clone(x), avgPool2x2(x)]),
  dispose: () => undefined,
}

describe('LSGAN losses', () => {
  it('sum mean squared errors over the scales (hand-computed values)', async () => {
    const fine = tf.tensor4d([0, 1, 2, 3], [1, 2, 2, 1])
    const coarse = tf.tensor4d([0.5], [1, 1, 1, 1])
    const realFine = tf.tensor4d([1, 1, 0, 2], [1, 2, 2, 1])
    const realCoarse = tf.tensor4d([2], [1, 1, 1, 1])
    const before = tf.memory().numTensors
    // G: ((0-1)^2 + 0 + 1 + 4) / 4 = 1.5, plus (0.5-1)^2 = 0.25
    expect(await value(lsganGeneratorLoss([fine, coarse]))).toBeCloseTo(1.75, 6)
    const d = lsganDiscriminatorLoss([realFine, realCoarse], [fine, coarse])
    // real: (0 + 0 + 1 + 1) / 4 = 0.5, plus (2-1)^2 = 1; fake: (0 + 1 + 4 + 9) / 4 = 3.5, plus 0.25
    expect(await value(d.real)).toBeCloseTo(1.5, 6)
    expect(await value(d.fake)).toBeCloseTo(3.75, 6)
    expect(tf.memory().numTensors).toBe(before)
    expect(() => lsganGeneratorLoss([])).toThrow('no discriminator outputs')
    tf.dispose([fine, coarse, realFine, realCoarse])
  })
})

describe('perceptual loss', () => {
  it('aligns the paper weights to the last taps', () => {
    expect(perceptualWeights(5)).toEqual([1 / 32, 1 / 16, 1 / 8, 1 / 4, 1])
    expect(perceptualWeights(3)).toEqual([1 / 8, 1 / 4, 1])
    expect(perceptualWeights(1)).toEqual([1])
    expect(perceptualWeights(7)).toEqual([1 / 128, 1 / 64, 1 / 32, 1 / 16, 1 / 8, 1 / 4, 1])
    expect(() => perceptualWeights(0)).toThrow('tap count >= 1')
  })

  it('is 0 for identical images and sum w_l (0.1 c)^2 for a constant offset c', async () => {
    const b = tf.randomUniform<tf.Rank.R4>([2, 8, 8, 3], -0.5, 0.5, 'float32', 1)
    const g = tf.add<tf.Tensor4D>(b, 0.5)
    const target = identityExtractor.extract(b)
    const before = tf.memory().numTensors
    expect(await value(perceptualLoss(identityExtractor, b, target))).toBe(0)
    // two taps -> weights [1/4, 1]; every feature differs by 0.5: (0.05)^2 * (1/4 + 1)
    expect(await value(perceptualLoss(identityExtractor, g, target))).toBeCloseTo(0.003125, 7)
    expect(tf.memory().numTensors).toBe(before)
    expect(() => perceptualDistance(target, target.slice(1))).toThrow(
      'perceptualDistance: 2 and 1 feature maps with 2 weights',
    )
    tf.dispose([b, g, ...target])
  })

  it('with the random extractor: 0 for identical images, > 0 and differentiable otherwise', async () => {
    const ext = createRandomExtractor({ inputSize: 16 })
    const b = tf.randomUniform<tf.Rank.R4>([2, 16, 16, 3], -1, 1, 'float32', 2)
    const g = tf.randomUniform<tf.Rank.R4>([2, 16, 16, 3], -1, 1, 'float32', 3)
    const target = ext.extract(b)
    expect(await value(perceptualLoss(ext, b, target))).toBe(0)
    expect(await value(perceptualLoss(ext, g, target))).toBeGreaterThan(1e-4)
    const grad = tf.grad((x: tf.Tensor) => perceptualLoss(ext, x as tf.Tensor4D, target))(g)
    const gv = Array.from(await grad.data())
    expect(gv.every(Number.isFinite)).toBe(true)
    expect(gv.some((v) => v !== 0)).toBe(true)
    tf.dispose([b, g, grad, ...target])
    ext.dispose()
  })

  it('z regulariser is mean(z^2)', async () => {
    const z = tf.tensor2d([
      [1, -2],
      [0, 3],
    ])
    expect(await value(zRegulariser(z))).toBeCloseTo(14 / 4, 6)
    z.dispose()
  })
})

describe('lr schedule', () => {
  it('is constant, then decays linearly over the last fraction', () => {
    // 10 steps, decay over the last 40%: steps 0..5 at lr, then 4/4, 3/4, 2/4, 1/4 of it
    const lrs = Array.from({ length: 10 }, (_, s) => lrAt(s, 10, 1, 0.4))
    expect(lrs).toEqual([1, 1, 1, 1, 1, 1, 1, 0.75, 0.5, 0.25])
    expect(lrAt(10, 10, 1, 0.4)).toBe(0)
    expect(lrAt(149_999, 250_000, 1e-3)).toBe(1e-3)
    expect(lrAt(200_000, 250_000, 1e-3)).toBeCloseTo(0.5e-3, 12)
    expect(lrAt(3, 10, 2, 0)).toBe(2)
    expect(lrAt(0, 10, 2, 1)).toBe(2)
    expect(lrAt(5, 10, 2, 1)).toBe(1)
    expect(() => lrAt(0, 10, 1, 1.5)).toThrow('decayFraction')
  })
})
