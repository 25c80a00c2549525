import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { maxAbsDiff } from '../../../test/helpers/max-diff.js'
import {
  applyFrozenConv,
  foldBatchNorm,
  type BatchNormParams,
  type FrozenConv,
} from './frozen-conv.js'

const seeded = (shape: number[], seed: number, lo = -1, hi = 1) =>
  tf.randomUniform(shape, lo, hi, 'float32', seed)

/** The unfolded reference: relu(BN(conv(x) + bias)) with plain, natively differentiated ops. */
function reference(
  x: tf.Tensor4D,
  kernel: tf.Tensor4D,
  bias: tf.Tensor1D,
  bn: BatchNormParams,
  stride: number,
  pad: 'same' | 'valid',
): tf.Tensor4D {
  const y = tf.add(tf.conv2d(x, kernel, stride, pad), bias)
  const normed = tf.batchNorm(
    y,
    bn.mean,
    bn.variance,
    bn.beta ?? undefined,
    bn.gamma ?? undefined,
    bn.epsilon,
  )
  return tf.relu(normed) as tf.Tensor4D
}

/** Makes `backend` active (the single-threaded wasm build: tfjs's default in Node). */
async function use(backend: 'cpu' | 'wasm'): Promise<void> {
  if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm')
  await tf.setBackend(backend)
  await tf.ready()
}

describe.each(['cpu', 'wasm'] as const)('frozen conv on %s', (backend) => {
  beforeAll(async () => {
    await use(backend)
  })
  afterAll(() => tf.disposeVariables())

  it.each([
    [1, 'same', 3],
    [2, 'valid', 7],
    [2, 'same', 1],
  ] as const)(
    'stride %d %s k%d: folded forward and input gradient match conv + BN + ReLU',
    async (stride, pad, k) => {
      const x = seeded([2, 15, 15, 5], 1) as tf.Tensor4D
      const kernel = seeded([k, k, 5, 6], 2) as tf.Tensor4D
      const bias = seeded([6], 3) as tf.Tensor1D
      const bn: BatchNormParams = {
        gamma: seeded([6], 4, 0.5, 2) as tf.Tensor1D,
        beta: seeded([6], 5) as tf.Tensor1D,
        mean: seeded([6], 6) as tf.Tensor1D,
        variance: seeded([6], 7, 0.1, 3) as tf.Tensor1D,
        epsilon: 1e-3,
      }
      const folded = foldBatchNorm(kernel, bias, bn)
      const conv: FrozenConv = { ...folded, stride, pad, relu: true }
      const want = reference(x, kernel, bias, bn, stride, pad)
      const got = applyFrozenConv(x, conv)
      expect(got.shape).toEqual(want.shape)
      expect(await maxAbsDiff(got, want)).toBeLessThan(1e-4)
      // some outputs are clipped by the ReLU, some pass: the mask matters in the gradient
      const positive = (await tf.mean(tf.step(want)).data())[0] ?? 0
      expect(positive).toBeGreaterThan(0.2)
      expect(positive).toBeLessThan(0.8)
      const r = seeded(want.shape, 8) // a random linear read-out of the outputs
      const gotGrad = tf.grad((xi: tf.Tensor) =>
        tf.sum(tf.mul(applyFrozenConv(xi as tf.Tensor4D, conv), r)),
      )(x)
      const wantGrad =
        backend === 'cpu'
          ? tf.grad((xi: tf.Tensor) =>
              tf.sum(tf.mul(reference(xi as tf.Tensor4D, kernel, bias, bn, stride, pad), r)),
            )(x)
          : null
      expect(gotGrad.shape).toEqual(x.shape)
      if (wantGrad) expect(await maxAbsDiff(gotGrad, wantGrad)).toBeLessThan(1e-4)
      else expect((await tf.sum(tf.abs(gotGrad)).data())[0]).toBeGreaterThan(1)
      conv.gradKernel?.dispose()
      tf.dispose([
        x,
        kernel,
        bias,
        folded.kernel,
        ...(folded.bias ? [folded.bias] : []),
        want,
        got,
        r,
        gotGrad,
      ])
      tf.dispose([bn.gamma, bn.beta, bn.mean, bn.variance].filter((v) => v !== null))
    },
  )
})

describe('frozen conv gradient on wasm equals the cpu gradient', () => {
  it('input gradient of a folded stride-2 conv', async () => {
    const grads: Float32Array[] = []
    for (const backend of ['cpu', 'wasm'] as const) {
      await use(backend)
      const x = seeded([2, 16, 16, 4], 11) as tf.Tensor4D
      const kernel = seeded([3, 3, 4, 8], 12) as tf.Tensor4D
      const bias = seeded([8], 13) as tf.Tensor1D
      const conv: FrozenConv = { kernel, bias, stride: 2, pad: 'same', relu: true }
      const r = seeded([2, 8, 8, 8], 14)
      const g = tf.grad((xi: tf.Tensor) =>
        tf.sum(tf.mul(applyFrozenConv(xi as tf.Tensor4D, conv), r)),
      )(x)
      grads.push((await g.data()) as Float32Array)
      conv.gradKernel?.dispose()
      tf.dispose([x, kernel, bias, r, g])
    }
    const [cpu, wasm] = grads as [Float32Array, Float32Array]
    expect(Math.max(...cpu.map((v, i) => Math.abs(v - (wasm[i] ?? NaN))))).toBeLessThan(1e-4)
  })
})
