/** Pixel containers shared by codecs, resizing, datasets and the synthetic renderer. */

/** An 8-bit RGB image, row-major, 3 bytes per pixel (no alpha). */
export interface RgbImage {
  readonly width: number
  readonly height: number
  /** [height * width * 3] bytes, RGB interleaved. */
  readonly data: Uint8Array
}

/** Allocates a black RGB image of the given size. */
export function createRgbImage(width: number, height: number): RgbImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`image size must be positive integers, got ${width}x${height}`)
  }
  return { width, height, data: new Uint8Array(width * height * 3) }
}

/** Limits applied before any pixel memory is allocated for an untrusted file. */
export interface ImageLimits {
  /** Largest accepted file, in bytes. */
  readonly maxBytes: number
  /** Largest accepted width or height, in pixels. */
  readonly maxSide: number
  /** Largest accepted width * height. */
  readonly maxPixels: number
}

/** Defaults: 64 MiB files, 8192 px sides, 40 megapixels. */
export const DEFAULT_IMAGE_LIMITS: ImageLimits = Object.freeze({
  maxBytes: 64 * 1024 * 1024,
  maxSide: 8192,
  maxPixels: 40_000_000,
})
