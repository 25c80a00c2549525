import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { maxAbsDiff } from '../../test/helpers/max-diff.js'
import { convLayer } from './layers.js'
import { Params } from './params.js'
import { styleConv, styleConvTiled } from './style-input.js'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

describe('split z injection', () => {
  it.each([
    [3, 5, 7, 6],
    [3, 1, 2, 4],
    [1, 4, 4, 5],
  ])(
    'k %i on %ix%i with %i feature channels equals conv(concat(x, tiled z))',
    async (k, h, w, c) => {
      const params = new Params(7, 't')
      const zd = 3
      const layer = convLayer(params, 'l', { k, cin: c + zd, cout: 4 })
      layer.bias?.assign(tf.tensor1d([0.1, -0.2, 0.3, 0]))
      const x = tf.randomNormal<tf.Rank.R4>([2, h, w, c], 0, 1, 'float32', 3)
      const z = tf.randomNormal<tf.Rank.R2>([2, zd], 0, 1, 'float32', 4)
      const split = styleConv(layer, x, z)
      const tiled = styleConvTiled(layer, x, z)
      expect(split.shape).toEqual([2, h, w, 4])
      expect(await maxAbsDiff(split, tiled)).toBeLessThanOrEqual(1e-5)
      // gradients of a loss with respect to x, z and the kernel agree as well
      const loss = (f: typeof styleConv) => (xx: tf.Tensor, zz: tf.Tensor) =>
        tf.sum(tf.square(f(layer, xx as tf.Tensor4D, zz as tf.Tensor2D)))
      const [gxs, gzs] = tf.grads(loss(styleConv))([x, z])
      const [gxt, gzt] = tf.grads(loss(styleConvTiled))([x, z])
      expect(await maxAbsDiff(gxs as tf.Tensor, gxt as tf.Tensor)).toBeLessThanOrEqual(1e-4)
      expect(await maxAbsDiff(gzs as tf.Tensor, gzt as tf.Tensor)).toBeLessThanOrEqual(1e-4)
      const vars = layer.bias ? [layer.kernel, layer.bias] : [layer.kernel]
      const gks = tf.variableGrads(() => loss(styleConv)(x, z) as tf.Scalar, vars)
      const gkt = tf.variableGrads(() => loss(styleConvTiled)(x, z) as tf.Scalar, vars)
      for (const { name } of vars) {
        expect(
          await maxAbsDiff(gks.grads[name] as tf.Tensor, gkt.grads[name] as tf.Tensor),
        ).toBeLessThanOrEqual(1e-3)
      }
      tf.dispose([
        x,
        z,
        split,
        tiled,
        gxs,
        gzs,
        gxt,
        gzt,
        gks.value,
        gkt.value,
        ...Object.values(gks.grads),
        ...Object.values(gkt.grads),
      ] as tf.Tensor[])
      params.dispose()
    },
  )

  it('refuses a kernel that does not match features + z, naming the layer', () => {
    const params = new Params(1, 't')
    const layer = convLayer(params, 'bad', { k: 3, cin: 5, cout: 2 })
    const x = tf.zeros<tf.Rank.R4>([1, 4, 4, 3])
    const z = tf.zeros<tf.Rank.R2>([1, 3])
    expect(() => styleConv(layer, x, z)).toThrow(/^bad: kernel \[3, 3, 5, 2\] does not take/)
    tf.dispose([x, z])
    params.dispose()
  })
})
