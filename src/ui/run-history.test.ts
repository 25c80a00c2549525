import { describe, expect, it } from 'vitest'
import { RunHistory, runSummary } from './run-history.js'

const run = (status: string, images: string[] = [], ms = 1200) => ({
  started: Date.UTC(2026, 11, 2, 16, 31, 2),
  ms,
  status,
  images: images.map((image) => ({ node: 'Preview', image })),
})

describe('RunHistory', () => {
  it('keeps the newest runs first, numbered in order, and drops the oldest past its limit', () => {
    const h = new RunHistory<string>(3)
    for (const s of ['a', 'b', 'c', 'd']) h.add(run(s))
    expect(h.list().map((r) => [r.id, r.status])).toEqual([
      [4, 'd'],
      [3, 'c'],
      [2, 'b'],
    ])
    expect(h.get(1)).toBeUndefined()
    expect(h.get(3)?.status).toBe('c')
  })

  it('counts on after clear, so an id never names two runs', () => {
    const h = new RunHistory<string>()
    h.add(run('done'))
    h.clear()
    expect(h.size).toBe(0)
    expect(h.add(run('done')).id).toBe(2)
  })

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new RunHistory(0)).toThrow(/limit must be an integer >= 1, got 0/)
  })
})

describe('runSummary', () => {
  it('says when, how it ended, how long and how many images', () => {
    const s = runSummary({ id: 1, ...run('done', ['x', 'y']) })
    expect(s).toMatch(/^\d\d:\d\d:\d\d · done · 1\.2 s · 2 images$/)
    expect(runSummary({ id: 2, ...run('failed: no model', ['x'], 180_000) })).toMatch(
      / · failed: no model · 3 min · 1 image$/,
    )
  })
})
