/**
 * Losses of stages 2 and 3 (docs/method.md): the least-squares GAN losses of G and D summed over
 * the discriminator's scales, and the perceptual loss
 *   L_percept = sum_l w_l * mean((0.1 * (phi_l(G) - phi_l(B)))^2)
 * over the taps of a FeatureExtractor. The paper's weights w = [1/32, 1/16, 1/8, 1/4, 1] belong to
 * VGG-16's five taps, finest first; an extractor with fewer taps gets the LAST ones (3 taps:
 * [1/8, 1/4, 1]), so the deepest tap always weighs 1; one with more taps continues halving
 * towards the first (1/64, 1/128, ...).
 */
import * as tf from '@tensorflow/tfjs'
import type { FeatureExtractor } from '../../models/features/types.js'

/** Paper weights of the perceptual taps, finest first. */
export const PERCEPT_TAP_WEIGHTS: readonly number[] = [1 / 32, 1 / 16, 1 / 8, 1 / 4, 1]
/** Feature differences are scaled by this before squaring (the released code's 0.1). */
export const PERCEPT_SCALE = 0.1

/** Loss weights of L_G (paper defaults). */
export interface GanLossWeights {
  /** LSGAN term (1). */
  readonly adversarial: number
  /** Perceptual term (0.02). */
  readonly perceptual: number
  /** z regulariser mean(z^2), active only when E trains (0.01). */
  readonly zReg: number
  /** Pixel L1 mean|G - B| (0: not in the paper; recipe.ts). */
  readonly l1: number
  /** Gram texture term on the perceptual taps (0: not in the paper; recipe.ts). */
  readonly gram: number
  /** Latent regression mean((E(G(A, z)) - z)^2) (0: not in the paper; recipe.ts). */
  readonly latent: number
}

/** Paper loss weights. */
export const GAN_LOSS_WEIGHTS: GanLossWeights = Object.freeze({
  adversarial: 1,
  perceptual: 0.02,
  zReg: 0.01,
  l1: 0,
  gram: 0,
  latent: 0,
})

/**
 * Default perceptual weight per feature network. The paper's 0.02 is calibrated for VGG-16 on
 * 0..255 inputs, whose deep activations are large; ResNet50's batch-normalised taps are O(1), so
 * with 0.02 the term is ~1e-3 of the adversarial one and G learns no reconstruction (measured:
 * stage 2, small preset, 64 px, 600 steps: g_percept flat at 0.037, PSNR of G(A, E(B)) equal to the
 * z = 0 ablation). With 40 the term starts at ~1.6, the order of the adversarial term
 * (docs/decisions/0007).
 */
export function defaultPerceptualWeight(extractorId: string): number {
  return extractorId === 'resnet50' ? 40 : GAN_LOSS_WEIGHTS.perceptual
}

/** The per-tap weights for an extractor with `taps` taps (see the module comment). */
export function perceptualWeights(taps: number): number[] {
  if (!Number.isInteger(taps) || taps < 1)
    throw new RangeError(`perceptualWeights: expected a tap count >= 1, got ${taps}`)
  const paper = PERCEPT_TAP_WEIGHTS
  return Array.from({ length: taps }, (_, i) => {
    const fromEnd = taps - 1 - i // 0 = deepest tap
    const w = paper[paper.length - 1 - fromEnd]
    return w ?? (paper[0] ?? 1) / 2 ** (fromEnd - paper.length + 1)
  })
}

/** mean((x - target)^2) summed over the scales. maps: one logit map per scale. */
function sumOfSquaredErrors(maps: readonly tf.Tensor[], target: number): tf.Scalar {
  if (maps.length === 0) throw new RangeError('LSGAN loss: no discriminator outputs')
  return tf.tidy(() => tf.addN(maps.map((m) => tf.mean<tf.Scalar>(tf.square(tf.sub(m, target))))))
}

/** G's LSGAN loss: sum over scales of mean((D_s(fake) - 1)^2). */
export function lsganGeneratorLoss(fakeMaps: readonly tf.Tensor[]): tf.Scalar {
  return sumOfSquaredErrors(fakeMaps, 1)
}

/** D's LSGAN loss: real = sum_s mean((D_s(B) - 1)^2), fake = sum_s mean(D_s(G)^2). */
export function lsganDiscriminatorLoss(
  realMaps: readonly tf.Tensor[],
  fakeMaps: readonly tf.Tensor[],
): { real: tf.Scalar; fake: tf.Scalar } {
  return { real: sumOfSquaredErrors(realMaps, 1), fake: sumOfSquaredErrors(fakeMaps, 0) }
}

/**
 * sum_l w_l * mean((0.1 * (a_l - b_l))^2) over matching feature lists (finest first), with
 * `weights` defaulting to perceptualWeights(taps).
 */
export function perceptualDistance(
  a: readonly tf.Tensor[],
  b: readonly tf.Tensor[],
  weights: readonly number[] = perceptualWeights(a.length),
): tf.Scalar {
  if (a.length !== b.length || a.length !== weights.length || a.length === 0) {
    throw new RangeError(
      `perceptualDistance: ${a.length} and ${b.length} feature maps with ${weights.length} weights`,
    )
  }
  return tf.tidy(() =>
    tf.addN(
      a.map((fa, l) => {
        const diff = tf.mul(tf.sub(fa, b[l] as tf.Tensor), PERCEPT_SCALE)
        return tf.mul<tf.Scalar>(tf.mean(tf.square(diff)), weights[l] ?? 0)
      }),
    ),
  )
}

/**
 * Perceptual loss of images against precomputed target features (the target needs no gradient,
 * so its features are extracted once outside the gradient tape). fake [B, H, W, 3] in [-1, 1].
 */
export function perceptualLoss(
  extractor: FeatureExtractor,
  fake: tf.Tensor4D,
  targetFeatures: readonly tf.Tensor[],
): tf.Scalar {
  return tf.tidy(() => perceptualDistance(extractor.extract(fake), targetFeatures))
}

/** The z regulariser's raw value mean(z^2). z [B, zDim]. */
export function zRegulariser(z: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean<tf.Scalar>(tf.square(z)))
}
