import { describe, expect, it } from 'vitest'
import { etaSeconds, formatDuration, trainingLine } from './training-panel.js'
import { trackRate } from './train-rate.js'

describe('training panel', () => {
  it('formats durations', () => {
    expect(formatDuration(8.4)).toBe('8 s')
    expect(formatDuration(200)).toBe('3 min 20 s')
    expect(formatDuration(3900)).toBe('1 h 05 min')
  })

  it('shows step, loss, throughput and time left from the progress events', () => {
    let rate = null
    for (let step = 1; step <= 5; step++)
      rate = trackRate(rate, 'step/train-encoder', { batch: 4 }, { value: step }, step * 500)
    // 2 steps/s, 12 images a step; 95 steps left at 2 steps/s
    const s = {
      progress: { value: 5, max: 100 },
      losses: [
        [4, 0.9],
        [5, 0.52314],
      ] as const,
      rate,
    }
    expect(etaSeconds(s)).toBeCloseTo(47.5)
    expect(trainingLine(s)).toBe('step 5/100 · loss 0.5231 · 24.0 images/s · 48 s left')
    expect(trainingLine({ progress: null, losses: [], rate: null })).toBe('starting…')
    expect(etaSeconds({ ...s, progress: { value: 100, max: 100 } })).toBeNull()
  })
})
