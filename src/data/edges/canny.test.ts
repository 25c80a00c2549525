import { describe, it, expect } from 'vitest'
import { createRng } from '../../core/rng.js'
import { createRgbImage, type RgbImage } from '../../core/image/types.js'
import { defaultEdgeOptions, detectEdges, type EdgeOptions } from './canny.js'
import { gaussianKernel } from './filters.js'

/** A size x size image of `bg` grey with a `fg` square covering [lo, hi) on both axes, plus noise. */
function square(size: number, lo: number, hi: number, bg = 0, fg = 255, noise = 0): RgbImage {
  const img = createRgbImage(size, size)
  const rng = createRng(1234)
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const base = x >= lo && x < hi && y >= lo && y < hi ? fg : bg
      const v = Math.min(255, Math.max(0, Math.round(base + noise * rng.normal())))
      img.data.fill(v, (y * size + x) * 3, (y * size + x) * 3 + 3)
    }
  }
  return img
}

/** Edge mask of a rendered line drawing, checking every pixel is pure black or pure white grey. */
function mask(edges: RgbImage): Uint8Array {
  const out = new Uint8Array(edges.width * edges.height)
  for (let i = 0; i < out.length; i++) {
    const [r, g, b] = [edges.data[i * 3], edges.data[i * 3 + 1], edges.data[i * 3 + 2]]
    expect(r === g && g === b && (r === 0 || r === 255)).toBe(true)
    out[i] = r === 0 ? 1 : 0
  }
  return out
}

const count = (m: Uint8Array): number => m.reduce((n, v) => n + v, 0)

/** Whether (x, y) is within 1 px of the boundary of [lo, hi)^2 (which runs between lo-1 and lo). */
function nearBoundary(x: number, y: number, lo: number, hi: number): boolean {
  const inOuter = x >= lo - 2 && x <= hi + 1 && y >= lo - 2 && y <= hi + 1
  const inInner = x >= lo + 2 && x <= hi - 3 && y >= lo + 2 && y <= hi - 3
  return inOuter && !inInner
}

/** Edge pixels that are not near the square's boundary. */
function strays(m: Uint8Array, size: number, lo: number, hi: number): number {
  let n = 0
  for (let i = 0; i < m.length; i++) {
    if (m[i] === 1 && !nearBoundary(i % size, Math.floor(i / size), lo, hi)) n++
  }
  return n
}

/** Whether a 4-connected walk over non-edge pixels from the corner reaches the centre. */
function leaks(m: Uint8Array, size: number): boolean {
  const seen = new Uint8Array(m.length)
  const stack = [0]
  seen[0] = 1
  while (stack.length > 0) {
    const i = stack.pop() ?? 0
    if (i === (size >> 1) * size + (size >> 1)) return true
    const x = i % size
    const y = Math.floor(i / size)
    for (const [nx, ny] of [
      [x - 1, y],
      [x + 1, y],
      [x, y - 1],
      [x, y + 1],
    ] as const) {
      const j = ny * size + nx
      if (nx < 0 || ny < 0 || nx >= size || ny >= size || seen[j] === 1 || m[j] === 1) continue
      seen[j] = 1
      stack.push(j)
    }
  }
  return false
}

/** Edge pixels per row (column) across each side's 4-px band, away from the corners. */
function sideWidths(m: Uint8Array, size: number, lo: number, hi: number): number[] {
  const widths: number[] = []
  for (let t = lo + 6; t < hi - 6; t++) {
    for (const band of [lo - 2, hi - 2]) {
      let across = 0
      let down = 0
      for (let k = band; k < band + 4; k++) {
        across += m[t * size + k] ?? 0
        down += m[k * size + t] ?? 0
      }
      widths.push(across, down)
    }
  }
  return widths
}

describe('detectEdges on a white square on black', () => {
  const size = 64
  const [lo, hi] = [16, 48]
  const m = mask(detectEdges(square(size, lo, hi)))

  it('draws a closed outline within 1 px of the true boundary and nothing else', () => {
    expect(leaks(m, size)).toBe(false)
    expect(strays(m, size, lo, hi)).toBe(0)
    // The perimeter is 4 x 32 = 128 px; corners may be rounded by a few pixels.
    expect(count(m)).toBeGreaterThanOrEqual(120)
    expect(count(m)).toBeLessThanOrEqual(132)
  })

  it('draws 1-px lines along the straight sides', () => {
    expect(new Set(sideWidths(m, size, lo, hi))).toEqual(new Set([1]))
  })

  it('draws the sides 2-3 px thick with thickness 2-3, still closed', () => {
    const m2 = mask(detectEdges(square(size, lo, hi), { thickness: 2 }))
    const m3 = mask(detectEdges(square(size, lo, hi), { thickness: 3 }))
    expect(new Set(sideWidths(m2, size, lo, hi))).toEqual(new Set([2]))
    expect(new Set(sideWidths(m3, size, lo, hi))).toEqual(new Set([3]))
    expect(count(m2)).toBeGreaterThan(1.8 * count(m))
    expect(count(m3)).toBeGreaterThan(count(m2))
    expect(leaks(m2, size)).toBe(false)
  })
})

describe('detectEdges robustness', () => {
  it('gives no edges on a flat image, nor on one with +-1 level noise', () => {
    const flat = createRgbImage(48, 40)
    flat.data.fill(137)
    expect(count(mask(detectEdges(flat)))).toBe(0)
    const rng = createRng(7)
    const faint = createRgbImage(48, 40)
    for (let i = 0; i < faint.data.length; i++) faint.data[i] = 128 + rng.int(3) - 1
    expect(count(mask(detectEdges(faint)))).toBe(0)
  })

  it('still finds the outline of a grey square under seeded noise (sd 10 levels)', () => {
    const size = 128
    const [lo, hi] = [32, 96]
    const m = mask(detectEdges(square(size, lo, hi, 70, 180, 10)))
    expect(leaks(m, size)).toBe(false)
    expect(count(m)).toBeGreaterThanOrEqual(4 * 64 - 10)
    expect(strays(m, size, lo, hi)).toBeLessThanOrEqual(3)
  })

  it('drops edge chains shorter than minComponent', () => {
    // A grey square and a white 4x4 speck, whose outline is at least as strong as the square's.
    const img = square(64, 16, 48, 0, 160)
    for (let y = 4; y < 8; y++) img.data.fill(255, (y * 64 + 4) * 3, (y * 64 + 8) * 3)
    const keepAll = mask(detectEdges(img, { minComponent: 0 }))
    const pruned = mask(detectEdges(img, { minComponent: 20 }))
    // The speck's outline is a ring of about 4 x 4 pixels, under 20.
    expect(strays(keepAll, 64, 16, 48)).toBeGreaterThanOrEqual(8)
    expect(strays(keepAll, 64, 16, 48)).toBeLessThan(20)
    expect(strays(pruned, 64, 16, 48)).toBe(0)
    expect(leaks(pruned, 64)).toBe(false)
  })
})

describe('detectEdges contract', () => {
  it('is deterministic and leaves its input untouched', () => {
    const img = square(96, 20, 70, 30, 220, 12)
    const before = img.data.slice()
    const a = detectEdges(img)
    const b = detectEdges(img)
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true)
    expect(Buffer.from(img.data).equals(Buffer.from(before))).toBe(true)
  })

  it('returns an image of the input size', () => {
    for (const [w, h] of [
      [50, 30],
      [1, 1],
      [3, 200],
    ] as const) {
      const out = detectEdges(createRgbImage(w, h))
      expect([out.width, out.height, out.data.length]).toEqual([w, h, w * h * 3])
    }
  })

  it('scales its defaults with the image size', () => {
    expect(defaultEdgeOptions(256, 512)).toEqual({
      sigma: 1.5,
      lowRatio: 0.4,
      highPercentile: 80,
      minComponent: 10,
      thickness: 1,
    })
    expect(defaultEdgeOptions(512, 512).sigma).toBe(3)
    expect(defaultEdgeOptions(64, 64).sigma).toBe(1)
    expect(defaultEdgeOptions(1024, 1024).minComponent).toBe(40)
  })

  it('uses a normalised Gaussian kernel', () => {
    const k = gaussianKernel(1.5)
    expect(k.length).toBe(11)
    expect(k.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6)
    expect(k[5]).toBeCloseTo(1 / (Math.sqrt(2 * Math.PI) * 1.5), 2)
  })

  it.each<[keyof EdgeOptions, number]>([
    ['sigma', -1],
    ['sigma', Number.NaN],
    ['sigma', 33],
    ['lowRatio', 0],
    ['lowRatio', 1.5],
    ['highPercentile', 0],
    ['highPercentile', 100],
    ['minComponent', -1],
    ['minComponent', 2.5],
    ['thickness', 0],
    ['thickness', 1.5],
    ['thickness', 17],
  ])('rejects %s = %s naming the option and value', (name, value) => {
    const img = square(16, 4, 12)
    expect(() => detectEdges(img, { [name]: value })).toThrow(RangeError)
    expect(() => detectEdges(img, { [name]: value })).toThrow(`${name} must be`)
    expect(() => detectEdges(img, { [name]: value })).toThrow(`got ${value}`)
  })
})
