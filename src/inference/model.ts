/**
 * Inference operations of a trained StEP model (docs/method.md, "Uses"), called by the nodes and
 * the CLI: encode a style, generate from a content image and a code, sample styles through the
 * mapper, interpolate 2..N styles, and scale a style's strength around the dataset's mean code.
 * All take batches, run in chunks, return new tensors the caller disposes, and keep nothing else.
 * Code arithmetic (interpolation, strength) lives in style-codes.ts.
 */
import * as tf from '@tensorflow/tfjs'
import { StepError } from '../core/errors.js'
import { assertSeed } from '../core/rng.js'
import type { StepModelConfig } from '../models/configs.js'
import type { StyleEncoder } from '../models/encoder.js'
import { GENERATOR_SIZE_MULTIPLE, type Generator } from '../models/generator.js'
import type { Mapper } from '../models/mapper.js'
import { normalNoise } from './noise.js'
import type { GeneratorNet, StyleEncoderNet, TranslationModel } from '../models/translator.js'
import { assertZ, interpolateCodes, scaleStyle, type InterpolationSpec } from './style-codes.js'

export { interpolateCodes, type InterpolationSpec } from './style-codes.js'

/** A trained model as the inference operations use it. */
export interface StepModel {
  readonly config: StepModelConfig
  readonly encoder: StyleEncoder
  readonly generator: Generator
  /** The IMLE mapper, or null when none was trained (sampling is then unavailable). */
  readonly mapper: Mapper | null
  /** The dataset's mean style code [zDim] (for style strength), or null (zero is used). */
  readonly meanCode: Float32Array | null
}

/** Images per forward pass (memory bound); results are identical for any value. */
export const INFERENCE_CHUNK = 16

/** Style codes of images [B, H, W, 3] in [-1, 1] -> z [B, zDim]. */
export function encode(model: TranslationModel, images: tf.Tensor4D): tf.Tensor2D {
  return applyEncoder(model.encoder, images)
}

/** encode() with a bare encoder (e.g. the Style Encode node's Encoder socket). */
export function applyEncoder(encoder: StyleEncoderNet, images: tf.Tensor4D): tf.Tensor2D {
  assertImageBatch('encode', 'images', images)
  return chunked(images.shape[0], (i0, n) =>
    encoder.apply(tf.slice(images, [i0, 0, 0, 0], [n, -1, -1, -1])),
  )
}

/**
 * G(content, z): content [B, H, W, 3] in [-1, 1] with z [B, zDim] -> images [B, H, W, 3]. Either
 * side may have batch 1 and is then broadcast over the other's batch.
 */
export function generate(
  model: TranslationModel,
  content: tf.Tensor4D,
  z: tf.Tensor2D,
): tf.Tensor4D {
  return applyGenerator(model.generator, content, z)
}

/** generate() with a bare generator (e.g. the Generate node's Generator socket). */
export function applyGenerator(
  generator: GeneratorNet,
  content: tf.Tensor4D,
  z: tf.Tensor2D,
): tf.Tensor4D {
  assertImageBatch('generate', 'content', content)
  const [b, h, w] = content.shape
  if (h % GENERATOR_SIZE_MULTIPLE !== 0 || w % GENERATOR_SIZE_MULTIPLE !== 0) {
    throw new RangeError(
      `generate: content [${content.shape.join(', ')}]: H and W must be multiples of ${GENERATOR_SIZE_MULTIPLE}`,
    )
  }
  const zDim = generator.config.zDim
  assertZ('generate', z, zDim)
  const nz = z.shape[0]
  if (b !== nz && b !== 1 && nz !== 1) {
    throw new RangeError(
      `generate: content [${content.shape.join(', ')}] and z [${z.shape.join(', ')}] have batch sizes ${b} and ${nz}; use equal sizes or 1 for either`,
    )
  }
  return chunked(Math.max(b, nz), (i0, n) => {
    const c = b === 1 ? tf.broadcastTo<tf.Rank.R4>(content, [n, h, w, 3]) : tf.slice(content, i0, n)
    const zz = nz === 1 ? tf.broadcastTo<tf.Rank.R2>(z, [n, zDim]) : tf.slice(z, i0, n)
    return generator.apply(c, zz)
  })
}

/** Random styles: `count` codes M(e), e ~ N(0, I) drawn from `seed`, applied to one content. */
export function sample(
  model: TranslationModel,
  content: tf.Tensor4D,
  count: number,
  seed: number,
): { images: tf.Tensor4D; z: tf.Tensor2D } {
  const mapper = model.mapper
  if (!mapper) {
    throw new StepError(
      'model/no-mapper',
      'this model has no mapper M, which random sampling needs; train one with `step train mapper`',
      'sample',
    )
  }
  assertImageBatch('sample', 'content', content)
  if (content.shape[0] !== 1)
    throw new RangeError(
      `sample: content must be one image [1, H, W, 3], got [${content.shape.join(', ')}]`,
    )
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`sample: count must be a positive integer, got ${count}`)
  assertSeed(seed, 'sample: seed')
  const zDim = mapper.config.zDim
  const noise = normalNoise(seed, count, zDim) // [count, zDim]
  const z = chunked(count, (i0, n) =>
    mapper.apply(tf.tensor2d(noise.subarray(i0 * zDim, (i0 + n) * zDim), [n, zDim])),
  )
  try {
    return { images: generate(model, content, z), z }
  } catch (err) {
    z.dispose()
    throw err
  }
}

/**
 * Styles between codes zs [N >= 2, zDim] applied to `content` (batch 1 or matching): with
 * `{ t, mode }` (N = 2) one output per t; with `{ weights }` (N codes) their normalised blend.
 */
export function interpolate(
  model: TranslationModel,
  content: tf.Tensor4D,
  zs: tf.Tensor2D,
  spec: InterpolationSpec,
): { images: tf.Tensor4D; z: tf.Tensor2D } {
  assertImageBatch('interpolate', 'content', content)
  const z = interpolateCodes(zs, spec, model.generator.config.zDim)
  try {
    return { images: generate(model, content, z), z }
  } catch (err) {
    z.dispose()
    throw err
  }
}

/**
 * meanCode + strength * (z - meanCode) for z [B, zDim]: strength 0 gives the dataset's mean style,
 * 1 leaves z unchanged, > 1 exaggerates it. A model without a mean code uses zero.
 */
export function styleStrength(
  model: TranslationModel,
  z: tf.Tensor2D,
  strength: number,
): tf.Tensor2D {
  return scaleStyle(z, strength, model.meanCode, model.encoder.config.zDim)
}

/** Checks an image batch [B >= 1, H, W, 3]; RangeError naming the operation and the shape. */
function assertImageBatch(op: string, name: string, x: tf.Tensor): asserts x is tf.Tensor4D {
  if (x.rank !== 4 || x.shape[3] !== 3 || x.shape[0] === 0) {
    throw new RangeError(`${op}: ${name} must be images [B, H, W, 3], got [${x.shape.join(', ')}]`)
  }
}

/** Runs f on chunks [i0, i0 + n) of `total` rows and concatenates; intermediates are freed. */
function chunked<T extends tf.Tensor>(total: number, f: (i0: number, n: number) => T): T {
  const parts: T[] = []
  try {
    for (let i0 = 0; i0 < total; i0 += INFERENCE_CHUNK)
      parts.push(tf.tidy(() => f(i0, Math.min(INFERENCE_CHUNK, total - i0))))
  } catch (err) {
    tf.dispose(parts)
    throw err
  }
  if (parts.length === 1) return parts[0] as T
  const out = tf.concat(parts, 0)
  tf.dispose(parts)
  return out
}
