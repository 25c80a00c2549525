/**
 * BicycleGAN's networks (Zhu et al. 2017; docs/decisions/0025) built from StEP's: the encoder is
 * StEP's E whose head gives 2 zDim outputs, read as the mean and log-variance of q(z | B); the
 * generator is StEP's G (z enters every decoder stage, as BicycleGAN's "all" variant); the two
 * discriminators (one for the cVAE-GAN's G(A, z ~ q(z | B)), one for the cLR-GAN's G(A, z ~ N(0, I)))
 * are StEP's conditional multi-scale D. Style encoding for inference is the mean.
 */
import * as tf from '@tensorflow/tfjs'
import { createDiscriminator, type Discriminator } from '../discriminator.js'
import { createEncoder, type StyleEncoder } from '../encoder.js'
import { createGenerator, type Generator } from '../generator.js'
import type { Params } from '../params.js'
import type { StyleEncoderNet } from '../translator.js'
import type { BicycleGanConfig } from './configs.js'

/** BicycleGAN's variational encoder: the mean and log-variance of q(z | B). */
export interface VaeEncoder extends StyleEncoderNet {
  /** The StEP encoder underneath (its head has 2 zDim outputs). */
  readonly net: StyleEncoder
  /** images [B, H, W, 3] -> mean [B, zDim] and log-variance [B, zDim]. */
  moments(images: tf.Tensor4D): { mu: tf.Tensor2D; logvar: tf.Tensor2D }
}

/** Every network of a BicycleGAN. */
export interface BicycleGanNets {
  readonly config: BicycleGanConfig
  readonly encoder: VaeEncoder
  readonly generator: Generator
  /** Judges G(A, z ~ q(z | B)) (cVAE-GAN). */
  readonly dVae: Discriminator
  /** Judges G(A, z ~ N(0, I)) (cLR-GAN). */
  readonly dLr: Discriminator
}

/** Wraps a StEP encoder with a 2 zDim head as BicycleGAN's encoder of zDim codes. */
export function vaeEncoder(net: StyleEncoder, zDim: number): VaeEncoder {
  if (net.config.zDim !== 2 * zDim)
    throw new RangeError(`vaeEncoder: head has ${net.config.zDim} outputs, expected ${2 * zDim}`)
  const moments = (images: tf.Tensor4D) => {
    const [mu, logvar] = tf.tidy(() => tf.split<tf.Tensor2D>(net.apply(images), 2, 1))
    return { mu: mu as tf.Tensor2D, logvar: logvar as tf.Tensor2D }
  }
  return {
    net,
    config: { zDim },
    params: net.params,
    moments,
    apply: (images) => tf.tidy(() => moments(images).mu),
    dispose: () => net.dispose(),
  }
}

/** Builds the networks, weights drawn from `seed` (E 'enc/', G 'gen/', D 'dis/' twice). */
export function createBicycleGan(config: BicycleGanConfig, seed = 0): BicycleGanNets {
  const zDim = config.generator.zDim
  const encoder = vaeEncoder(createEncoder({ ...config.encoder, zDim: 2 * zDim }, seed + 1), zDim)
  const generator = createGenerator(config.generator, seed + 2)
  const dVae = createDiscriminator(config.discriminator, seed + 3)
  const dLr = createDiscriminator(config.discriminator, seed + 4)
  return { config, encoder, generator, dVae, dLr }
}

/** The networks' parameters by checkpoint group. */
export function bicycleGanParams(n: BicycleGanNets): Record<string, Params> {
  return {
    encoder: n.encoder.params,
    generator: n.generator.params,
    discriminator_vae: n.dVae.params,
    discriminator_lr: n.dLr.params,
  }
}

/** Disposes every network. */
export function disposeBicycleGan(n: BicycleGanNets): void {
  n.encoder.dispose()
  n.generator.dispose()
  n.dVae.dispose()
  n.dLr.dispose()
}
