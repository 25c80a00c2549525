import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { PAPER, SMALL } from './configs.js'
import { deadParameters } from './grad-check.js'
import { createMapper } from './mapper.js'

beforeAll(async () => {
  tf.enableProdMode()
  await tf.setBackend('cpu')
})

describe('mapper M', () => {
  it('maps noise [B, 8] to codes [B, 8], deterministically per seed', async () => {
    const a = createMapper(PAPER.mapper, 5)
    const b = createMapper(PAPER.mapper, 5)
    const c = createMapper(PAPER.mapper, 6)
    const e = tf.randomNormal<tf.Rank.R2>([16, 8], 0, 1, 'float32', 1)
    const za = a.apply(e)
    expect(za.shape).toEqual([16, 8])
    expect(Array.from(await b.apply(e).data())).toEqual(Array.from(await za.data()))
    const diffT = tf.tidy(() => tf.max(tf.abs(tf.sub(c.apply(e), za))))
    const diff = (await diffT.data())[0] ?? 0
    diffT.dispose()
    expect(diff).toBeGreaterThan(0.05)
    // a non-degenerate map: the 16 outputs are spread out (std of the codes well above 0)
    const stdT = tf.tidy(() => tf.sqrt(tf.moments(za, 0).variance).mean())
    const std = (await stdT.data())[0] ?? 0
    stdT.dispose()
    expect(std).toBeGreaterThan(0.1)
    expect(() => a.apply(tf.zeros([2, 4]))).toThrow(
      'mapper input: expected codes [B, 8], got [2, 4]',
    )
    for (const m of [a, b, c]) m.dispose()
    tf.dispose([e, za])
  })

  it('passes a finite, non-zero gradient to every parameter', async () => {
    const m = createMapper(SMALL.mapper, 2)
    const e = tf.randomNormal<tf.Rank.R2>([8, 8], 0, 1, 'float32', 3)
    const target = tf.randomNormal<tf.Rank.R2>([8, 8], 0, 1, 'float32', 4)
    const loss = (): tf.Scalar => tf.mean(tf.square(tf.sub(m.apply(e), target)))
    expect(await deadParameters(m.params, loss)).toEqual([])
    m.dispose()
    tf.dispose([e, target])
  })

  it('leaks no tensors and has 35.2 k (PAPER) / 9.4 k (SMALL) parameters', () => {
    const m = createMapper(PAPER.mapper, 2)
    const e = tf.ones<tf.Rank.R2>([4, 8])
    const before = tf.memory().numTensors
    tf.tidy(() => {
      m.apply(e)
    })
    m.apply(e).dispose()
    expect(tf.memory().numTensors).toBe(before)
    expect(m.params.count()).toBe(35_208) // 8*128 + 2*128*128 + 128*8 + biases
    const small = createMapper(SMALL.mapper, 2)
    expect(small.params.count()).toBe(9_416)
    m.dispose()
    small.dispose()
    e.dispose()
  })
})
