import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { PAPER, SMALL, type EncoderConfig } from './configs.js'
import { createEncoder, encoderMinSize } from './encoder.js'
import { deadParameters } from './grad-check.js'
import { preparedCount } from './prepared.js'

const TINY: EncoderConfig = { zDim: 8, width: 4, blocks: [2, 3], slope: 0.2 }

beforeAll(async () => {
  tf.enableProdMode()
  await tf.setBackend('cpu')
})

/** A deterministic image batch in [-1, 1]. [B, S, S, 3] */
function images(b: number, size: number, phase = 0): tf.Tensor4D {
  const n = b * size * size * 3
  return tf.tensor4d(
    Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.173 + phase)),
    [b, size, size, 3],
  )
}

describe('style encoder E', () => {
  it('maps [B, H, W, 3] to [B, zDim] (SMALL at 32x32 and 64x48, tiny at 16x16)', () => {
    const e = createEncoder(SMALL.encoder, 1)
    const tiny = createEncoder(TINY, 1)
    tf.tidy(() => {
      expect(e.apply(images(3, 32)).shape).toEqual([3, 8])
      expect(e.apply(tf.zeros<tf.Rank.R4>([2, 64, 48, 3])).shape).toEqual([2, 8])
      expect(tiny.apply(images(2, 16)).shape).toEqual([2, 8])
    })
    expect(encoderMinSize(SMALL.encoder)).toBe(16)
    e.dispose()
    tiny.dispose()
  })

  it('gives z that depends on the image, is identical for a seed and differs across seeds', async () => {
    const a = createEncoder(TINY, 7)
    const b = createEncoder(TINY, 7)
    const c = createEncoder(TINY, 8)
    const x = images(2, 16)
    const za = Array.from(await a.apply(x).data())
    expect(Array.from(await b.apply(x).data())).toEqual(za)
    const zc = Array.from(await c.apply(x).data())
    expect(Math.max(...zc.map((v, i) => Math.abs(v - (za[i] ?? 0))))).toBeGreaterThan(1e-2)
    // the two images of the batch get different codes; so does a shifted image
    const first = za.slice(0, 8)
    const second = za.slice(8)
    expect(Math.max(...first.map((v, i) => Math.abs(v - (second[i] ?? 0))))).toBeGreaterThan(1e-2)
    const zShift = Array.from(await a.apply(images(2, 16, 1)).data())
    expect(Math.max(...zShift.map((v, i) => Math.abs(v - (za[i] ?? 0))))).toBeGreaterThan(1e-2)
    for (const v of za) expect(Number.isFinite(v)).toBe(true)
    for (const net of [a, b, c]) net.dispose()
    x.dispose()
  })

  it('passes a finite, non-zero gradient to every parameter', async () => {
    const e = createEncoder(TINY, 3)
    const x = images(2, 16)
    const w = tf.tensor2d(
      Float32Array.from({ length: 16 }, (_, i) => Math.cos(i)),
      [2, 8],
    )
    const dead = await deadParameters(e.params, () => tf.sum(tf.mul(e.apply(x), w)))
    expect(dead).toEqual([])
    expect(e.params.list().length).toBe(2 + 2 * 6 + 2) // stem, 2 blocks x 3 convs, head (w, b)
    e.dispose()
    tf.dispose([x, w])
  })

  it('leaks no tensors from apply, inside or outside tf.tidy', () => {
    const x = images(2, 16)
    const before = tf.memory().numTensors
    const e = createEncoder(TINY, 3)
    const vars = e.params.list()
    tf.tidy(() => {
      e.apply(x)
    })
    e.apply(x).dispose()
    // held: the variables and their prepared inference weights (prepared.ts), nothing else
    expect(preparedCount(vars)).toBeGreaterThan(0)
    expect(tf.memory().numTensors).toBe(before + vars.length + preparedCount(vars))
    e.dispose()
    expect(tf.memory().numTensors).toBe(before)
    x.dispose()
  })

  it('rejects inputs that are not RGB batches or are too small, naming the shape', () => {
    const e = createEncoder(TINY, 3)
    expect(() => e.apply(tf.zeros<tf.Rank.R4>([1, 16, 16, 1]))).toThrow(/\[1, 16, 16, 1\]/)
    expect(() => e.apply(tf.zeros<tf.Rank.R4>([1, 4, 16, 3]))).toThrow(
      /encoder input \[1, 4, 16, 3\]: H and W must be at least 8/,
    )
    e.dispose()
  })

  it('with textureStats, feeds the head block 1 log-variances that respond to texture energy', async () => {
    const plain = createEncoder(TINY, 5)
    const e = createEncoder({ ...TINY, textureStats: true }, 5)
    // the head gains blocks[0] * width = 8 inputs, 8 x zDim weights
    expect(e.params.count() - plain.params.count()).toBe(8 * 8)
    const x = images(2, 16)
    const w = tf.tensor2d(
      Float32Array.from({ length: 16 }, (_, i) => Math.cos(i)),
      [2, 8],
    )
    expect(await deadParameters(e.params, () => tf.sum(tf.mul(e.apply(x), w)))).toEqual([])
    // a flat grey image and the same grey with a fine +-0.3 checker: the stats term moves z a lot
    const flat = tf.fill<tf.Rank.R4>([1, 16, 16, 3], 0.2)
    const checker = tf.tensor4d(
      Float32Array.from({ length: 16 * 16 * 3 }, (_, i) => {
        const p = Math.floor(i / 3)
        return 0.2 + ((Math.floor(p / 16) + (p % 16)) % 2 ? 0.3 : -0.3)
      }),
      [1, 16, 16, 3],
    )
    const dz = async (net: typeof e) =>
      (await tf.tidy(() => tf.norm(tf.sub(net.apply(flat), net.apply(checker)))).data())[0] ?? 0
    expect(await dz(e)).toBeGreaterThan(1)
    expect(Number.isFinite(await dz(e))).toBe(true)
    for (const net of [plain, e]) net.dispose()
    tf.dispose([x, w, flat, checker])
  })

  it('has 1.34 M parameters with PAPER (1-3 M) and 48 k with SMALL (texture stats included)', () => {
    const paper = createEncoder(PAPER.encoder, 0)
    const small = createEncoder(SMALL.encoder, 0)
    expect(paper.params.count()).toBe(1_342_024)
    expect(small.params.count()).toBe(48_212 + 24 * 8)
    expect(paper.params.count()).toBeGreaterThan(1e6)
    expect(paper.params.count()).toBeLessThan(3e6)
    expect(small.params.count()).toBeLessThan(paper.params.count() / 10)
    paper.dispose()
    small.dispose()
  })
})
