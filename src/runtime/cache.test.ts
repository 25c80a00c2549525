import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { OutputCache } from './cache.js'

function releasable(log: string[], name: string) {
  return { dispose: () => log.push(name) }
}

describe('OutputCache', () => {
  it('evicts least recently used entries past the bound, skipping pinned ones, and releases them', () => {
    const log: string[] = []
    const c = new OutputCache(250)
    c.put('a', {}, [releasable(log, 'a')], 100)
    c.put('b', {}, [releasable(log, 'b')], 100)
    c.put('c', {}, [releasable(log, 'c')], 100)
    c.get('a') // a is now the most recently used
    c.trim(new Set(['b']))
    expect(log).toEqual(['c'])
    expect(c.has('a') && c.has('b')).toBe(true)
    expect(c.bytes()).toBe(200)
  })

  it('releases a value shared by two entries only when both are gone', () => {
    const log: string[] = []
    const c = new OutputCache(1e9)
    const shared = releasable(log, 'shared')
    c.put('x', {}, [shared], 10)
    c.put('y', {}, [shared], 10)
    c.retainOnly(new Set(['y']))
    expect(log).toEqual([])
    c.clear()
    expect(log).toEqual(['shared'])
    expect(c.size).toBe(0)
  })

  it('replacing an entry under the same key keeps values the new entry still holds', () => {
    const log: string[] = []
    const c = new OutputCache(1e9)
    const kept = releasable(log, 'kept')
    c.put('k', {}, [kept, releasable(log, 'old')], 10)
    c.put('k', {}, [kept], 10)
    expect(log).toEqual(['old'])
  })

  it('relocate keeps the entries whose tensors move and releases the others, even if release throws', async () => {
    const log: string[] = []
    const c = new OutputCache(1e9)
    const movable = [tf.scalar(1)]
    const stuck = [tf.scalar(2)]
    c.put('moves', {}, [releasable(log, 'moves')], 4, movable)
    c.put('stuck', {}, [{ dispose: () => (log.push('stuck'), undefined) }], 4, stuck)
    c.put(
      'broken',
      {},
      [
        {
          dispose: () => {
            throw new Error('device lost')
          },
        },
      ],
      4,
      stuck,
    )
    const offered: number[] = []
    const r = await c.relocate((tensors) => {
      offered.push(tensors.length)
      return Promise.resolve(tensors !== stuck)
    })
    expect(r).toEqual({ kept: 1, dropped: 2 })
    expect(offered).toEqual([1, 1, 1])
    expect(log).toEqual(['stuck'])
    expect([c.has('moves'), c.has('stuck'), c.has('broken')]).toEqual([true, false, false])
    tf.dispose([...movable, ...stuck])
  })

  it('relocate counts only entries that held tensors as kept; dropAll reads nothing', async () => {
    const log: string[] = []
    const c = new OutputCache(1e9)
    const t = [tf.scalar(1)]
    c.put('tensors', {}, [releasable(log, 'tensors')], 4, t)
    c.put('metrics', {}, [releasable(log, 'metrics')], 4, [])
    const offered: number[] = []
    const r = await c.relocate((tensors) => (offered.push(tensors.length), Promise.resolve(true)))
    expect(r).toEqual({ kept: 1, dropped: 0 })
    expect(offered).toEqual([1])
    expect(c.has('metrics')).toBe(true)
    c.put(
      'broken',
      {},
      [
        {
          dispose: () => {
            throw new Error('context lost')
          },
        },
      ],
      4,
      t,
    )
    expect(c.dropAll()).toBe(3)
    expect(c.size).toBe(0)
    expect(log).toEqual(['tensors', 'metrics'])
    tf.dispose(t)
  })
})
