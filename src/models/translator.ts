/**
 * The common model interface (docs/decisions/0025): what encoding a style, generating and sampling
 * need of any model family (StEP, BicycleGAN, MUNIT). A family's networks satisfy these narrow
 * shapes structurally, so Style Encode, Generate, Gaussian Sample -> Mapper, the inference
 * functions and the evaluation run unchanged on any of them.
 */
import * as tf from '@tensorflow/tfjs'
import { assertCodes } from './layers.js'
import { Params } from './params.js'

/** Families that can be trained and compared. */
export const MODEL_FAMILIES = ['step', 'bicyclegan', 'munit'] as const
/** One of MODEL_FAMILIES. */
export type ModelFamily = (typeof MODEL_FAMILIES)[number]

/** A network with variables (counted, moved and released by the graph's cache). */
export interface Network {
  readonly params: Params
  dispose(): void
}

/** Style encoding: images [B, H, W, 3] in [-1, 1] -> style codes [B, zDim]. */
export interface StyleEncoderNet extends Network {
  readonly config: { readonly zDim: number }
  apply(images: tf.Tensor4D): tf.Tensor2D
}

/** Generation: content [B, H, W, 3] in [-1, 1] and codes [B, zDim] -> images [B, H, W, 3]. */
export interface GeneratorNet extends Network {
  readonly config: { readonly zDim: number }
  apply(content: tf.Tensor4D, z: tf.Tensor2D): tf.Tensor4D
}

/** Sampling: noise e ~ N(0, I) [B, zDim] -> style codes [B, zDim] (StEP's mapper M). */
export interface StyleSamplerNet extends Network {
  readonly config: { readonly zDim: number }
  apply(e: tf.Tensor2D): tf.Tensor2D
}

/** A trained model as inference and evaluation use it, whatever its family. */
export interface TranslationModel {
  readonly encoder: StyleEncoderNet
  readonly generator: GeneratorNet
  /** Maps noise to codes; null when a StEP model has no mapper yet. */
  readonly mapper: StyleSamplerNet | null
  /** The dataset's mean style code [zDim], or null (zero is used). */
  readonly meanCode: Float32Array | null
}

/**
 * The sampler of a family whose style prior is N(0, I) itself (BicycleGAN, MUNIT): the identity,
 * with no variables. Gaussian Sample -> Mapper -> Generate then samples these models as it samples
 * a StEP model through M.
 */
export function gaussianPrior(zDim: number): StyleSamplerNet {
  const params = new Params(0, 'prior')
  return {
    config: { zDim },
    params,
    apply: (e) =>
      tf.tidy(() => {
        assertCodes('prior input', e, zDim)
        return tf.clone(e)
      }),
    dispose: () => params.dispose(),
  }
}
