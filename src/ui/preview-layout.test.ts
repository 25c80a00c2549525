import { describe, expect, it } from 'vitest'
import {
  layoutPreviews,
  MAX_PREVIEW_NODE_WIDTH,
  previewColumns,
  previewIndexAt,
  wantedPreviewWidth,
} from './preview-layout.js'

const sq = (n: number, side = 64) =>
  Array.from({ length: n }, () => ({ width: side, height: side }))

describe('preview layout', () => {
  it('grids batches and sizes the node to show them 1:1 within a cap', () => {
    expect([1, 2, 4, 5, 9, 10].map(previewColumns)).toEqual([1, 2, 2, 3, 3, 4])
    // a 7-column sheet of 64 px samples (gap 2): 460 px wide, shown at 1:1
    expect(wantedPreviewWidth([{ width: 460, height: 64 }])).toBe(470)
    expect(wantedPreviewWidth([{ width: 2000, height: 300 }])).toBe(MAX_PREVIEW_NODE_WIDTH)
    expect(wantedPreviewWidth(sq(6))).toBe(3 * 64 + 2 * 4 + 10)
    expect(wantedPreviewWidth([])).toBe(0)
  })

  it('places every image inside the node, rows stacked, and finds them by point', () => {
    const layout = layoutPreviews(sq(6), 220)
    expect(layout.rects).toHaveLength(6)
    for (const [x, , w] of layout.rects) {
      expect(x).toBeGreaterThanOrEqual(5)
      expect(x + w).toBeLessThanOrEqual(215 + 1e-9)
    }
    const [a, , , d] = layout.rects
    expect(a?.[2]).toBeCloseTo((220 - 10 - 8) / 3)
    expect(d?.[1]).toBeGreaterThan((a?.[1] ?? 0) + (a?.[3] ?? 0))
    expect(layout.height).toBeCloseTo(4 + 2 * ((220 - 10 - 8) / 3 + 4))
    expect(previewIndexAt(layout, (d?.[0] ?? 0) + 1, (d?.[1] ?? 0) + 1)).toBe(3)
    expect(previewIndexAt(layout, 1, 1)).toBe(-1)
  })

  it('enlarges a tiny image at most 4x', () => {
    const [r] = layoutPreviews([{ width: 8, height: 8 }], 300).rects
    expect(r?.[2]).toBe(32)
  })
})
