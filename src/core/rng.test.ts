import { describe, expect, it } from 'vitest'
import { assertSeed, createRng, deriveSeed, hashString, resolveSeed } from './rng.js'

describe('seeded rng', () => {
  it('is repeatable for a seed and differs across seeds', () => {
    const a = Array.from({ length: 5 }, createRng(42).next)
    const b = Array.from({ length: 5 }, createRng(42).next)
    const c = Array.from({ length: 5 }, createRng(43).next)
    expect(a).toEqual(b)
    expect(a).not.toEqual(c)
    for (const v of a) expect(v >= 0 && v < 1).toBe(true)
  })

  it('draws uniform integers and normals with the right statistics', () => {
    const rng = createRng(1)
    const counts = new Array<number>(4).fill(0)
    for (let i = 0; i < 40_000; i++) counts[rng.int(4)]! += 1
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400)
    const xs = Array.from({ length: 20_000 }, () => rng.normal())
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length
    expect(Math.abs(mean)).toBeLessThan(0.03)
    expect(Math.abs(variance - 1)).toBeLessThan(0.04)
  })

  it('shuffles into a permutation without touching the input', () => {
    const items = [1, 2, 3, 4, 5, 6, 7, 8]
    const s = createRng(3).shuffled(items)
    expect(items).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect([...s].sort((x, y) => x - y)).toEqual(items)
    expect(s).not.toEqual(items)
    expect(createRng(3).shuffled(items)).toEqual(s)
  })

  it('forks independent streams without advancing the parent', () => {
    const parent = createRng(9)
    const child = parent.fork('crop')
    expect(parent.next()).toBe(createRng(9).next())
    expect(child.seed).toBe(deriveSeed(9, 'crop'))
    expect(child.seed).not.toBe(parent.fork('order').seed)
    expect(deriveSeed(9, 'a', 1)).not.toBe(deriveSeed(9, 'a', 2))
  })

  it('validates seeds and records a fresh one when none is given', () => {
    expect(() => assertSeed(-1)).toThrow('seed: expected an integer in [0, 4294967295], got -1')
    expect(() => createRng(1.5)).toThrow(/got 1.5/)
    expect(resolveSeed(5)).toBe(5)
    const fresh = resolveSeed()
    expect(Number.isInteger(fresh) && fresh >= 0 && fresh <= 0xffffffff).toBe(true)
    expect(hashString('00001.png')).toBe(hashString('00001.png'))
    expect(hashString('00001.png')).not.toBe(hashString('00002.png'))
  })
})
