import * as tf from '@tensorflow/tfjs'
import { maxAbsDiff } from '../../test/fixtures/tensors.js'
import { beforeAll, describe, expect, it } from 'vitest'
import { conv2dFilterGrad, conv2dInputGrad, conv2dWithConvGrads } from './conv2d.js'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

const cases: [k: number, stride: number, pad: 'same' | 'valid', h: number, w: number][] = [
  [1, 1, 'same', 6, 5],
  [3, 1, 'same', 7, 8],
  [3, 2, 'same', 8, 8],
  [3, 2, 'same', 7, 9],
  [4, 2, 'same', 8, 6],
  [4, 1, 'same', 5, 5],
  [4, 2, 'same', 1, 3],
  [7, 1, 'same', 9, 9],
  [3, 2, 'valid', 9, 8],
  [4, 3, 'valid', 11, 10],
  [1, 2, 'same', 7, 6],
  [2, 2, 'valid', 7, 7],
  [5, 2, 'same', 9, 10],
  [3, 1, 'valid', 6, 7],
]

describe('conv2d gradients without Conv2DBackpropFilter / Conv2DBackpropInput', () => {
  it.each(cases)(
    'k %i stride %i %s on %ix%i matches tfjs native gradients',
    async (k, s, pad, h, w) => {
      tf.engine().startScope()
      try {
        const x = tf.randomNormal<tf.Rank.R4>([2, h, w, 3], 0, 1, 'float32', 1)
        const f = tf.randomNormal<tf.Rank.R4>([k, k, 3, 4], 0, 1, 'float32', 2)
        const y = tf.conv2d(x, f, s, pad)
        const dy = tf.randomNormal<tf.Rank.R4>(y.shape, 0, 1, 'float32', 3)
        const loss = (a: tf.Tensor, b: tf.Tensor): tf.Scalar =>
          tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad), dy))
        const [dxNative, dfNative] = tf.grads(loss)([x, f])
        const dx = conv2dInputGrad(dy, f, x.shape, s, pad)
        const df = conv2dFilterGrad(x, dy, f.shape, s, pad)
        expect(dx.shape).toEqual(x.shape)
        expect(df.shape).toEqual(f.shape)
        expect(await maxAbsDiff(dx, dxNative as tf.Tensor)).toBeLessThan(1e-4)
        expect(await maxAbsDiff(df, dfNative as tf.Tensor)).toBeLessThan(1e-3)
        // the custom-gradient conv gives the same forward value and gradients
        const custom = (a: tf.Tensor, b: tf.Tensor): tf.Scalar =>
          tf.sum(tf.mul(conv2dWithConvGrads(a as tf.Tensor4D, b as tf.Tensor4D, s, pad), dy))
        const [dxc, dfc] = tf.grads(custom)([x, f])
        expect(await maxAbsDiff(conv2dWithConvGrads(x, f, s, pad), y)).toBe(0)
        expect(await maxAbsDiff(dxc as tf.Tensor, dxNative as tf.Tensor)).toBeLessThan(1e-4)
        expect(await maxAbsDiff(dfc as tf.Tensor, dfNative as tf.Tensor)).toBeLessThan(1e-3)
      } finally {
        tf.engine().endScope()
      }
    },
  )
})
