import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  GRAM_EPS,
  gramDistance,
  latentRegression,
  pixelL1,
  stopGradient,
  unitGram,
} from './recipe-losses.js'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

async function value(s: tf.Scalar): Promise<number> {
  const v = (await s.data())[0] ?? NaN
  s.dispose()
  return v
}

describe('pixel L1', () => {
  it('is mean |fake - target| (hand-computed)', async () => {
    const fake = tf.tensor4d([0.5, -1, 0, 1, 0.25, -0.25], [1, 1, 2, 3])
    const target = tf.tensor4d([0, -1, 1, 1, -0.25, 0.25], [1, 1, 2, 3])
    const before = tf.memory().numTensors
    // |0.5| + 0 + |-1| + 0 + |0.5| + |-0.5| = 2.5 over 6 values
    expect(await value(pixelL1(fake, target))).toBeCloseTo(2.5 / 6, 7)
    expect(tf.memory().numTensors).toBe(before)
    tf.dispose([fake, target])
  })
})

describe('Gram texture term', () => {
  // one sample, 2 positions, 2 channels: x_1 = (3, 4), x_2 = (0, 2)
  const x = () => tf.tensor4d([3, 4, 0, 2], [1, 1, 2, 2])
  const unit = (a: number, b: number): [number, number] => {
    const n = Math.sqrt(a * a + b * b + GRAM_EPS)
    return [a / n, b / n]
  }

  it('Gram of channel-normalised activations, averaged over positions (hand-computed)', async () => {
    const [u1a, u1b] = unit(3, 4) // ~(0.6, 0.8)
    const [u2a, u2b] = unit(0, 2) // ~(0, 1)
    const want = [
      (u1a * u1a + u2a * u2a) / 2,
      (u1a * u1b + u2a * u2b) / 2,
      (u1b * u1a + u2b * u2a) / 2,
      (u1b * u1b + u2b * u2b) / 2,
    ]
    expect(want).toEqual([
      expect.closeTo(0.18, 6),
      expect.closeTo(0.24, 6),
      expect.closeTo(0.24, 6),
      expect.closeTo(0.82, 6),
    ])
    const input = x()
    const g = unitGram(input)
    expect(g.shape).toEqual([1, 2, 2])
    const got = Array.from(await g.data())
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i] ?? NaN, 6))
    // scale-invariant per position: 10 x the activations give the same Gram
    const scaled = tf.mul<tf.Tensor4D>(input, 10)
    const g10 = unitGram(scaled)
    Array.from(await g10.data()).forEach((v, i) => expect(v).toBeCloseTo(got[i] ?? NaN, 6))
    // a dead position (all channels 0) adds nothing and gives no NaN
    const dead = unitGram(tf.tensor4d([3, 4, 0, 0], [1, 1, 2, 2]))
    expect(Array.from(await dead.data())).toEqual([
      expect.closeTo(0.18, 6),
      expect.closeTo(0.24, 6),
      expect.closeTo(0.24, 6),
      expect.closeTo(0.32, 6),
    ])
    tf.dispose([input, g, scaled, g10, dead])
  })

  it('is phase-invariant: moving the texture leaves it at 0', async () => {
    const a = tf.tensor4d([3, 4, 0, 2], [1, 1, 2, 2])
    const swapped = tf.tensor4d([0, 2, 3, 4], [1, 1, 2, 2]) // the same positions, swapped
    const target = unitGram(a)
    expect(await value(gramDistance([swapped], [target], [1]))).toBeCloseTo(0, 9)
    tf.dispose([a, swapped, target])
  })

  it('sums w_l * mean((Gram_l - target_l)^2) over the taps (hand-computed)', async () => {
    const a = x()
    const target = tf.tensor3d([0, 0, 0, 1], [1, 2, 2]) // e.g. every position along channel 2
    // differences 0.18, 0.24, 0.24, -0.18: mean square (2 * 0.0324 + 2 * 0.0576) / 4 = 0.045
    expect(await value(gramDistance([a], [target], [1]))).toBeCloseTo(0.045, 6)
    // two taps with the perceptual weights [1/4, 1]; the second tap matches its target
    const b = tf.tensor4d([1, 0], [1, 1, 1, 2])
    const bTarget = unitGram(b)
    const before = tf.memory().numTensors
    expect(await value(gramDistance([a, b], [target, bTarget]))).toBeCloseTo(0.045 / 4, 6)
    expect(tf.memory().numTensors).toBe(before)
    expect(() => gramDistance([a, b], [target])).toThrow(
      'gramDistance: 2 feature maps, 1 target Grams and 2 weights (expected the same number, at least 1)',
    )
    tf.dispose([a, target, b, bTarget])
  })

  it("has autodiff's gradient of the same formula (its products are hand-written)", async () => {
    const feats = tf.randomUniform<tf.Rank.R4>([2, 3, 4, 5], -1, 2, 'float32', 7)
    const target = tf.randomUniform<tf.Rank.R3>([2, 5, 5], 0, 0.3, 'float32', 8)
    const plainGram = (x: tf.Tensor4D) => {
      const u = tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), 3, true), GRAM_EPS)))
      const rows = tf.reshape<tf.Rank.R3>(u, [2, 12, 5])
      return tf.div(tf.matMul(rows, rows, true, false), 12)
    }
    const plain = (x: tf.Tensor) => tf.mean(tf.square(tf.sub(plainGram(x as tf.Tensor4D), target)))
    const ours = (x: tf.Tensor) => gramDistance([x as tf.Tensor4D], [target], [1])
    const [gPlain, gOurs] = [tf.grad(plain)(feats), tf.grad(ours)(feats)]
    const [a, b] = [await gPlain.data(), await gOurs.data()]
    expect(Math.max(...a.map(Math.abs))).toBeGreaterThan(1e-3)
    a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 6))
    tf.dispose([feats, target, gPlain, gOurs])
  })

  it('has finite, non-zero gradients towards the target', async () => {
    const target = tf.tensor3d([0, 0, 0, 1], [1, 2, 2])
    const grad = tf.grad((f: tf.Tensor) => gramDistance([f as tf.Tensor4D], [target], [1]))(x())
    const g = Array.from(await grad.data())
    expect(g.every(Number.isFinite)).toBe(true)
    expect(g.some((v) => Math.abs(v) > 1e-3)).toBe(true)
    tf.dispose([target, grad])
  })
})

describe('latent regression', () => {
  it('is mean((codes - z)^2) (hand-computed); shapes must agree', async () => {
    const codes = tf.tensor2d([
      [1, 2],
      [0, -1],
    ])
    const z = tf.tensor2d([
      [0, 2],
      [1, 1],
    ])
    // (1 + 0 + 1 + 4) / 4
    expect(await value(latentRegression(codes, z))).toBeCloseTo(1.5, 7)
    const short = tf.tensor2d([[0, 2]])
    expect(() => latentRegression(codes, short)).toThrow(
      'latentRegression: codes [2, 2] and z [1, 2] differ in shape',
    )
    tf.dispose([codes, z, short])
  })

  it('stopGradient passes values and blocks the gradient', async () => {
    const z = tf.tensor2d([[1, -2]])
    const codes = tf.tensor2d([[0, 0]])
    const [gCodes, gZ] = tf.grads((c: tf.Tensor, t: tf.Tensor) =>
      latentRegression(c as tf.Tensor2D, stopGradient(t as tf.Tensor2D)),
    )([codes, z])
    // d/dc mean((c - z)^2) = 2 (c - z) / 2 = (c - z)
    expect(Array.from(await (gCodes as tf.Tensor).data())).toEqual([-1, 2])
    expect(Array.from(await (gZ as tf.Tensor).data())).toEqual([0, 0])
    const same = stopGradient(z)
    expect(Array.from(await same.data())).toEqual([1, -2])
    tf.dispose([z, codes, gCodes, gZ, same] as tf.Tensor[])
  })
})
