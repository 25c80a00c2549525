import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { maxAbsDiff } from '../../../test/helpers/max-diff.js'
import { IMAGE_INPUT, type PlanStep } from './topology.js'
import { trunkOf } from './trunk.js'

/**
 * A small functional model with every case the fusion pass must get right:
 *  - c1 -> bn1 -> act1: fused into one step (act1 is a tap);
 *  - c2 read by two layers (bn2 and the add): not fused;
 *  - c3 -> bn3 where bn3 is a tap: BN folded, the ReLU after it stays separate;
 *  - c4 with its own ReLU followed by a BN: BN(relu(conv)) must not be folded.
 */
function buildModel(): { model: tf.LayersModel; plan: PlanStep[]; taps: string[] } {
  const conv = (
    name: string,
    filters: number,
    strides = 1,
    activation: 'linear' | 'relu' = 'linear',
  ) =>
    tf.layers.conv2d({
      name,
      filters,
      kernelSize: 3,
      strides,
      padding: 'same',
      activation,
      biasInitializer: 'randomNormal',
    })
  const bn = (name: string) =>
    tf.layers.batchNormalization({
      name,
      axis: -1,
      epsilon: 1e-3,
      gammaInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: 1 }),
      betaInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 2 }),
      movingMeanInitializer: tf.initializers.randomUniform({ minval: -0.3, maxval: 0.3, seed: 3 }),
      movingVarianceInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 2, seed: 4 }),
    })
  const relu = (name: string) => tf.layers.activation({ name, activation: 'relu' })
  const input = tf.input({ shape: [16, 16, 3], name: 'img' })
  const act1 = relu('act1').apply(
    bn('bn1').apply(conv('c1', 8, 2).apply(input)),
  ) as tf.SymbolicTensor
  const c2 = conv('c2', 8).apply(act1) as tf.SymbolicTensor
  const sum = tf.layers
    .add({ name: 'sum' })
    .apply([bn('bn2').apply(c2) as tf.SymbolicTensor, c2]) as tf.SymbolicTensor
  const bn3 = bn('bn3').apply(conv('c3', 8).apply(sum)) as tf.SymbolicTensor
  const act3 = relu('act3').apply(bn3) as tf.SymbolicTensor
  const bn4 = bn('bn4').apply(conv('c4', 4, 2, 'relu').apply(act3)) as tf.SymbolicTensor
  const model = tf.model({ inputs: input, outputs: [act1, bn3, bn4] })
  const plan: PlanStep[] = [
    { name: 'c1', inputs: [IMAGE_INPUT] },
    { name: 'bn1', inputs: ['c1'] },
    { name: 'act1', inputs: ['bn1'] },
    { name: 'c2', inputs: ['act1'] },
    { name: 'bn2', inputs: ['c2'] },
    { name: 'sum', inputs: ['bn2', 'c2'] },
    { name: 'c3', inputs: ['sum'] },
    { name: 'bn3', inputs: ['c3'] },
    { name: 'act3', inputs: ['bn3'] },
    { name: 'c4', inputs: ['act3'] },
    { name: 'bn4', inputs: ['c4'] },
  ]
  return { model, plan, taps: ['act1', 'bn3', 'bn4'] }
}

describe.each(['cpu', 'wasm'] as const)('trunk fusion on %s', (backend) => {
  it('gives the unfused model taps, values and input gradients', async () => {
    if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm')
    await tf.setBackend(backend)
    await tf.ready()
    const { model, plan, taps } = buildModel()
    const trunk = trunkOf(model, plan, taps)
    const x = tf.randomUniform<tf.Rank.R4>([2, 16, 16, 3], -1, 1, 'float32', 9)
    const want = model.predict(x) as tf.Tensor[]
    const got = trunk.run(x)
    expect(got.map((t) => t.shape)).toEqual(want.map((t) => t.shape))
    for (const [i, t] of got.entries()) {
      const w = want[i] as tf.Tensor
      expect(await maxAbsDiff(t, w)).toBeLessThan(1e-4)
      expect((await tf.max(tf.abs(w)).data())[0]).toBeGreaterThan(0.1) // not trivially zero
    }
    // d(sum of taps)/dx: the fused steps' gradient against a plain finite-difference-free check:
    // the cpu backend differentiates the unfused model natively (wasm has no filter gradient)
    const g = tf.grad((xi: tf.Tensor) =>
      tf.addN(trunk.run(xi as tf.Tensor4D).map((t) => tf.sum(tf.mul(t, t)))),
    )(x)
    expect(g.shape).toEqual(x.shape)
    if (backend === 'cpu') {
      const ref = tf.grad((xi: tf.Tensor) =>
        tf.addN(
          (model.apply(xi, { training: false }) as tf.Tensor[]).map((t) => tf.sum(tf.mul(t, t))),
        ),
      )(x)
      expect(await maxAbsDiff(g, ref)).toBeLessThan(1e-3)
      ref.dispose()
    } else expect((await tf.sum(tf.abs(g)).data())[0]).toBeGreaterThan(1)
    tf.dispose([x, g, ...want, ...got])
    trunk.dispose()
  })
})
