import { describe, expect, it } from 'vitest'
import type { RgbImage } from '../../core/image/types.js'
import { createRng } from '../../core/rng.js'
import { renderContent, renderPair, renderStyled } from './render.js'
import { sampleScene } from './scene.js'
import { sampleStyle, type SynthStyle } from './style.js'

const style = (seed: number): SynthStyle => sampleStyle(createRng(seed))

/** Whether two byte arrays are identical (much faster than toEqual on large arrays). */
function same(a: Uint8Array, b: Uint8Array | undefined): boolean {
  return b !== undefined && Buffer.from(a).equals(Buffer.from(b))
}

/** Mean absolute difference per byte (0..255). */
function meanAbsDiff(a: RgbImage, b: RgbImage): number {
  let sum = 0
  for (let i = 0; i < a.data.length; i++) sum += Math.abs((a.data[i] ?? 0) - (b.data[i] ?? 0))
  return sum / a.data.length
}

/** Fraction of pixels darker than 128 (A is grey, so the red channel is enough). */
function darkFraction(a: RgbImage): number {
  let dark = 0
  for (let i = 0; i < a.data.length; i += 3) if ((a.data[i] ?? 0) < 128) dark++
  return dark / (a.width * a.height)
}

/** Mean gradient magnitude of B on A's line pixels, divided by that away from any line. */
function edgeAlignment(a: RgbImage, b: RgbImage): number {
  const n = a.width
  let on = 0
  let nOn = 0
  let off = 0
  let nOff = 0
  for (let y = 0; y + 1 < n; y++) {
    for (let x = 0; x + 1 < n; x++) {
      const i = (y * n + x) * 3
      let g = 0
      for (let c = 0; c < 3; c++) {
        const v = b.data[i + c] ?? 0
        g += Math.abs(v - (b.data[i + 3 + c] ?? 0)) + Math.abs(v - (b.data[i + 3 * n + c] ?? 0))
      }
      const ink = a.data[i] ?? 0
      if (ink < 128) {
        on += g
        nOn++
      } else if (ink > 250) {
        off += g
        nOff++
      }
    }
  }
  return on / nOn / (off / nOff)
}

/** Box-downsamples an image by an integer factor. */
function shrink(img: RgbImage, f: number): RgbImage {
  const w = img.width / f
  const data = new Uint8Array(w * w * 3)
  for (let y = 0; y < w; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let s = 0
        for (let dy = 0; dy < f; dy++) {
          for (let dx = 0; dx < f; dx++)
            s += img.data[((y * f + dy) * img.width + x * f + dx) * 3 + c] ?? 0
        }
        data[(y * w + x) * 3 + c] = Math.round(s / (f * f))
      }
    }
  }
  return { width: w, height: w, data }
}

describe('renderContent / renderStyled', () => {
  it('is byte-identical for the same seeds and differs for other seeds', () => {
    const scene = sampleScene(11)
    expect(same(renderContent(scene, 64).data, renderContent(sampleScene(11), 64).data)).toBe(true)
    expect(
      same(renderStyled(scene, style(1), 64).data, renderStyled(scene, style(1), 64).data),
    ).toBe(true)
    expect(
      meanAbsDiff(renderContent(scene, 64), renderContent(sampleScene(12), 64)),
    ).toBeGreaterThan(5)
    expect(
      meanAbsDiff(renderStyled(scene, style(1), 64), renderStyled(scene, style(2), 64)),
    ).toBeGreaterThan(10)
  })

  it('produces size x size RGB images at any size', () => {
    for (const size of [16, 64, 100, 256]) {
      const { a, b } = renderPair(sampleScene(5), style(5), size)
      for (const img of [a, b]) {
        expect([img.width, img.height, img.data.length]).toEqual([size, size, size * size * 3])
      }
    }
  })

  it('gives one A for every style of a scene while B changes (one A, many B)', () => {
    for (let s = 0; s < 5; s++) {
      const scene = sampleScene(300 + s)
      const a = renderContent(scene, 64)
      const pairs = [1, 2, 3].map((k) => renderPair(scene, style(s * 10 + k), 64))
      const bs = pairs.map((p) => p.b)
      for (const p of pairs) expect(same(p.a.data, a.data)).toBe(true)
      for (let i = 0; i < 3; i++) {
        expect(same(renderStyled(scene, style(s * 10 + i + 1), 64).data, bs[i]?.data)).toBe(true)
        for (let j = i + 1; j < 3; j++) {
          expect(meanAbsDiff(bs[i] as RgbImage, bs[j] as RgbImage)).toBeGreaterThan(10)
        }
      }
    }
  })

  it('draws A as dark grey lines on a mostly white background', () => {
    for (const [size, lo, hi] of [
      [64, 0.04, 0.3],
      [256, 0.015, 0.15],
    ] as const) {
      for (let s = 0; s < 8; s++) {
        const a = renderContent(sampleScene(700 + s), size)
        const frac = darkFraction(a)
        expect(frac).toBeGreaterThan(lo)
        expect(frac).toBeLessThan(hi)
        let white = 0
        let coloured = 0
        let darkest = 255
        for (let i = 0; i < a.data.length; i += 3) {
          const v = a.data[i] ?? 0
          if (v !== a.data[i + 1] || v !== a.data[i + 2]) coloured++
          if (v === 255) white++
          darkest = Math.min(darkest, v)
        }
        expect(coloured).toBe(0)
        expect(white / (size * size)).toBeGreaterThan(0.6)
        expect(darkest).toBeLessThan(40)
      }
    }
  })

  it("aligns A's lines with B's region boundaries (B's gradient is high on A's lines)", () => {
    for (const size of [64, 256]) {
      const ratios: number[] = []
      for (let s = 0; s < 10; s++) {
        const { a, b } = renderPair(sampleScene(900 + s), style(900 + s), size)
        ratios.push(edgeAlignment(a, b))
      }
      expect(Math.min(...ratios)).toBeGreaterThan(1.2)
      expect(ratios.reduce((x, y) => x + y) / ratios.length).toBeGreaterThan(size === 64 ? 2.5 : 5)
    }
  })

  it('renders the same scene at every size (256 px shrunk to 64 px matches 64 px)', () => {
    const scene = sampleScene(77)
    const big = shrink(renderStyled(scene, style(77), 256), 4)
    expect(meanAbsDiff(big, renderStyled(scene, style(77), 64))).toBeLessThan(6)
  })
})
