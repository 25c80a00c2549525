import * as tf from '@tensorflow/tfjs'
import { maxAbsDiff, scalarOf } from '../../test/fixtures/tensors.js'
import { beforeAll, describe, expect, it } from 'vitest'
import { avgPool2x2, conv, convLayer, dense, denseLayer, upsample2x } from './layers.js'
import { equalisedScale } from './ops.js'
import { Params } from './params.js'
import { concatTiledZ, styleConv } from './style-input.js'

beforeAll(async () => {
  tf.enableProdMode()
  await tf.setBackend('cpu')
})

/** Mean of x^2. */
function meanSquare(x: tf.Tensor): Promise<number> {
  return scalarOf(() => tf.mean(tf.square(x)))
}

describe('equalised learning rate layers', () => {
  it('scale the N(0, 1) kernel by sqrt(2 / ((1 + slope^2) fanIn)) at run time', async () => {
    const params = new Params(1, 'test')
    const relu = convLayer(params, 'relu', { k: 3, cin: 64, cout: 64 })
    const leaky = convLayer(params, 'leaky', { k: 3, cin: 64, cout: 64, slope: 0.2 })
    expect(relu.scale).toBe(equalisedScale(576, 0))
    expect(relu.scale).toBeCloseTo(Math.sqrt(2 / 576), 12)
    expect(leaky.scale).toBeCloseTo(Math.sqrt(2 / (1.04 * 576)), 12)
    tf.engine().startScope()
    try {
      const x = tf.randomNormal<tf.Rank.R4>([4, 16, 16, 64], 0, 1, 'float32', 2)
      const manual = tf.conv2d(x, tf.mul<tf.Tensor4D>(relu.kernel, relu.scale), 1, 'same')
      expect(await maxAbsDiff(conv(relu, x), manual)).toBeLessThan(1e-5)
      // stored weights are N(0, 1); unit-variance input -> pre-activation E[y^2] ~ 2 / (1 + s^2)
      expect(await meanSquare(relu.kernel)).toBeCloseTo(1, 1)
      const inner = tf.slice(conv(relu, x), [0, 1, 1, 0], [4, 14, 14, 64]) // no zero padding
      expect(await meanSquare(inner)).toBeGreaterThan(1.8)
      expect(await meanSquare(inner)).toBeLessThan(2.2)
      // after ReLU the second moment is back to ~1: the He scale keeps signals at unit size
      expect(await meanSquare(tf.relu(inner))).toBeGreaterThan(0.85)
      expect(await meanSquare(tf.relu(inner))).toBeLessThan(1.15)
      const leakyInner = tf.slice(conv(leaky, x), [0, 1, 1, 0], [4, 14, 14, 64])
      expect(await meanSquare(leakyInner)).toBeCloseTo(2 / 1.04, 0)
    } finally {
      tf.engine().endScope()
    }
    const fc = denseLayer(params, 'fc', { cin: 256, cout: 8 })
    tf.engine().startScope()
    try {
      const x = tf.randomNormal<tf.Rank.R2>([64, 256], 0, 1, 'float32', 3)
      const manual = tf.matMul(x, tf.mul(fc.kernel, equalisedScale(256)))
      expect(await maxAbsDiff(dense(fc, x), manual)).toBeLessThan(1e-5)
    } finally {
      tf.engine().endScope()
    }
    expect(params.count()).toBe(2 * (576 * 64 + 64) + 256 * 8 + 8)
    params.dispose()
  })

  it('drop the bias where instance norm follows and reject wrong channel counts', () => {
    const params = new Params(1, 'test')
    const layer = convLayer(params, 'c', { k: 4, cin: 3, cout: 5, stride: 2, bias: false })
    expect(layer.bias).toBeNull()
    expect(params.entries().map(([n]) => n)).toEqual(['test/c/w'])
    expect(conv(layer, tf.zeros([1, 8, 8, 3])).shape).toEqual([1, 4, 4, 5])
    expect(() => conv(layer, tf.zeros([1, 8, 8, 4]))).toThrow(
      'c: input [1, 8, 8, 4] has 4 channels, expected 3',
    )
    params.dispose()
  })
})

describe('resampling helpers', () => {
  it('upsample2x equals nearest resize and its gradient sums each 2x2 block', async () => {
    tf.engine().startScope()
    try {
      const x = tf.randomNormal<tf.Rank.R4>([2, 3, 5, 4], 0, 1, 'float32', 1)
      const up = upsample2x(x)
      expect(up.shape).toEqual([2, 6, 10, 4])
      expect(await maxAbsDiff(up, tf.image.resizeNearestNeighbor(x, [6, 10]))).toBe(0)
      const w = tf.randomNormal<tf.Rank.R4>([2, 6, 10, 4], 0, 1, 'float32', 2)
      const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(upsample2x(a as tf.Tensor4D), w)))(x)
      const blockSums = tf.sum(tf.reshape(w, [2, 3, 2, 5, 2, 4]), [2, 4])
      expect(await maxAbsDiff(g, blockSums)).toBeLessThan(1e-5)
    } finally {
      tf.engine().endScope()
    }
  })

  it('avgPool2x2 equals tf.avgPool 2x2 valid for even and odd sizes', async () => {
    tf.engine().startScope()
    try {
      for (const [h, w] of [
        [8, 6],
        [7, 5],
      ] as const) {
        const x = tf.randomNormal<tf.Rank.R4>([2, h, w, 3], 0, 1, 'float32', 1)
        expect(await maxAbsDiff(avgPool2x2(x), tf.avgPool(x, 2, 2, 'valid'))).toBeLessThan(1e-6)
      }
    } finally {
      tf.engine().endScope()
    }
  })
})

describe('style input', () => {
  it('tiles z over every pixel and convolves concat(x, z)', async () => {
    const params = new Params(3, 'test')
    const layer = convLayer(params, 'zc', { k: 3, cin: 4 + 2, cout: 3 })
    tf.engine().startScope()
    try {
      const x = tf.randomNormal<tf.Rank.R4>([2, 4, 4, 4], 0, 1, 'float32', 1)
      const z = tf.tensor2d([
        [1, 2],
        [3, 4],
      ])
      const cat = concatTiledZ(x, z)
      expect(cat.shape).toEqual([2, 4, 4, 6])
      const zPart = tf.slice(cat, [0, 0, 0, 4], [2, 4, 4, 2])
      expect(Array.from(await tf.slice(zPart, [1, 3, 2, 0], [1, 1, 1, 2]).data())).toEqual([3, 4])
      expect(Array.from(await tf.slice(zPart, [0, 0, 0, 0], [1, 1, 1, 2]).data())).toEqual([1, 2])
      // styleConv splits the kernel (features conv + exact z term): equal up to float rounding
      expect(await maxAbsDiff(styleConv(layer, x, z), conv(layer, cat))).toBeLessThan(1e-5)
      expect(() => concatTiledZ(x, tf.zeros([3, 2]))).toThrow(/does not match the batch/)
    } finally {
      tf.engine().endScope()
    }
    params.dispose()
  })
})
