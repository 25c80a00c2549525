import { describe, expect, it } from 'vitest'
import { InputError } from '../errors.js'
import { DEFAULT_MAX_SIDE, capSide, cappedSize, checkMaxSide } from './max-side.js'
import { createRgbImage } from './types.js'

describe('the max-side rule', () => {
  it('scales a 4000x3000 photo to 1024x768 by default, keeping its aspect ratio', () => {
    expect(DEFAULT_MAX_SIDE).toBe(1024)
    expect(cappedSize(4000, 3000, DEFAULT_MAX_SIDE)).toEqual([1024, 768])
    expect(cappedSize(3000, 4000, 512)).toEqual([384, 512])
    expect(cappedSize(5000, 10, 1000)).toEqual([1000, 2])
    expect(cappedSize(5000, 1, 1000)).toEqual([1000, 1]) // never below one pixel
  })

  it('leaves an image that fits untouched (the same object)', () => {
    const image = createRgbImage(1024, 700)
    expect(capSide(image)).toBe(image)
    expect(capSide(image, 2000)).toBe(image)
  })

  it('resamples a larger image: a flat colour stays that colour', () => {
    const image = createRgbImage(300, 200)
    for (let i = 0; i < image.data.length; i += 3) image.data.set([200, 100, 50], i)
    const out = capSide(image, 60)
    expect([out.width, out.height]).toEqual([60, 40])
    expect(Array.from(out.data.subarray(0, 3))).toEqual([200, 100, 50])
    expect(Array.from(out.data.subarray(out.data.length - 3))).toEqual([200, 100, 50])
  })

  it('refuses a max side outside 16..8192 with one line naming where', () => {
    expect(checkMaxSide(512, 'x')).toBe(512)
    expect(() => checkMaxSide(8, '--max-side')).toThrow(InputError)
    expect(() => checkMaxSide(8, '--max-side')).toThrow(
      /--max-side: max side must be an integer in 16\.\.8192, got 8/,
    )
    expect(() => checkMaxSide(100.5, 'w')).toThrow(/got 100\.5/)
  })
})
