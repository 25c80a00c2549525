/**
 * How images are fitted to a model, shared by the CLI and the graph nodes. A style image is
 * always fitted (scale + centre crop) to the model's training size S, the size E was trained at.
 * A content image is fitted to S x S too, unless both its sides are at least S: then it keeps its
 * own size, centre-cropped to the largest multiples of 8 (the generator's) not above it.
 */
import * as tf from '@tensorflow/tfjs'
import { centreCrop, fitImage } from '../core/image/resize.js'
import { batchToImages, imagesToBatch } from '../core/image/tensor.js'
import type { RgbImage } from '../core/image/types.js'
import { GENERATOR_SIZE_MULTIPLE } from '../models/generator.js'

/** The size a content image of width w and height h is generated at (see the module comment). */
export function contentSize(w: number, h: number, size: number): [number, number] {
  if (w < size || h < size) return [size, size]
  const m = GENERATOR_SIZE_MULTIPLE
  return [w - (w % m), h - (h % m)]
}

/** A content image fitted for the generator (see the module comment). */
export function fitContent(image: RgbImage, size: number): RgbImage {
  if (image.width < size || image.height < size) return fitImage(image, size, size, 'cover')
  const [w, h] = contentSize(image.width, image.height, size)
  return centreCrop(image, w, h)
}

/** A style image fitted to size x size for the encoder. */
export function fitStyle(image: RgbImage, size: number): RgbImage {
  return fitImage(image, size, size, 'cover')
}

/**
 * A batch [B, H, W, 3] fitted image by image with `fit` (through 8-bit RGB, as images read from
 * files are), as a new tensor; a batch that already has the fitted size is cloned unchanged.
 */
export async function fitBatch(
  batch: tf.Tensor4D,
  size: number,
  fit: (image: RgbImage, size: number) => RgbImage,
): Promise<tf.Tensor4D> {
  const [, h, w] = batch.shape
  const probe = fit({ width: w, height: h, data: new Uint8Array(w * h * 3) }, size)
  if (probe.width === w && probe.height === h) return tf.clone(batch)
  const images = await batchToImages(batch)
  return imagesToBatch(images.map((im) => fit(im, size)))
}
