import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { Params } from '../../models/params.js'
import { Ema, emaDecayAt } from './ema.js'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

function net(seed: number): Params {
  const p = new Params(seed, 'net')
  p.normal('w', [3])
  p.constant('b', [1])
  return p
}

async function values(p: Params, name: string): Promise<number[]> {
  return Array.from(await p.get(name).data())
}

describe('Ema', () => {
  it('averages shadow <- d shadow + (1 - d) live (hand-computed)', async () => {
    const live = net(1)
    const shadow = net(2)
    const ema = new Ema(live, shadow, 0.9)
    ema.reset()
    expect(await values(shadow, 'net/w')).toEqual(await values(live, 'net/w'))
    const before = tf.memory().numTensors
    tf.tidy(() => {
      live.get('net/w').assign(tf.tensor1d([1, 2, 3]))
      shadow.get('net/w').assign(tf.zeros([3]))
    })
    ema.update(1000) // past the warm-up: 0.1 * [1, 2, 3]
    tf.tidy(() => live.get('net/w').assign(tf.fill([3], 2)))
    ema.update(1001) // 0.9 * [0.1, 0.2, 0.3] + 0.1 * 2
    const w = await values(shadow, 'net/w')
    ;[0.29, 0.38, 0.47].forEach((v, i) => expect(w[i]).toBeCloseTo(v, 6))
    expect(await values(live, 'net/w')).toEqual([2, 2, 2]) // the live weights are untouched
    expect(tf.memory().numTensors).toBe(before)
    expect(ema.source).toBe(live)
    tf.dispose([live, shadow].flatMap((p) => p.list()))
  })

  it('round-trips through state() / load() under the live names', async () => {
    const live = net(3)
    const a = net(4)
    const b = net(5)
    const ema = new Ema(live, a)
    expect(ema.decay).toBe(0.999)
    ema.update(1)
    const state = ema.state()
    expect(state.map((s) => s.name)).toEqual(['net/w', 'net/b'])
    new Ema(live, b).load(state)
    expect(await values(b, 'net/w')).toEqual(await values(a, 'net/w'))
    for (const p of [live, a, b]) p.dispose()
  })

  it('warms up: decay min(d, (1 + step) / (10 + step)), so early averages follow the live weights', async () => {
    expect(emaDecayAt(0.999, 1)).toBeCloseTo(2 / 11, 12)
    expect(emaDecayAt(0.999, 100)).toBeCloseTo(101 / 110, 12)
    expect(emaDecayAt(0.999, 9000)).toBe(0.999)
    expect(emaDecayAt(0.5, 30)).toBe(0.5)
    expect(emaDecayAt(0.5, 3)).toBeCloseTo(4 / 13, 12)
    const live = net(6)
    const shadow = net(7)
    const ema = new Ema(live, shadow)
    tf.tidy(() => {
      live.get('net/w').assign(tf.fill([3], 11))
      shadow.get('net/w').assign(tf.zeros([3]))
    })
    ema.update(1) // 2/11 * 0 + 9/11 * 11 = 9
    for (const v of await values(shadow, 'net/w')) expect(v).toBeCloseTo(9, 5)
    for (const p of [live, shadow]) p.dispose()
  })

  it('rejects mismatched networks and bad decays', () => {
    const live = net(1)
    const other = new Params(2, 'other')
    other.normal('w', [3])
    expect(() => new Ema(live, other)).toThrow('different parameters')
    expect(() => new Ema(live, live, 1.5)).toThrow(
      'EMA decay: expected a number in [0, 1], got 1.5',
    )
    live.dispose()
    other.dispose()
  })
})
