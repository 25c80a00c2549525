import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadFeatureExtractor } from './index.js'

beforeAll(async () => {
  tf.enableProdMode()
  await tf.setBackend('cpu')
})

function images(seed: number, b = 2, size = 64): tf.Tensor4D {
  return tf.randomUniform<tf.Rank.R4>([b, size, size, 3], -1, 1, 'float32', seed)
}

async function values(ts: tf.Tensor[]): Promise<Float32Array[]> {
  return Promise.all(ts.map(async (t) => (await t.data()) as Float32Array))
}

describe('random feature extractor (TEST ONLY)', () => {
  it('is labelled as an untrained test net and has three stride-2 taps', async () => {
    const ext = await loadFeatureExtractor('random', { seed: 3 })
    expect(ext.id).toBe('random')
    expect(ext.description).toContain('TEST ONLY')
    expect(ext.layers).toEqual(['conv1', 'conv2', 'conv3'])
    const x = images(1)
    const out = ext.extract(x)
    expect(out.map((t) => t.shape)).toEqual([
      [2, 32, 32, 16],
      [2, 16, 16, 32],
      [2, 8, 8, 64],
    ])
    // Post-ReLU: non-negative, and not dead (a good share of units are active).
    const last = (await values(out))[2] ?? new Float32Array()
    expect(Math.min(...last)).toBeGreaterThanOrEqual(0)
    expect(last.filter((v) => v > 0).length / last.length).toBeGreaterThan(0.2)
    tf.dispose([x, ...out])
    ext.dispose()
  })

  it('resizes other image sizes to inputSize', async () => {
    const ext = await loadFeatureExtractor('random', { inputSize: 32 })
    const x = images(2, 1, 48)
    const out = ext.extract(x)
    expect(out.map((t) => t.shape)).toEqual([
      [1, 16, 16, 16],
      [1, 8, 8, 32],
      [1, 4, 4, 64],
    ])
    tf.dispose([x, ...out])
    ext.dispose()
  })

  it('is deterministic per seed and differs between seeds', async () => {
    const a = await loadFeatureExtractor('random', { seed: 7 })
    const b = await loadFeatureExtractor('random', { seed: 7 })
    const c = await loadFeatureExtractor('random', { seed: 8 })
    const x = images(5)
    const [fa, fb, fc] = await Promise.all([a, b, c].map((e) => values(e.extract(x))))
    expect(fa?.[2]).toEqual(fb?.[2])
    const la = Array.from(fa?.[2] ?? [])
    const lc = Array.from(fc?.[2] ?? [])
    const diff = la.reduce((s, v, i) => s + Math.abs(v - (lc[i] ?? 0)), 0) / la.length
    expect(diff).toBeGreaterThan(0.01)
    expect(a.fingerprint).toBe(b.fingerprint)
    expect(a.fingerprint).not.toBe(c.fingerprint)
    expect(a.fingerprint).toMatch(/^random-[0-9a-f]{16}$/)
    for (const e of [a, b, c]) e.dispose()
    x.dispose()
  })

  it('is differentiable with respect to the images', async () => {
    const ext = await loadFeatureExtractor('random', { seed: 1 })
    const x = images(9, 1)
    const g = tf.grad((img: tf.Tensor) => tf.sum(ext.extract(img as tf.Tensor4D)[2] as tf.Tensor))(
      x,
    )
    const gv = Array.from(await g.data())
    expect(gv.every((v) => Number.isFinite(v))).toBe(true)
    expect(gv.reduce((s, v) => s + Math.abs(v), 0)).toBeGreaterThan(0)
    tf.dispose([x, g])
    ext.dispose()
  })

  it('leaks no tensors: extract returns exactly one tensor per tap', async () => {
    const ext = await loadFeatureExtractor('random')
    const x = images(4)
    const before = tf.memory().numTensors
    tf.tidy(() => {
      ext.extract(x)
    })
    expect(tf.memory().numTensors).toBe(before)
    const out = ext.extract(x)
    expect(tf.memory().numTensors).toBe(before + 3)
    tf.dispose([x, ...out])
    ext.dispose()
  })

  it('rejects unknown specs and bad inputs with clear messages', async () => {
    await expect(loadFeatureExtractor('vgg19')).rejects.toThrow(
      "unknown feature extractor 'vgg19'; valid forms: resnet50, vgg16:<path-or-url>, random",
    )
    await expect(loadFeatureExtractor('random', { inputSize: 7.5 })).rejects.toThrow(
      'random: inputSize must be an integer in [8, 1024], got 7.5',
    )
    const ext = await loadFeatureExtractor('random')
    const bad = tf.zeros<tf.Rank.R4>([1, 8, 8, 1])
    expect(() => ext.extract(bad)).toThrow(
      'random.extract: expected images [B, H, W, 3] in [-1, 1], got shape [1, 8, 8, 1]',
    )
    bad.dispose()
    ext.dispose()
  })
})
