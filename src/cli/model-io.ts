/**
 * What `step generate`, `sample`, `interpolate` and `eval` share: the backend flag, loading a
 * whole model, reading images (errors name the file), fitting them to the model, writing PNGs.
 *
 * How images are fitted to the model's size: src/inference/image-fit.ts (re-exported here).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type * as tf from '@tensorflow/tfjs'
import type { z } from 'zod'
import type { backendFlag } from './args.js'
import { InputError, errorMessage } from '../core/errors.js'
import { decodeImage } from '../core/image/decode.js'
import { encodePng } from '../core/image/encode.js'
import { DEFAULT_MAX_SIDE, capSide } from '../core/image/max-side.js'
import { imagesToBatch } from '../core/image/tensor.js'
import { createRgbImage, type RgbImage } from '../core/image/types.js'
import { initBackend } from '../runtime/backend.js'
import { loadCheckpoint, readManifest } from '../checkpoint/folder-store.node.js'
import type { TranslationModel } from '../models/translator.js'
import { anyModelFromCheckpoint } from '../inference/any-model.js'

export { contentSize, fitContent, fitStyle } from '../inference/image-fit.js'

/** A whole model and the side S it was trained at. */
export interface LoadedModel {
  /** Any family's model (docs/decisions/0025). */
  readonly model: TranslationModel
  readonly size: number
  /** The checkpoint's stage ('generator', 'finetune', 'mapper') and step. */
  readonly stage: string
  readonly step: number
}

/** Starts the backend and loads the model in `dir` (errors name the folder). */
export async function openModel(
  dir: string,
  backend: z.output<typeof backendFlag>,
): Promise<LoadedModel> {
  await readManifest(dir) // a missing or bad folder fails before the backend starts
  await initBackend({ prefer: backend })
  const loaded = await loadCheckpoint(dir)
  const { size } = loaded.manifest.dataset
  const { stage, step } = loaded.manifest
  return { model: await anyModelFromCheckpoint(loaded, dir), size, stage, step }
}

/**
 * Decodes the image file `file` under the max-side rule (src/core/image/max-side.ts: refused
 * beyond the decode limits, scaled down to `maxSide`), or throws an InputError naming it.
 */
export async function readImage(file: string, maxSide = DEFAULT_MAX_SIDE): Promise<RgbImage> {
  let bytes: Uint8Array
  try {
    bytes = new Uint8Array(await readFile(file))
  } catch (err) {
    const missing = (err as { code?: string }).code === 'ENOENT'
    throw new InputError(
      missing ? 'image/missing' : 'image/unreadable',
      missing ? 'file not found' : `cannot read (${errorMessage(err)})`,
      file,
    )
  }
  return capSide(decodeImage(bytes, { where: file }), maxSide)
}

/** One image as a batch [1, H, W, 3] in [-1, 1]. */
export function batchOf(image: RgbImage): tf.Tensor4D {
  return imagesToBatch([image])
}

/** A white image (an empty grid cell). */
export function blankImage(width: number, height: number): RgbImage {
  const img = createRgbImage(width, height)
  img.data.fill(255)
  return img
}

/** Writes `image` as a PNG to `file` (parent folders created); errors name the file. */
export async function writePng(file: string, image: RgbImage): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true })
    await writeFile(file, encodePng(image))
  } catch (err) {
    throw new InputError('output/unwritable', `cannot write (${errorMessage(err)})`, file)
  }
}
