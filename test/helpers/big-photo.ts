/**
 * Large photo-like test images made at test time (never committed): a JPEG through the project's
 * own JPEG codec, and a PNG header that claims more pixels than the decode limits allow.
 */
import jpeg from 'jpeg-js'
import { encodePng } from '../../src/core/image/encode.js'
import { createRgbImage } from '../../src/core/image/types.js'

/** A width x height JPEG with smooth gradients and texture (about 0.7 MB at 4000x3000). */
export function bigJpeg(width: number, height: number): Uint8Array {
  const data = Buffer.alloc(width * height * 4)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4
      data[i] = Math.floor((x * 255) / width)
      data[i + 1] = Math.floor((y * 255) / height)
      data[i + 2] = (x ^ y) & 255
      data[i + 3] = 255
    }
  }
  return new Uint8Array(jpeg.encode({ width, height, data }, 80).data)
}

/**
 * A small valid PNG whose IHDR is rewritten to claim width x height: a decoder that trusted the
 * header would allocate width * height * 3 bytes.
 */
export function pngClaiming(width: number, height: number): Uint8Array {
  const png = encodePng(createRgbImage(4, 4))
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength)
  view.setUint32(16, width)
  view.setUint32(20, height)
  return png
}
