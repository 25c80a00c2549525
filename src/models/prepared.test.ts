import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { maxAbsDiff } from '../../test/helpers/max-diff.js'
import { conv, convLayer } from './layers.js'
import { Params } from './params.js'
import { prepared, preparedCount, setPreparedWeights } from './prepared.js'
import { styleConv } from './style-input.js'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

/** conv2d with the kernel scaled the plain way (no cache). */
function reference(kernel: tf.Tensor4D, scale: number, x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.conv2d(x, tf.mul<tf.Tensor4D>(kernel, scale), 1, 'same'))
}

describe('prepared weights', () => {
  it('builds once per variable state and returns the same tensors while it holds', async () => {
    const v = tf.variable(tf.tensor1d([1, 2, 3]))
    let builds = 0
    const build = () => {
      builds++
      return [tf.mul(v, 2)] as const
    }
    const [a] = prepared(v, 'double', build)
    const [b] = prepared(v, 'double', build)
    expect(builds).toBe(1)
    expect(b).toBe(a)
    expect([...(await a.data())]).toEqual([2, 4, 6])
    v.assign(tf.tensor1d([5, 6, 7]))
    const [c] = prepared(v, 'double', build)
    expect(builds).toBe(2)
    expect(a.isDisposed).toBe(true) // the stale version is freed, not leaked
    expect([...(await c.data())]).toEqual([10, 12, 14])
    setPreparedWeights(false) // the benchmarks' "before": built on every call, never stored
    const [d] = prepared(v, 'double', build)
    expect(builds).toBe(3)
    expect(d).not.toBe(c)
    setPreparedWeights(true)
    expect(prepared(v, 'double', build)[0]).toBe(c)
  })

  it('conv outputs follow assigned weights (training steps, checkpoint loads)', async () => {
    const params = new Params(3, 'p')
    const layer = convLayer(params, 'c', { k: 3, cin: 4, cout: 5, bias: false })
    const x = tf.randomNormal<tf.Rank.R4>([2, 6, 6, 4], 0, 1, 'float32', 1)
    expect(await maxAbsDiff(conv(layer, x), reference(layer.kernel, layer.scale, x))).toBeLessThan(
      1e-6,
    )
    layer.kernel.assign(tf.randomNormal([3, 3, 4, 5], 0, 1, 'float32', 9))
    expect(await maxAbsDiff(conv(layer, x), reference(layer.kernel, layer.scale, x))).toBeLessThan(
      1e-6,
    )
    params.dispose()
  })

  it('is bypassed under a gradient tape: kernel gradients are the true ones', async () => {
    const params = new Params(4, 'g')
    const layer = convLayer(params, 'c', { k: 3, cin: 3, cout: 2, bias: false })
    const x = tf.randomNormal<tf.Rank.R4>([1, 5, 5, 3], 0, 1, 'float32', 2)
    conv(layer, x).dispose() // fills the cache first
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(conv(layer, x))), [layer.kernel])
    const expected = tf.grad((k) => tf.sum(tf.square(reference(k as tf.Tensor4D, layer.scale, x))))(
      layer.kernel,
    )
    const g = grads[layer.kernel.name]
    if (!g) throw new Error('no kernel gradient')
    expect(await maxAbsDiff(expected, tf.zerosLike(expected))).toBeGreaterThan(0.1)
    expect(await maxAbsDiff(g, expected)).toBeLessThan(1e-4)
    params.dispose()
  })

  it('split z conv keeps one prepared set per layer, freed by Params.dispose', () => {
    const before = tf.memory().numTensors
    const params = new Params(5, 's')
    const layer = convLayer(params, 'c', { k: 3, cin: 6 + 2, cout: 4 })
    const x = tf.randomNormal<tf.Rank.R4>([2, 4, 4, 6], 0, 1, 'float32', 3)
    const z = tf.randomNormal<tf.Rank.R2>([2, 2], 0, 1, 'float32', 4)
    tf.dispose([styleConv(layer, x, z), styleConv(layer, x, z)])
    // W_x, the flattened W_z, and the tap-validity rows / columns of this 4 x 4 size
    expect(preparedCount([layer.kernel])).toBe(4)
    const held = tf.memory().numTensors
    tf.dispose([styleConv(layer, x, z), styleConv(layer, x, z)])
    expect(tf.memory().numTensors).toBe(held)
    params.dispose()
    tf.dispose([x, z])
    expect(preparedCount([layer.kernel])).toBe(0)
    expect(tf.memory().numTensors).toBe(before)
  })
})
