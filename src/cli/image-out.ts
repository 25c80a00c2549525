/**
 * Writes a CLI result image: PNG with provenance text chunks, or JPEG when the name ends in .jpg /
 * .jpeg (quality 92; a JPEG carries no provenance, and the command says so). Errors name the file.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import jpeg from 'jpeg-js'
import { InputError, errorMessage } from '../core/errors.js'
import { encodePng } from '../core/image/encode.js'
import type { RgbImage } from '../core/image/types.js'

/** JPEG quality of `--out x.jpg`. */
export const JPEG_QUALITY = 92

/** Whether `file` names a JPEG. */
export const isJpegName = (file: string): boolean => /\.jpe?g$/i.test(file)

/** JPEG bytes of an RGB image. */
export function encodeJpeg(image: RgbImage, quality = JPEG_QUALITY): Uint8Array {
  const rgba = new Uint8Array(image.width * image.height * 4)
  for (let i = 0; i < image.width * image.height; i++) {
    rgba[4 * i] = image.data[3 * i] ?? 0
    rgba[4 * i + 1] = image.data[3 * i + 1] ?? 0
    rgba[4 * i + 2] = image.data[3 * i + 2] ?? 0
    rgba[4 * i + 3] = 255
  }
  const { data } = jpeg.encode({ width: image.width, height: image.height, data: rgba }, quality)
  return new Uint8Array(data)
}

/** Writes `image` to `file` (PNG with `text`, or JPEG by extension); parent folders created. */
export async function writeImageFile(
  file: string,
  image: RgbImage,
  text: Record<string, string>,
): Promise<void> {
  const bytes = isJpegName(file) ? encodeJpeg(image) : encodePng(image, text)
  try {
    await mkdir(dirname(file), { recursive: true })
    await writeFile(file, bytes)
  } catch (err) {
    throw new InputError('output/unwritable', `cannot write (${errorMessage(err)})`, file)
  }
}
