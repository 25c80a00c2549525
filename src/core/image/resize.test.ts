import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { grid, joinHorizontal, splitHorizontal } from './compose.js'
import { centreCrop, crop, fitImage, flipHorizontal, resize } from './resize.js'
import { batchToImages, imageToTensor, imagesToBatch, tensorToImage } from './tensor.js'
import { createRgbImage, type RgbImage } from './types.js'

function solid(w: number, h: number, rgb: [number, number, number]): RgbImage {
  const img = createRgbImage(w, h)
  for (let i = 0; i < w * h; i++) img.data.set(rgb, i * 3)
  return img
}

function pixel(img: RgbImage, x: number, y: number): number[] {
  const i = (y * img.width + x) * 3
  return Array.from(img.data.subarray(i, i + 3))
}

describe('geometry', () => {
  it('crops, centre-crops and flips exactly', () => {
    const img = createRgbImage(4, 3)
    img.data.forEach((_, i) => (img.data[i] = i))
    expect(pixel(crop(img, 1, 1, 2, 2), 0, 0)).toEqual(pixel(img, 1, 1))
    expect(pixel(centreCrop(img, 2, 1), 1, 0)).toEqual(pixel(img, 2, 1))
    expect(pixel(flipHorizontal(img), 0, 2)).toEqual(pixel(img, 3, 2))
    expect(() => crop(img, 3, 0, 2, 1)).toThrow('crop 2x1+3+0 is outside the 4x3 image')
  })

  it('keeps flat colours flat and averages when shrinking', () => {
    expect(resize(solid(10, 7, [10, 20, 30]), 3, 5)).toEqual(solid(3, 5, [10, 20, 30]))
    // a 1-px checkerboard shrunk 4x becomes mid grey (no aliasing to black or white)
    const checker = createRgbImage(16, 16)
    for (let y = 0; y < 16; y++)
      for (let x = 0; x < 16; x++)
        checker.data.fill((x + y) % 2 ? 255 : 0, (y * 16 + x) * 3, (y * 16 + x) * 3 + 3)
    const small = resize(checker, 4, 4)
    for (const v of small.data) expect(Math.abs(v - 128)).toBeLessThanOrEqual(8)
  })

  it('fits with an explicit policy', () => {
    const wide = solid(200, 100, [0, 0, 0])
    wide.data.fill(255, 0, 100 * 3) // first row's left half white: irrelevant to sizes
    expect([fitImage(wide, 64, 64).width, fitImage(wide, 64, 64).height]).toEqual([64, 64])
    const contained = fitImage(solid(200, 100, [0, 0, 0]), 64, 64, 'contain')
    expect(pixel(contained, 32, 2)).toEqual([255, 255, 255]) // white padding above
    expect(pixel(contained, 32, 32)).toEqual([0, 0, 0])
    const stretched = fitImage(solid(200, 100, [9, 9, 9]), 50, 80, 'stretch')
    expect([stretched.width, stretched.height]).toEqual([50, 80])
  })

  it('joins and splits A|B pairs, and lays out grids', () => {
    const a = solid(3, 2, [1, 1, 1])
    const b = solid(3, 2, [2, 2, 2])
    const ab = joinHorizontal(a, b)
    expect(ab.width).toBe(6)
    expect(splitHorizontal(ab)).toEqual({ left: a, right: b })
    expect(() => splitHorizontal(solid(5, 2, [0, 0, 0]), 'x.png')).toThrow(
      'x.png: a side-by-side A|B image needs an even width, got 5',
    )
    const g = grid([a, b, a], 2, 1)
    expect([g.width, g.height]).toEqual([2 * 3 + 3, 2 * 2 + 3])
    expect(pixel(g, 1, 1)).toEqual([1, 1, 1])
    expect(pixel(g, 5, 1)).toEqual([2, 2, 2])
    expect(pixel(g, 0, 0)).toEqual([255, 255, 255])
  })
})

describe('tensor conversion', () => {
  it('maps bytes to [-1, 1] and back losslessly', async () => {
    await tf.setBackend('cpu')
    const img = createRgbImage(3, 2)
    img.data.set([0, 255, 128, 1, 2, 3, 250, 251, 252, 60, 70, 80, 90, 100, 110, 120, 130, 140])
    const t = imageToTensor(img)
    expect(t.shape).toEqual([2, 3, 3])
    const values = await t.data()
    expect(values[0]).toBeCloseTo(-1, 6)
    expect(values[1]).toBeCloseTo(1, 6)
    expect(await tensorToImage(t)).toEqual(img)
    const batch = imagesToBatch([img, img])
    expect(batch.shape).toEqual([2, 2, 3, 3])
    expect(await batchToImages(batch)).toEqual([img, img])
    tf.dispose([t, batch])
  })
})
