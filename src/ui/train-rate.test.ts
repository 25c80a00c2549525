import { describe, expect, it } from 'vitest'
import { threadsSetting } from './editor-backend.js'
import { lossFigure } from './loss-plot.js'
import { RateMeter, rateStatus, rateUnit, trackRate } from './train-rate.js'

describe('training throughput', () => {
  it('counts images per step as src/train does (stage 1: 3 x batch; stages 2, 3: batch)', () => {
    expect(rateUnit('step/train-encoder', { batch: 4 })).toEqual({ perStep: 12, unit: 'images' })
    expect(rateUnit('step/train-generator', { batch: 4 })).toEqual({ perStep: 4, unit: 'images' })
    expect(rateUnit('step/fine-tune', { batch: 2 })).toEqual({ perStep: 2, unit: 'images' })
    expect(rateUnit('step/train-mapper', { batch: 64 })).toEqual({ perStep: 1, unit: 'epochs' })
    expect(rateUnit('step/generate', { batch: 4 })).toBeNull()
  })

  it('measures over a sliding window, ignores setup (0) and restarts when the count drops', () => {
    const m = new RateMeter()
    m.add(0, 0) // mining
    m.add(1, 5_000)
    expect(m.perSecond()).toBeNull()
    m.add(2, 5_500)
    m.add(3, 6_000)
    expect(m.perSecond()).toBeCloseTo(2)
    for (let i = 4; i <= 40; i++) m.add(i, 6_000 + (i - 3) * 1000) // slower: 1 step/s
    expect(m.perSecond()).toBeCloseTo(1)
    m.add(1, 50_000)
    expect(m.perSecond()).toBeNull()
  })

  it('turns progress events into images/s and a status line', () => {
    let r = trackRate(null, 'step/train-encoder', { batch: 4 }, { value: 1 }, 1000)
    r = trackRate(r, 'step/train-encoder', { batch: 4 }, { value: 3 }, 2000)
    expect(r?.perSecond).toBeCloseTo(24) // 2 steps x 12 images in 1 s
    expect(r && rateStatus('Train Encoder', 3, 400, r)).toBe(
      'Train Encoder: step 3/400, 24.0 images/s',
    )
    const reported = trackRate(
      null,
      'step/fine-tune',
      { batch: 2 },
      {
        value: 1,
        figures: { g: 1, imagesPerSecond: 7.5 },
      },
      0,
    )
    expect(reported?.perSecond).toBe(7.5)
    expect(trackRate(null, 'step/load-image', {}, { value: 1 }, 0)).toBeNull()
  })

  it('plots the loss figure of each training node', () => {
    expect(lossFigure({ loss: 0.5 })).toBe(0.5)
    expect(lossFigure({ g: 2 })).toBe(2)
    expect(lossFigure({ imagesPerSecond: 3, d: 1 })).toBe(1)
    expect(lossFigure(undefined)).toBeNull()
  })
})

describe('the threads setting', () => {
  it('takes a positive integer, defaults to every core, and says what it rejects', () => {
    expect(threadsSetting(undefined)).toEqual({})
    expect(threadsSetting('2')).toEqual({ threads: 2 })
    expect(threadsSetting(3)).toEqual({ threads: 3 })
    expect(threadsSetting('0').problem).toBe(
      'threads: expected an integer >= 1 (got "0"); using every core',
    )
    expect(threadsSetting('many').threads).toBeUndefined()
  })
})
