/**
 * Every image form the library API accepts, turned into the project's 8-bit RGB image: encoded
 * PNG / JPEG bytes, a Blob or File, a URL (fetched), a path (Node only), an ImageData-like RGBA
 * buffer, an RgbImage, or a tensor [H, W, 3] / [1, H, W, 3] in [-1, 1]. Errors name the input.
 */
import * as tf from '@tensorflow/tfjs'
import { InputError, errorMessage } from '../core/errors.js'
import { decodeImage } from '../core/image/decode.js'
import { tensorToImage } from '../core/image/tensor.js'
import type { RgbImage } from '../core/image/types.js'
import { localPath } from './location.js'

/** RGBA pixels as a canvas gives them (ImageData or any object of that shape). */
export interface RgbaPixels {
  readonly width: number
  readonly height: number
  readonly data: Uint8ClampedArray | Uint8Array
}

/** What the API takes as an image; see the module comment. */
export type ImageInput =
  string | URL | Uint8Array | ArrayBuffer | Blob | RgbImage | RgbaPixels | tf.Tensor3D | tf.Tensor4D

/** Reads a path or URL string (a path only under Node, location.ts). */
async function bytesOfLocation(location: string | URL): Promise<Uint8Array> {
  const text = location.toString()
  const path = await localPath(location)
  if (path !== null) {
    const { readFile } = await import('node:fs/promises')
    try {
      return new Uint8Array(await readFile(path))
    } catch (err) {
      const missing = (err as { code?: string }).code === 'ENOENT'
      throw new InputError(
        missing ? 'image/missing' : 'image/unreadable',
        missing ? 'file not found' : `cannot read (${errorMessage(err)})`,
        text,
      )
    }
  }
  let res: Response
  try {
    res = await fetch(text)
  } catch (err) {
    throw new InputError('image/unreachable', `cannot fetch (${errorMessage(err)})`, text)
  }
  if (!res.ok) throw new InputError('image/unreachable', `HTTP ${res.status}`, text)
  return new Uint8Array(await res.arrayBuffer())
}

/** An RGBA buffer without its alpha channel. */
function fromRgba(p: RgbaPixels, where: string): RgbImage {
  const n = p.width * p.height
  if (
    !(Number.isInteger(p.width) && Number.isInteger(p.height) && n > 0) ||
    p.data.length !== 4 * n
  )
    throw new InputError(
      'image/shape',
      `expected ${p.width}x${p.height} RGBA pixels (${4 * n} bytes), got ${p.data.length} bytes`,
      where,
    )
  const data = new Uint8Array(3 * n)
  for (let i = 0; i < n; i++) {
    data[3 * i] = p.data[4 * i] ?? 0
    data[3 * i + 1] = p.data[4 * i + 1] ?? 0
    data[3 * i + 2] = p.data[4 * i + 2] ?? 0
  }
  return { width: p.width, height: p.height, data }
}

/** A tensor image [H, W, 3] or [1, H, W, 3] in [-1, 1]. */
async function fromTensor(t: tf.Tensor, where: string): Promise<RgbImage> {
  const ok =
    (t.rank === 3 && t.shape[2] === 3) || (t.rank === 4 && t.shape[0] === 1 && t.shape[3] === 3)
  if (!ok)
    throw new InputError(
      'image/shape',
      `a tensor image must be [H, W, 3] or [1, H, W, 3] in [-1, 1], got [${t.shape.join(', ')}]`,
      where,
    )
  const image = t.rank === 4 ? tf.squeeze<tf.Tensor3D>(t, [0]) : (t as tf.Tensor3D)
  try {
    return await tensorToImage(image)
  } finally {
    if (image !== t) image.dispose()
  }
}

/** Any ImageInput as an RgbImage; `where` names it in errors (e.g. 'content'). */
export async function readImageInput(input: ImageInput, where: string): Promise<RgbImage> {
  if (typeof input === 'string' || input instanceof URL)
    return decodeImage(await bytesOfLocation(input), { where: input.toString() })
  if (input instanceof Uint8Array) return decodeImage(input, { where })
  if (input instanceof ArrayBuffer) return decodeImage(new Uint8Array(input), { where })
  if (typeof Blob !== 'undefined' && input instanceof Blob)
    return decodeImage(new Uint8Array(await input.arrayBuffer()), { where })
  if (input instanceof tf.Tensor) return fromTensor(input, where)
  const pixels = input as RgbImage | RgbaPixels
  if (pixels.data.length === 3 * pixels.width * pixels.height && pixels.data instanceof Uint8Array)
    return pixels as RgbImage
  return fromRgba(pixels, where)
}
