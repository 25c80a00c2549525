import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { gaussianPrior } from '../translator.js'
import { createBicycleGan } from './bicyclegan.js'
import { bicycleGanConfigSchema, munitConfigSchema, parseBaselineConfig } from './configs.js'
import { TINY_BICYCLEGAN, TINY_MUNIT } from './tiny.js'
import { createMunit, judge, munitGenerator, munitStyleEncoder } from './munit.js'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

const images = (n: number, size: number, seed: number) =>
  tf.randomUniform<tf.Rank.R4>([n, size, size, 3], -1, 1, 'float32', seed)

describe('BicycleGAN networks', () => {
  it('E gives mean and log-variance [B, zDim]; G keeps the image shape; D gives logit maps', () => {
    const n = createBicycleGan(TINY_BICYCLEGAN, 1)
    const x = images(3, 16, 1)
    const { mu, logvar } = n.encoder.moments(x)
    expect(mu.shape).toEqual([3, 2])
    expect(logvar.shape).toEqual([3, 2])
    const z = n.encoder.apply(x)
    expect(Array.from(z.dataSync())).toEqual(Array.from(mu.dataSync())) // inference: the mean
    const y = n.generator.apply(x, z)
    expect(y.shape).toEqual([3, 16, 16, 3])
    expect(n.dVae.apply(y, x)[0]?.shape).toEqual([3, 2, 2, 1])
    expect(n.encoder.net.config.zDim).toBe(4) // head of 2 zDim outputs
    tf.dispose([x, mu, logvar, z, y])
    for (const net of [n.encoder, n.generator, n.dVae, n.dLr]) net.dispose()
  })

  it('a manifest config with mismatched z sizes is refused naming the field', () => {
    const bad = { ...TINY_BICYCLEGAN, encoder: { ...TINY_BICYCLEGAN.encoder, zDim: 3 } }
    expect(() => parseBaselineConfig(bicycleGanConfigSchema, bad, 'ckpt')).toThrow(/encoder\.zDim/)
  })
})

describe('MUNIT networks', () => {
  it('content [B, H/4, W/4, 4w], style [B, zDim], decode back to [B, H, W, 3]', () => {
    const n = createMunit(TINY_MUNIT, 2)
    const x = images(2, 16, 2)
    const c = n.a.content(x)
    expect(c.shape).toEqual([2, 4, 4, 16])
    const s = n.a.style(x)
    expect(s.shape).toEqual([2, 2])
    const y = n.b.decode(c, s)
    expect(y.shape).toEqual([2, 16, 16, 3])
    expect(Math.max(...Array.from(tf.abs(y).dataSync()))).toBeLessThan(1)
    expect(judge(n.dA, y)[0]?.shape).toEqual([2, 2, 2, 1])
    // the style code changes the output (AdaIN), the content code too
    const y2 = n.b.decode(c, tf.add(s, 1))
    expect(tf.mean(tf.abs(tf.sub(y, y2))).dataSync()[0]).toBeGreaterThan(1e-4)
    tf.dispose([x, c, s, y, y2])
    for (const net of [n.a, n.b, n.dA, n.dB]) net.dispose()
  })

  it('the inference pair: B style encoder and A-content -> B decoder; sizes checked', () => {
    const n = createMunit(TINY_MUNIT, 3)
    const enc = munitStyleEncoder(n)
    const gen = munitGenerator(n)
    const x = images(2, 16, 3)
    const out = gen.apply(x, enc.apply(x))
    expect(out.shape).toEqual([2, 16, 16, 3])
    expect(() => gen.apply(images(1, 24, 4), tf.zeros([1, 2]))).toThrow(/multiples of 16/)
    expect(() => parseBaselineConfig(munitConfigSchema, { ...TINY_MUNIT, downs: 0 }, 'x')).toThrow(
      /downs/,
    )
    tf.dispose([x, out])
    for (const net of [n.a, n.b, n.dA, n.dB]) net.dispose()
  })

  it('the Gaussian prior passes noise through unchanged and checks its size', () => {
    const prior = gaussianPrior(2)
    const e = tf.tensor2d([
      [0.5, -1],
      [2, 0],
    ])
    expect(Array.from(prior.apply(e).dataSync())).toEqual([0.5, -1, 2, 0])
    expect(() => prior.apply(tf.zeros([1, 3]))).toThrow(/\[B, 2\]/)
    expect(prior.params.count()).toBe(0)
  })
})
