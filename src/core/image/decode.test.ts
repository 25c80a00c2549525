import { encode as encodePngRaw } from 'fast-png'
import jpeg from 'jpeg-js'
import { describe, expect, it } from 'vitest'
import { InputError } from '../errors.js'
import { decodeImage } from './decode.js'
import { encodePng } from './encode.js'
import type { RgbImage } from './types.js'

function gradient(w: number, h: number): RgbImage {
  const data = new Uint8Array(w * h * 3)
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3
      data[i] = (x * 255) / (w - 1)
      data[i + 1] = (y * 255) / (h - 1)
      data[i + 2] = 77
    }
  return { width: w, height: h, data }
}

function decodeError(bytes: Uint8Array, where = 'photos/x.png'): InputError {
  try {
    decodeImage(bytes, { where })
  } catch (err) {
    expect(err).toBeInstanceOf(InputError)
    return err as InputError
  }
  throw new Error('expected decodeImage to throw')
}

describe('decodeImage', () => {
  it('round-trips RGB PNG exactly, with text chunks', () => {
    const img = gradient(17, 9)
    const png = encodePng(img, { workflow: '{"a":1}' })
    expect(decodeImage(png)).toEqual(img)
    expect(new TextDecoder().decode(png).includes('workflow')).toBe(true)
  })

  it('expands grey, composites alpha over white and scales 16-bit', () => {
    const grey = encodePngRaw({
      width: 2,
      height: 1,
      data: new Uint8Array([0, 200]),
      channels: 1,
      depth: 8,
    })
    expect(Array.from(decodeImage(grey).data)).toEqual([0, 0, 0, 200, 200, 200])
    const rgba = encodePngRaw({
      width: 2,
      height: 1,
      channels: 4,
      depth: 8,
      data: new Uint8Array([255, 0, 0, 255, 0, 0, 0, 0]), // opaque red, transparent black
    })
    expect(Array.from(decodeImage(rgba).data)).toEqual([255, 0, 0, 255, 255, 255])
    const greyAlpha = encodePngRaw({
      width: 1,
      height: 1,
      channels: 2,
      depth: 8,
      data: new Uint8Array([0, 128]),
    })
    expect(Array.from(decodeImage(greyAlpha).data)).toEqual([127, 127, 127])
    const deep = encodePngRaw({
      width: 1,
      height: 1,
      channels: 3,
      depth: 16,
      data: new Uint16Array([65535, 32896, 0]),
    })
    expect(Array.from(decodeImage(deep).data)).toEqual([255, 128, 0])
  })

  it('decodes JPEG (lossy) close to the source', () => {
    const img = gradient(32, 16)
    const rgba = new Uint8Array(32 * 16 * 4)
    for (let i = 0; i < 32 * 16; i++) {
      rgba.set(img.data.subarray(i * 3, i * 3 + 3), i * 4)
      rgba[i * 4 + 3] = 255
    }
    const jpg = new Uint8Array(jpeg.encode({ width: 32, height: 16, data: rgba }, 95).data)
    const out = decodeImage(jpg)
    expect([out.width, out.height]).toEqual([32, 16])
    let err = 0
    for (let i = 0; i < out.data.length; i++)
      err += Math.abs((out.data[i] ?? 0) - (img.data[i] ?? 0))
    expect(err / out.data.length).toBeLessThan(4)
  })

  it('names the file for empty, unknown, truncated and corrupt input', () => {
    const png = encodePng(gradient(40, 40))
    expect(decodeError(new Uint8Array()).message).toBe('photos/x.png: empty file (0 bytes)')
    expect(decodeError(new TextEncoder().encode('GIF89a....')).message).toBe(
      'photos/x.png: not a PNG or JPEG file (starts with 47 49 46 38)',
    )
    const truncated = decodeError(png.subarray(0, png.length - 30))
    expect(truncated.code).toMatch(/image\/(truncated|corrupt)/)
    expect(truncated.message).toMatch(/^photos\/x\.png: (truncated|corrupt) PNG/)
    expect(decodeError(png.subarray(0, 20)).message).toBe(
      'photos/x.png: truncated PNG: 20 bytes, the header alone needs 33',
    )
    const flipped = png.slice()
    flipped[45] = (flipped[45] ?? 0) ^ 0xff // inside the first data chunk: CRC mismatch
    expect(decodeError(flipped).message).toMatch(/^photos\/x\.png: (corrupt|truncated) PNG/)
    const jpg = new Uint8Array(
      jpeg.encode({ width: 8, height: 8, data: new Uint8Array(256) }, 90).data,
    )
    expect(decodeError(jpg.subarray(0, jpg.length - 40), 'a.jpg').message).toMatch(
      /^a\.jpg: truncated JPEG/,
    )
  })

  it('rejects absurd dimensions and oversize files before decoding', () => {
    const png = encodePng(gradient(4, 4))
    const huge = png.slice()
    new DataView(huge.buffer).setUint32(16, 100_000) // width in IHDR
    const err = decodeError(huge)
    expect(err.code).toBe('image/too-large')
    expect(err.message).toBe(
      'photos/x.png: 100000x4 pixels exceeds the limit (sides <= 8192, <= 40000000 pixels)',
    )
    const zero = png.slice()
    new DataView(zero.buffer).setUint32(20, 0)
    expect(decodeError(zero).message).toBe('photos/x.png: header says 4x0 pixels')
    expect(() => decodeImage(png, { where: 'big.png', limits: { maxBytes: 10 } })).toThrow(
      `big.png: file is ${png.length} bytes, the limit is 10`,
    )
  })
})
