/** Conversions between 8-bit RGB images and float tensors [H, W, 3] in [-1, 1]. */
import * as tf from '@tensorflow/tfjs'
import type { RgbImage } from './types.js'

/** The image as a float32 tensor [H, W, 3] with values (v / 127.5 - 1) in [-1, 1]. */
export function imageToTensor(image: RgbImage): tf.Tensor3D {
  const n = image.width * image.height * 3
  const values = new Float32Array(n)
  for (let i = 0; i < n; i++) values[i] = (image.data[i] ?? 0) / 127.5 - 1
  return tf.tensor3d(values, [image.height, image.width, 3], 'float32')
}

/** Images (same size) stacked as a batch tensor [B, H, W, 3] in [-1, 1]. */
export function imagesToBatch(images: readonly RgbImage[]): tf.Tensor4D {
  const first = images[0]
  if (!first) throw new RangeError('imagesToBatch: no images')
  const per = first.width * first.height * 3
  const values = new Float32Array(per * images.length)
  images.forEach((img, b) => {
    if (img.width !== first.width || img.height !== first.height) {
      throw new RangeError(
        `imagesToBatch: image ${b} is ${img.width}x${img.height}, expected ${first.width}x${first.height}`,
      )
    }
    for (let i = 0; i < per; i++) values[b * per + i] = (img.data[i] ?? 0) / 127.5 - 1
  })
  return tf.tensor4d(values, [images.length, first.height, first.width, 3], 'float32')
}

/** Converts float values in [-1, 1] (clamped) to bytes. */
function toBytes(values: ArrayLike<number>, offset: number, count: number): Uint8Array {
  const out = new Uint8Array(count)
  for (let i = 0; i < count; i++) {
    const v = Math.round(((values[offset + i] ?? 0) + 1) * 127.5)
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v
  }
  return out
}

/** Reads a [H, W, 3] tensor in [-1, 1] back to an RGB image (async read: safe on webgpu). */
export async function tensorToImage(t: tf.Tensor3D): Promise<RgbImage> {
  const [height, width, channels] = t.shape
  if (channels !== 3)
    throw new RangeError(`tensorToImage: expected [H, W, 3], got [${t.shape.join(', ')}]`)
  const values = await t.data()
  return { width, height, data: toBytes(values, 0, width * height * 3) }
}

/** Reads a batch [B, H, W, 3] in [-1, 1] back to RGB images. */
export async function batchToImages(t: tf.Tensor4D): Promise<RgbImage[]> {
  const [batch, height, width, channels] = t.shape
  if (channels !== 3)
    throw new RangeError(`batchToImages: expected [B, H, W, 3], got [${t.shape.join(', ')}]`)
  const values = await t.data()
  const per = width * height * 3
  return Array.from({ length: batch }, (_, b) => ({
    width,
    height,
    data: toBytes(values, b * per, per),
  }))
}
