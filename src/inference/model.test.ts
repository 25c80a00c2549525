import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { maxAbsDiff } from '../../test/fixtures/tensors.js'
import { StepError } from '../core/errors.js'
import { createRng } from '../core/rng.js'
import { stepModelConfig } from '../models/configs.js'
import { createEncoder } from '../models/encoder.js'
import { createGenerator } from '../models/generator.js'
import { createMapper } from '../models/mapper.js'
import { normalNoise } from './noise.js'
import {
  encode,
  generate,
  INFERENCE_CHUNK,
  interpolate,
  interpolateCodes,
  sample,
  styleStrength,
  type StepModel,
} from './model.js'

const config = stepModelConfig('small', {
  encoder: { width: 4 },
  generator: { width: 8, encoderResBlocks: 1, decoderResBlocks: 1 },
  mapper: { hidden: 16, layers: 2 },
})
const Z = 8
let model: StepModel

beforeAll(async () => {
  await tf.setBackend('cpu')
  model = {
    config,
    encoder: createEncoder(config.encoder, 1),
    generator: createGenerator(config.generator, 2),
    mapper: createMapper(config.mapper, 3),
    meanCode: Float32Array.from({ length: Z }, (_, i) => i / 10),
  }
})
afterAll(() => {
  model.encoder.dispose()
  model.generator.dispose()
  model.mapper?.dispose()
})

function images(b: number, size = 16, seed = 0): tf.Tensor4D {
  const rng = createRng(seed)
  const v = Float32Array.from({ length: b * size * size * 3 }, () => rng.uniform(-1, 1))
  return tf.tensor4d(v, [b, size, size, 3])
}

function codes(rows: number[][]): tf.Tensor2D {
  return tf.tensor2d(rows.map((r) => [...r, ...new Array<number>(Z - r.length).fill(0)]))
}

/** The rows of a 2-D tensor, which is then disposed. */
async function rows(t: tf.Tensor): Promise<number[][]> {
  try {
    return (await t.array()) as number[][]
  } finally {
    t.dispose()
  }
}

/** Runs f, disposes what it returns, and checks that no tensor was left behind. */
async function noLeak(f: () => tf.Tensor[] | Promise<tf.Tensor[]>): Promise<void> {
  const before = tf.memory().numTensors
  tf.dispose(await f())
  expect(tf.memory().numTensors).toBe(before)
}

describe('encode and generate', () => {
  it('chunk batches larger than INFERENCE_CHUNK with the same results, leaking nothing', async () => {
    const b = INFERENCE_CHUNK + 2
    const x = images(b)
    const z = encode(model, x)
    expect(z.shape).toEqual([b, Z])
    const direct = model.encoder.apply(x)
    expect(await maxAbsDiff(z, direct)).toBeLessThan(1e-5)
    const y = generate(model, x, z)
    expect(y.shape).toEqual([b, 16, 16, 3])
    const gDirect = model.generator.apply(x, z)
    expect(await maxAbsDiff(y, gDirect)).toBeLessThan(1e-5)
    tf.dispose([z, direct, y, gDirect])
    const z0 = tf.zeros<tf.Rank.R2>([1, Z])
    await noLeak(() => [encode(model, x), generate(model, x, z0)])
    tf.dispose([x, z0])
  })

  it('broadcasts one code over the contents, or one content over the codes', async () => {
    const x = images(3)
    const z = codes([
      [1, -1],
      [0, 2],
      [-2, 0.5],
    ])
    const z0 = tf.slice(z, 0, 1)
    const x0 = tf.slice(x, 0, 1)
    const byOneZ = generate(model, x, z0)
    const tiledZ = generate(model, x, tf.tile(z0, [3, 1]))
    expect(await maxAbsDiff(byOneZ, tiledZ)).toBe(0)
    const byOneX = generate(model, x0, z)
    const tiledX = generate(model, tf.tile(x0, [3, 1, 1, 1]), z)
    expect(await maxAbsDiff(byOneX, tiledX)).toBe(0)
    const [y0, y1] = [tf.slice(byOneX, 0, 1), tf.slice(byOneX, 1, 1)]
    expect(await maxAbsDiff(y0, y1)).toBeGreaterThan(1e-3) // the code matters
    tf.dispose([x, z, z0, x0, byOneZ, tiledZ, byOneX, tiledX, y0, y1])
  })

  it('broadcasts one content over more codes than a chunk, same as tiling it, leaking nothing', async () => {
    const n = INFERENCE_CHUNK + 3
    const x0 = images(1)
    const z = tf.randomNormal<tf.Rank.R2>([n, Z], 0, 1, 'float32', 9)
    const shared = generate(model, x0, z)
    const tiled = model.generator.apply(tf.tile(x0, [n, 1, 1, 1]), z)
    expect(shared.shape).toEqual([n, 16, 16, 3])
    expect(await maxAbsDiff(shared, tiled)).toBeLessThan(1e-5)
    tf.dispose([shared, tiled])
    await noLeak(() => [generate(model, x0, z)])
    tf.dispose([x0, z])
  })

  it('rejects bad shapes with errors naming them', () => {
    const x = images(2)
    const odd = images(1, 20)
    const z3 = tf.zeros<tf.Rank.R2>([3, Z])
    const z5 = tf.zeros<tf.Rank.R2>([2, 5])
    expect(() => generate(model, x, z3)).toThrow(
      'generate: content [2, 16, 16, 3] and z [3, 8] have batch sizes 2 and 3; use equal sizes or 1 for either',
    )
    expect(() => generate(model, odd, z3)).toThrow(
      'generate: content [1, 20, 20, 3]: H and W must be multiples of 8',
    )
    expect(() => generate(model, x, z5)).toThrow(
      'generate: z must be style codes [B, 8], got [2, 5]',
    )
    expect(() => encode(model, z3 as unknown as tf.Tensor4D)).toThrow(
      'encode: images must be images [B, H, W, 3], got [3, 8]',
    )
    tf.dispose([x, odd, z3, z5])
  })
})

describe('sample', () => {
  it('maps seeded noise through M and G; same seed, same result', async () => {
    const x = images(1)
    const a = sample(model, x, 3, 7)
    const b = sample(model, x, 3, 7)
    const c = sample(model, x, 3, 8)
    expect(a.images.shape).toEqual([3, 16, 16, 3])
    expect(a.z.shape).toEqual([3, Z])
    expect(await maxAbsDiff(a.images, b.images)).toBe(0)
    expect(await maxAbsDiff(a.z, c.z)).toBeGreaterThan(1e-3)
    const e = tf.tensor2d(normalNoise(7, 3, Z), [3, Z])
    const m = model.mapper?.apply(e) ?? tf.zeros([3, Z])
    expect(await maxAbsDiff(a.z, m)).toBe(0)
    const g = generate(model, x, m)
    expect(await maxAbsDiff(a.images, g)).toBe(0)
    tf.dispose([a.images, a.z, b.images, b.z, c.images, c.z, e, m, g])
    await noLeak(() => Object.values(sample(model, x, INFERENCE_CHUNK + 1, 1)))
    x.dispose()
  })

  it('names the missing mapper and checks its arguments', () => {
    const x = images(2)
    const err = (() => {
      try {
        sample({ ...model, mapper: null }, x, 2, 0)
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(StepError)
    expect((err as StepError).code).toBe('model/no-mapper')
    expect((err as Error).message).toMatch(/^sample: this model has no mapper M/)
    expect(() => sample(model, x, 2, 0)).toThrow('sample: content must be one image')
    const x1 = tf.slice(x, 0, 1)
    expect(() => sample(model, x1, 0, 0)).toThrow('count must be a positive integer, got 0')
    expect(() => sample(model, x1, 2, -1)).toThrow('seed')
    tf.dispose([x, x1])
  })
})

describe('interpolation', () => {
  it('lerp and slerp between two codes, slerp falling back to lerp for (anti)parallel codes', async () => {
    const ab = codes([
      [1, 0],
      [0, 1],
    ])
    const lerp = interpolateCodes(ab, { t: [0, 0.5, 1], mode: 'lerp' }, Z)
    expect((await rows(lerp)).map((r) => r.slice(0, 2))).toEqual([
      [1, 0],
      [0.5, 0.5],
      [0, 1],
    ])
    const slerp = await rows(interpolateCodes(ab, { t: [0, 0.5, 1], mode: 'slerp' }, Z))
    const h = Math.SQRT1_2
    const want = [
      [1, 0],
      [h, h],
      [0, 1],
    ]
    slerp.forEach((r, i) => r.forEach((v, k) => expect(v).toBeCloseTo(want[i]?.[k] ?? 0, 5)))
    const parallel = codes([
      [1, 0],
      [3, 0],
    ])
    const p = await rows(interpolateCodes(parallel, { t: [0.5], mode: 'slerp' }, Z))
    expect(p[0]?.slice(0, 2)).toEqual([2, 0])
    const anti = codes([
      [1, 1],
      [-1, -1],
    ])
    const q = await rows(interpolateCodes(anti, { t: [0.25], mode: 'slerp' }, Z))
    expect(q[0]?.slice(0, 2)).toEqual([0.5, 0.5])
    const zero = codes([
      [0, 0],
      [2, 0],
    ])
    const r = await rows(interpolateCodes(zero, { t: [0.5], mode: 'slerp' }, Z))
    expect(r[0]?.slice(0, 2)).toEqual([1, 0])
    tf.dispose([ab, lerp, parallel, anti, zero])
  })

  it('blends N codes by normalised weights and rejects bad weights by index', async () => {
    const zs = codes([
      [4, 0],
      [0, 4],
      [0, 0, 4],
    ])
    const b = interpolateCodes(zs, { weights: [1, 1, 2] }, Z)
    expect((await rows(b))[0]?.slice(0, 3)).toEqual([1, 1, 2])
    b.dispose()
    const bad = (weights: number[]) => () => interpolateCodes(zs, { weights }, Z)
    expect(bad([1, -1, 0])).toThrow(
      'interpolate: weights[1] = -1; weights must be finite and non-negative',
    )
    expect(bad([1, 0, NaN])).toThrow('interpolate: weights[2] = NaN')
    expect(bad([0, 0, 0])).toThrow('weights sum to 0')
    expect(bad([1, 1])).toThrow('interpolate: 2 weights for 3 codes')
    expect(() => interpolateCodes(zs, { t: [0.5], mode: 'lerp' }, Z)).toThrow(
      'interpolate: t values interpolate between exactly 2 codes, got 3',
    )
    const ab = tf.slice(zs, 0, 2)
    expect(() => interpolateCodes(ab, { t: [Infinity], mode: 'lerp' }, Z)).toThrow(
      'interpolate: t[0] = Infinity is not finite',
    )
    const one = tf.slice(zs, 0, 1)
    expect(() => interpolateCodes(one, { weights: [1] }, Z)).toThrow('needs at least 2 codes')
    tf.dispose([zs, ab, one])
  })

  it('generates one image per t, leaking nothing', async () => {
    const x = images(1)
    const ab = codes([
      [1, 0],
      [0, 1],
    ])
    const out = interpolate(model, x, ab, { t: [0, 0.25, 0.5, 0.75, 1], mode: 'slerp' })
    expect(out.images.shape).toEqual([5, 16, 16, 3])
    const ends = generate(model, x, ab)
    const first = tf.slice(out.images, 0, 1)
    const last = tf.slice(out.images, 4, 1)
    expect(await maxAbsDiff(first, tf.slice(ends, 0, 1))).toBeLessThan(1e-5)
    expect(await maxAbsDiff(last, tf.slice(ends, 1, 1))).toBeLessThan(1e-5)
    tf.dispose([out.images, out.z, ends, first, last])
    await noLeak(() => Object.values(interpolate(model, x, ab, { weights: [1, 2] })))
    tf.dispose([x, ab])
  })
})

describe('style strength', () => {
  it('scales a code around the dataset mean (or zero), 0 giving the mean', async () => {
    const z = codes([[1, 2, 3]])
    const mean = Array.from(model.meanCode ?? [])
    const at = async (s: number, m: StepModel = model) => (await rows(styleStrength(m, z, s)))[0]
    const zRow = (await z.array())[0] ?? []
    ;(await at(0))?.forEach((v, i) => expect(v).toBeCloseTo(mean[i] ?? NaN, 6))
    expect(await at(1)).toEqual(zRow)
    ;(await at(2))?.forEach((v, i) => expect(v).toBeCloseTo(2 * (zRow[i] ?? 0) - (mean[i] ?? 0), 6))
    expect(await at(0.5, { ...model, meanCode: null })).toEqual(zRow.map((v) => v / 2))
    expect(() => styleStrength(model, z, NaN)).toThrow('strength must be finite, got NaN')
    expect(() => styleStrength({ ...model, meanCode: new Float32Array(3) }, z, 1)).toThrow(
      "the model's mean code has 3 values, expected 8",
    )
    await noLeak(() => [styleStrength(model, z, 0.3)])
    z.dispose()
  })
})
