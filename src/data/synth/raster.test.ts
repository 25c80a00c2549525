import { describe, expect, it } from 'vitest'
import {
  MAX_LABEL,
  createLabelMap,
  downsample,
  fillEllipse,
  fillPolygon,
  traceBoundaries,
  type LabelMap,
} from './raster.js'

function countLabel(map: LabelMap, label: number): number {
  return map.labels.reduce((n, l) => n + (l === label ? 1 : 0), 0)
}

describe('fillPolygon', () => {
  it('fills exactly the pixels whose centres are inside an axis-aligned square', () => {
    const map = createLabelMap(20, 20)
    fillPolygon(map, [2, 3, 12, 3, 12, 9, 2, 9], 7)
    expect(countLabel(map, 7)).toBe(10 * 6)
    expect(map.labels[3 * 20 + 2]).toBe(7)
    expect(map.labels[3 * 20 + 12]).toBe(0)
    expect(map.labels[2 * 20 + 2]).toBe(0)
  })

  it('covers a triangle with its area, and clips shapes reaching past the border', () => {
    const map = createLabelMap(100, 100)
    fillPolygon(map, [10, 10, 90, 10, 10, 90], 1)
    expect(Math.abs(countLabel(map, 1) - 3200)).toBeLessThan(100)
    const clipped = createLabelMap(10, 10)
    fillPolygon(clipped, [-50, -50, 60, -50, 60, 60, -50, 60], 3)
    expect(countLabel(clipped, 3)).toBe(100)
  })

  it('uses the even-odd rule and paints over earlier labels (painter order)', () => {
    const map = createLabelMap(10, 10)
    fillPolygon(map, [0, 0, 10, 0, 10, 10, 0, 10], 1)
    // A square with a square hole, as one polygon walking the outer then the inner ring.
    fillPolygon(map, [2, 2, 8, 2, 8, 8, 2, 8, 2, 2, 4, 4, 4, 6, 6, 6, 6, 4, 4, 4], 2)
    expect(countLabel(map, 2)).toBe(36 - 4)
    expect(map.labels[5 * 10 + 5]).toBe(1)
    expect(() => fillPolygon(map, [0, 0, 1, 0, 1, 1], MAX_LABEL + 1)).toThrow(/label/)
  })
})

describe('fillEllipse', () => {
  it('covers pi * rx * ry pixels', () => {
    const map = createLabelMap(200, 200)
    fillEllipse(map, 100, 100, 60, 30, 4)
    const area = Math.PI * 60 * 30
    expect(Math.abs(countLabel(map, 4) - area) / area).toBeLessThan(0.01)
    expect(map.labels[100 * 200 + 100]).toBe(4)
    expect(map.labels[100 * 200 + 165]).toBe(0)
  })
})

describe('traceBoundaries', () => {
  it('puts a line of the requested width centred on a label boundary and nowhere else', () => {
    const map = createLabelMap(20, 10)
    fillPolygon(map, [10, -1, 21, -1, 21, 11, 10, 11], 1)
    const ink = traceBoundaries(map, 4)
    const row = Array.from(ink.subarray(5 * 20, 6 * 20))
    // Boundary at x = 10: pixel centres 8.5, 9.5 | 10.5, 11.5 are within 2 px.
    expect(row.slice(8, 12)).toEqual([1, 1, 1, 1])
    expect(row[7]).toBeLessThan(0.6)
    expect(row[12]).toBeLessThan(0.6)
    expect(row[7]).toBeCloseTo(row[12] ?? -1, 6)
    expect(row.slice(0, 6).every((v) => v === 0)).toBe(true)
    expect(row.slice(14).every((v) => v === 0)).toBe(true)
    // The border of the map is never a boundary.
    const blank = traceBoundaries(createLabelMap(8, 8), 3)
    expect(blank.every((v) => v === 0)).toBe(true)
  })
})

describe('downsample', () => {
  it('box-averages factor x factor blocks per channel', () => {
    const src = new Float32Array(4 * 2 * 3)
    for (let i = 0; i < 8; i++) src.set([i, 10 * i, 1], i * 3)
    const out = downsample(src, 4, 2, 3, 2)
    // Block 0 holds pixels 0, 1, 4, 5; block 1 holds 2, 3, 6, 7.
    expect(Array.from(out)).toEqual([2.5, 25, 1, 4.5, 45, 1])
  })
})
