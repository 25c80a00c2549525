import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { PAPER, SMALL, type DiscriminatorConfig } from './configs.js'
import { createDiscriminator, MBSTD_EPSILON, minibatchStddev } from './discriminator.js'
import { deadParameters } from './grad-check.js'
import { preparedCount } from './prepared.js'

const TINY: DiscriminatorConfig = { width: 4, scales: 3, mbstdGroup: 4, slope: 0.2 }

beforeAll(async () => {
  tf.enableProdMode()
  await tf.setBackend('cpu')
})

/** A deterministic batch in [-1, 1]. */
function wave(shape: number[], phase = 0): tf.Tensor4D {
  const n = shape.reduce((a, b) => a * b, 1)
  return tf.tensor4d(
    Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.173 + phase)),
    shape as [number, number, number, number],
  )
}

describe('minibatch stddev', () => {
  it('is ~0 for identical samples and finite (sqrt(eps)) for batch 1', async () => {
    tf.engine().startScope()
    try {
      const one = wave([1, 4, 4, 5])
      const same = tf.concat([one, one, one, one], 0)
      const y = minibatchStddev(same, 4)
      expect(y.shape).toEqual([4, 4, 4, 6])
      const extra = await tf.slice(y, [0, 0, 0, 5], [4, 4, 4, 1]).data()
      for (const v of extra) expect(v).toBeCloseTo(Math.sqrt(MBSTD_EPSILON), 6)
      const single = await minibatchStddev(one, 4).data()
      for (const v of single) expect(Number.isFinite(v)).toBe(true)
      // the original features pass through unchanged
      expect(Array.from(await tf.slice(y, [0, 0, 0, 0], [1, 4, 4, 5]).data())).toEqual(
        Array.from(await one.data()),
      )
    } finally {
      tf.engine().endScope()
    }
  })

  it('averages the per-feature stddev of each group into one scalar per sample', async () => {
    tf.engine().startScope()
    try {
      // batch 4, groups of 2: samples {0, 2} and {1, 3}. Features of 0 and 2 differ by +-a
      const a = tf.fill<tf.Rank.R4>([1, 2, 2, 3], 0.5)
      const b = tf.fill<tf.Rank.R4>([1, 2, 2, 3], 0.1)
      const x = tf.concat([a, b, tf.neg(a), b], 0)
      const s = await tf.slice(minibatchStddev(x, 2), [0, 0, 0, 3], [4, 2, 2, 1]).data()
      const at = (i: number): number => s[i * 4] ?? NaN
      expect(at(0)).toBeCloseTo(0.5, 5) // std of {0.5, -0.5}
      expect(at(2)).toBeCloseTo(0.5, 5)
      expect(at(1)).toBeCloseTo(Math.sqrt(MBSTD_EPSILON), 5) // {0.1, 0.1}
      // a batch that no group size divides except 1 (B = 3, group 2) falls back to groups of 1
      expect(minibatchStddev(tf.slice(x, 0, 3), 2).shape).toEqual([3, 2, 2, 4])
    } finally {
      tf.engine().endScope()
    }
  })
})

describe('discriminator D', () => {
  it('returns three [B, h, w, 1] logit maps, one per scale', async () => {
    const d = createDiscriminator(TINY, 1)
    tf.engine().startScope()
    try {
      const maps = d.apply(wave([2, 64, 64, 3]), wave([2, 64, 64, 3], 1))
      expect(maps.map((m) => m.shape)).toEqual([
        [2, 8, 8, 1],
        [2, 4, 4, 1],
        [2, 2, 2, 1],
      ])
      for (const m of maps) for (const v of await m.data()) expect(Number.isFinite(v)).toBe(true)
    } finally {
      tf.engine().endScope()
    }
    const small = createDiscriminator(SMALL.discriminator, 1)
    tf.engine().startScope()
    try {
      const maps = small.apply(wave([1, 80, 96, 3]), wave([1, 80, 96, 3], 1)) // batch 1: no NaN
      expect(maps.map((m) => m.shape)).toEqual([
        [1, 10, 12, 1],
        [1, 5, 6, 1],
        [1, 3, 3, 1],
      ])
      for (const m of maps) for (const v of await m.data()) expect(Number.isFinite(v)).toBe(true)
    } finally {
      tf.engine().endScope()
    }
    const two = createDiscriminator({ ...TINY, scales: 2 }, 1)
    tf.tidy(() => {
      const maps = two.apply(wave([1, 32, 32, 3]), wave([1, 32, 32, 3]))
      expect(maps.map((m) => m.shape)).toEqual([
        [1, 4, 4, 1],
        [1, 2, 2, 1],
      ])
    })
    expect(() => d.apply(wave([1, 32, 32, 3]), wave([1, 32, 32, 3]))).toThrow(
      'discriminator input [1, 32, 32, 3]: H and W must be at least 64 for 3 scales',
    )
    d.dispose()
    small.dispose()
    two.dispose()
  })

  it('has separate weights per scale and sees both the output and the condition', async () => {
    const d = createDiscriminator(TINY, 1)
    expect(d.params.entries().filter(([n]) => n.startsWith('dis/scale3/')).length).toBe(7)
    tf.engine().startScope()
    try {
      const out = wave([2, 64, 64, 3])
      const base = d.apply(out, wave([2, 64, 64, 3], 1))
      const otherCond = d.apply(out, wave([2, 64, 64, 3], 2))
      const otherOut = d.apply(wave([2, 64, 64, 3], 3), wave([2, 64, 64, 3], 1))
      const diff = async (a: tf.Tensor[], b: tf.Tensor[]): Promise<number> =>
        (await tf.max(tf.abs(tf.sub(a[0] as tf.Tensor, b[0] as tf.Tensor))).data())[0] ?? 0
      expect(await diff(base, otherCond)).toBeGreaterThan(1e-3)
      expect(await diff(base, otherOut)).toBeGreaterThan(1e-3)
    } finally {
      tf.engine().endScope()
    }
    expect(() => d.apply(wave([1, 64, 64, 3]), wave([1, 32, 32, 3]))).toThrow(
      'discriminator: output [1, 64, 64, 3] and input [1, 32, 32, 3] differ in shape',
    )
    d.dispose()
  })

  it('passes a finite, non-zero gradient to every parameter', async () => {
    const d = createDiscriminator(TINY, 2)
    const out = wave([2, 64, 64, 3])
    const cond = wave([2, 64, 64, 3], 1)
    const loss = (): tf.Scalar =>
      tf.addN(d.apply(out, cond).map((m) => tf.mean<tf.Scalar>(tf.square(tf.sub(m, 1)))))
    expect(await deadParameters(d.params, loss)).toEqual([])
    d.dispose()
    tf.dispose([out, cond])
  })

  it('leaks no tensors from apply, inside or outside tf.tidy', () => {
    const out = wave([2, 64, 64, 3])
    const before = tf.memory().numTensors
    const d = createDiscriminator(TINY, 2)
    const vars = d.params.list()
    tf.tidy(() => {
      d.apply(out, out)
    })
    tf.dispose(d.apply(out, out))
    // held: the variables and their prepared inference weights (prepared.ts), nothing else
    expect(preparedCount(vars)).toBeGreaterThan(0)
    expect(tf.memory().numTensors).toBe(before + vars.length + preparedCount(vars))
    d.dispose()
    expect(tf.memory().numTensors).toBe(before)
    out.dispose()
  })

  it('has 2.10 M parameters with PAPER and 137 k with SMALL', () => {
    const paper = createDiscriminator(PAPER.discriminator, 0)
    const small = createDiscriminator(SMALL.discriminator, 0)
    expect(paper.params.count()).toBe(2_098_275)
    expect(small.params.count()).toBe(137_499)
    paper.dispose()
    small.dispose()
  })
})
