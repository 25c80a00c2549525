/**
 * The max-side rule: the one place that says how large an image may be when it enters the
 * program (docs/decisions/0023-photos-in.md).
 *
 *  1. A file is refused before it is decoded when it breaks the decode limits (DEFAULT_IMAGE_LIMITS:
 *     64 MiB, sides up to 8192, 40 megapixels): one line naming the file and the limit.
 *  2. Otherwise it is decoded, and an image whose longer side exceeds `maxSide` (DEFAULT_MAX_SIDE,
 *     1024; `--max-side` on the CLI, the `max_side` widget on Load Image, Load Image Batch and
 *     Webcam, `maxSide` in the library API) is scaled down, keeping its aspect ratio, BEFORE it
 *     becomes a tensor. The generator's memory grows with the pixels it is given, so this bounds
 *     every run that starts from a file, a dropped photo or a camera frame.
 */
import { InputError } from '../errors.js'
import { resize } from './resize.js'
import type { RgbImage } from './types.js'

/** The longer side an input image is scaled down to by default, in pixels. */
export const DEFAULT_MAX_SIDE = 1024
/** The range a max side may be set to (the decode limit caps the top). */
export const MAX_SIDE_MIN = 16
/** Largest max side: the decode limit on a side. */
export const MAX_SIDE_MAX = 8192

/** `value` checked as a max side, or an InputError naming `where` and the valid range. */
export function checkMaxSide(value: number, where: string): number {
  if (!Number.isInteger(value) || value < MAX_SIDE_MIN || value > MAX_SIDE_MAX) {
    throw new InputError(
      'image/max-side',
      `max side must be an integer in ${MAX_SIDE_MIN}..${MAX_SIDE_MAX}, got ${value}`,
      where,
    )
  }
  return value
}

/** The size `width` x `height` has under the rule: unchanged, or scaled so the longer side is maxSide. */
export function cappedSize(width: number, height: number, maxSide: number): [number, number] {
  const side = Math.max(width, height)
  if (side <= maxSide) return [width, height]
  const k = maxSide / side
  return [Math.max(1, Math.round(width * k)), Math.max(1, Math.round(height * k))]
}

/** `image` under the rule: the same object when it fits, else scaled down (aspect kept). */
export function capSide(image: RgbImage, maxSide: number = DEFAULT_MAX_SIDE): RgbImage {
  const [w, h] = cappedSize(image.width, image.height, maxSide)
  return w === image.width && h === image.height ? image : resize(image, w, h)
}
