/** Tiny baseline configs for tests and `step compare --quick` (16 px, 1 D scale). */
import type { BicycleGanConfig, MunitConfig } from './configs.js'

/** The smallest BicycleGAN that trains at 16 px. */
export const TINY_BICYCLEGAN: BicycleGanConfig = {
  family: 'bicyclegan',
  encoder: { zDim: 2, width: 4, blocks: [2, 3, 4], slope: 0.2, textureStats: true },
  generator: { zDim: 2, width: 4, encoderResBlocks: 1, decoderResBlocks: 1 },
  discriminator: { width: 4, scales: 1, mbstdGroup: 4, slope: 0.2 },
}

/** The smallest MUNIT that trains at 16 px. */
export const TINY_MUNIT: MunitConfig = {
  family: 'munit',
  zDim: 2,
  width: 4,
  downs: 2,
  resBlocks: 1,
  styleWidth: 4,
  mlpHidden: 8,
  discriminator: { width: 4, scales: 1, mbstdGroup: 4, slope: 0.2 },
}
