import { describe, expect, it } from 'vitest'
import { StepError } from '../../core/errors.js'
import { planRestyle, planSynthDataset, sampleName } from './plan.js'

describe('planSynthDataset', () => {
  it('names samples 00000.png, 00001.png, ...', () => {
    expect(sampleName(0)).toBe('00000.png')
    expect(sampleName(12345)).toBe('12345.png')
    const plan = planSynthDataset(3, 1)
    expect(plan.map((s) => s.name)).toEqual(['00000.png', '00001.png', '00002.png'])
    expect(plan.map((s) => s.index)).toEqual([0, 1, 2])
  })

  it('makes a smaller dataset a prefix of a larger one with the same seed', () => {
    const small = planSynthDataset(64, 7)
    const large = planSynthDataset(128, 7)
    expect(large.slice(0, 64)).toEqual(small)
    expect(new Set(large.map((s) => s.sceneSeed)).size).toBe(128)
  })

  it('depends on the seed', () => {
    const a = planSynthDataset(8, 1)
    const b = planSynthDataset(8, 2)
    a.forEach((s, i) => {
      expect(s.sceneSeed).not.toBe(b[i]?.sceneSeed)
      expect(s.style.hue).not.toBe(b[i]?.style.hue)
    })
  })

  it('rejects bad counts and seeds, naming the argument and value', () => {
    expect(() => planSynthDataset(-1, 1)).toThrow(StepError)
    expect(() => planSynthDataset(1.5, 1)).toThrow(/count.*1\.5/)
    expect(() => planSynthDataset(2, -3)).toThrow(/seed.*-3/)
    expect(planSynthDataset(0, 1)).toEqual([])
  })
})

describe('planRestyle', () => {
  const source = planSynthDataset(10, 3)

  it('pairs the scene of source i with the style of source j != i', () => {
    const plan = planRestyle(source, 200, 9)
    expect(plan).toHaveLength(200)
    for (const p of plan) {
      expect(p.content).not.toBe(p.style)
      expect(p.sceneSeed).toBe(source[p.content]?.sceneSeed)
      expect(p.styleParams).toEqual(source[p.style]?.style)
      expect(p.name).toBe(sampleName(p.index))
    }
    expect(new Set(plan.map((p) => p.content)).size).toBe(10)
    expect(new Set(plan.map((p) => p.style)).size).toBe(10)
  })

  it('is deterministic, prefix-stable and seed-dependent', () => {
    expect(planRestyle(source, 50, 9)).toEqual(planRestyle(source, 50, 9))
    expect(planRestyle(source, 100, 9).slice(0, 50)).toEqual(planRestyle(source, 50, 9))
    const a = planRestyle(source, 50, 9).map((p) => [p.content, p.style])
    const b = planRestyle(source, 50, 10).map((p) => [p.content, p.style])
    expect(a).not.toEqual(b)
  })

  it('needs at least two source samples', () => {
    expect(() => planRestyle(source.slice(0, 1), 5, 1)).toThrow(/source\.length.*1/)
    expect(planRestyle(source.slice(0, 2), 4, 1).every((p) => p.content + p.style === 1)).toBe(true)
  })
})
