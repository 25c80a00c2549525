/** Encodes RGB images to PNG (deterministic bytes), optionally with tEXt chunks (provenance). */
import { encode as encodePngRaw } from 'fast-png'
import type { RgbImage } from './types.js'

/** PNG bytes of `image`; `text` entries become tEXt chunks (keys: 1-79 Latin-1 characters). */
export function encodePng(image: RgbImage, text?: Record<string, string>): Uint8Array {
  const expected = image.width * image.height * 3
  if (image.data.length !== expected) {
    throw new RangeError(
      `encodePng: ${image.data.length} bytes for ${image.width}x${image.height} RGB, expected ${expected}`,
    )
  }
  return encodePngRaw(
    {
      width: image.width,
      height: image.height,
      data: image.data,
      channels: 3,
      depth: 8,
      ...(text ? { text } : {}),
    },
    { zlib: { level: 6 } },
  )
}
