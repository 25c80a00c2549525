import * as tf from '@tensorflow/tfjs'
import { meanAbsDiff } from '../../test/fixtures/tensors.js'
import { beforeAll, describe, expect, it } from 'vitest'
import { PAPER, SMALL, type GeneratorConfig } from './configs.js'
import { generatorMacs } from './flops.js'
import { createGenerator } from './generator.js'
import { deadParameters } from './grad-check.js'
import { preparedCount } from './prepared.js'

const TINY: GeneratorConfig = { zDim: 8, width: 4, encoderResBlocks: 1, decoderResBlocks: 1 }

beforeAll(async () => {
  tf.enableProdMode()
  await tf.setBackend('cpu')
})

/** A deterministic batch in [-1, 1]. */
function wave(shape: number[], phase = 0): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1)
  return tf.tensor(
    Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.173 + phase)),
    shape,
  )
}

describe('generator G', () => {
  it('maps content [B, H, W, 3] and z [B, 8] to an image [B, H, W, 3] in (-1, 1)', async () => {
    const g = createGenerator(SMALL.generator, 1)
    tf.engine().startScope()
    try {
      const y = g.apply(wave([2, 32, 24, 3]) as tf.Tensor4D, wave([2, 8], 2) as tf.Tensor2D)
      expect(y.shape).toEqual([2, 32, 24, 3])
      const maxAbs = (await tf.max(tf.abs(y)).data())[0] ?? NaN
      expect(maxAbs).toBeLessThan(1)
      expect(maxAbs).toBeGreaterThan(0.05)
    } finally {
      tf.engine().endScope()
    }
    g.dispose()
  })

  it('uses z (and the content): changing either changes the output', async () => {
    const g = createGenerator(TINY, 2)
    tf.engine().startScope()
    try {
      const a = wave([2, 16, 16, 3]) as tf.Tensor4D
      const z1 = tf.randomNormal<tf.Rank.R2>([2, 8], 0, 1, 'float32', 1)
      const z2 = tf.randomNormal<tf.Rank.R2>([2, 8], 0, 1, 'float32', 2)
      const y1 = g.apply(a, z1)
      expect(await meanAbsDiff(g.apply(a, z1), y1)).toBe(0) // deterministic
      const byZ = await meanAbsDiff(g.apply(a, z2), y1)
      const byContent = await meanAbsDiff(g.apply(wave([2, 16, 16, 3], 1) as tf.Tensor4D, z1), y1)
      expect(byZ).toBeGreaterThan(0.1)
      expect(byContent).toBeGreaterThan(0.1)
    } finally {
      tf.engine().endScope()
    }
    g.dispose()
  })

  it('decode(encodeContent(A), z) equals apply(A, z): content encoded once serves many z', async () => {
    const g = createGenerator(TINY, 3)
    const before = tf.memory().numTensors
    tf.engine().startScope()
    try {
      const a = wave([2, 16, 16, 3]) as tf.Tensor4D
      const features = g.encodeContent(a)
      expect(features.bottleneck.shape).toEqual([2, 2, 2, 32])
      expect(features.skips.map((s) => s.shape[3])).toEqual([4, 8, 16, 32])
      for (const seed of [1, 2]) {
        const z = tf.randomNormal<tf.Rank.R2>([2, 8], 0, 1, 'float32', seed)
        expect(await meanAbsDiff(g.decode(features, z), g.apply(a, z))).toBe(0)
      }
      expect(() => g.decode(features, tf.zeros([3, 8]))).toThrow(/batch/)
      features.dispose()
    } finally {
      tf.engine().endScope()
    }
    expect(tf.memory().numTensors).toBe(before + preparedCount(g.params.list()))
    g.dispose()
  })

  it('rejects H, W not divisible by 8 and mismatched z, naming the shapes', () => {
    const g = createGenerator(TINY, 2)
    const z = tf.zeros<tf.Rank.R2>([1, 8])
    expect(() => g.apply(tf.zeros<tf.Rank.R4>([1, 20, 16, 3]), z)).toThrow(RangeError)
    expect(() => g.apply(tf.zeros<tf.Rank.R4>([1, 20, 16, 3]), z)).toThrow(
      'generator content [1, 20, 16, 3]: H and W must be positive multiples of 8',
    )
    expect(() => g.apply(tf.zeros<tf.Rank.R4>([1, 16, 16, 3]), tf.zeros([1, 4]))).toThrow(
      'generator z: expected codes [B, 8], got [1, 4]',
    )
    expect(() => g.apply(tf.zeros<tf.Rank.R4>([2, 16, 16, 3]), z)).toThrow(/batch sizes/)
    g.dispose()
  })

  it('passes a finite, non-zero gradient to every parameter and to z', async () => {
    const g = createGenerator(TINY, 3)
    const a = wave([2, 16, 16, 3]) as tf.Tensor4D
    const target = wave([2, 16, 16, 3], 0.5)
    const z = tf.variable(tf.randomNormal<tf.Rank.R2>([2, 8], 0, 1, 'float32', 4))
    const loss = (): tf.Scalar => tf.mean(tf.square(tf.sub(g.apply(a, z), target)))
    expect(await deadParameters(g.params, loss, { z })).toEqual([])
    g.dispose()
    tf.dispose([a, target, z])
  })

  it('leaks no tensors from apply, inside or outside tf.tidy', () => {
    const a = wave([1, 16, 16, 3]) as tf.Tensor4D
    const z = wave([1, 8]) as tf.Tensor2D
    const before = tf.memory().numTensors
    const g = createGenerator(TINY, 3)
    const vars = g.params.list()
    tf.tidy(() => {
      g.apply(a, z)
    })
    g.apply(a, z).dispose()
    // held: the variables and their prepared inference weights (prepared.ts), nothing else
    expect(preparedCount(vars)).toBeGreaterThan(0)
    expect(tf.memory().numTensors).toBe(before + vars.length + preparedCount(vars))
    g.dispose()
    expect(tf.memory().numTensors).toBe(before)
    tf.dispose([a, z])
  })

  it('has 10.9 M parameters with PAPER and 394 k with SMALL; MACs match its layers', () => {
    const paper = createGenerator(PAPER.generator, 0)
    expect(paper.params.count()).toBe(10_889_211)
    // MACs per image = sum over conv kernels of kernel size x output pixels at the layer's level
    const level = (name: string): number => {
      const m = /^gen\/(stem|out|down(\d)|encres|decres|up(\d))/.exec(name)
      if (!m) throw new Error(`unexpected parameter ${name}`)
      if (m[2]) return Number(m[2])
      if (m[3]) return 3 - Number(m[3])
      return m[1] === 'encres' || m[1] === 'decres' ? 3 : 0
    }
    let macs = 0
    for (const [name, v] of paper.params.entries()) {
      if (name.endsWith('/w')) macs += v.size * (256 / 2 ** level(name)) ** 2
    }
    expect(generatorMacs(PAPER.generator, 256, 256)).toBe(macs)
    expect(macs / 1e9).toBeCloseTo(20.29, 2)
    paper.dispose()
    const small = createGenerator(SMALL.generator, 0)
    expect(small.params.count()).toBe(394_451)
    small.dispose()
  })
})
