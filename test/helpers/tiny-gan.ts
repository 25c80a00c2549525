/**
 * The tiny E, G and D the GAN-stage tests train: small enough that a step takes about a second
 * on the cpu backend (its conv gradients are slow), with every part of the real networks.
 */
import { stepModelConfig } from '../../src/models/configs.js'

/** The `small` preset shrunk to width 4, zDim 2, one resblock per side and one D scale. */
export const TINY_GAN_CONFIG = stepModelConfig('small', {
  encoder: { width: 4, zDim: 2 },
  generator: { zDim: 2, width: 4, encoderResBlocks: 1, decoderResBlocks: 1 },
  discriminator: { width: 4, scales: 1 },
  mapper: { zDim: 2 },
})
