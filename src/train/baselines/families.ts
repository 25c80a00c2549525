/** The two baseline families as the training loop (trainer.ts) sees them. */
import {
  bicycleGanParams,
  createBicycleGan,
  disposeBicycleGan,
  type BicycleGanNets,
} from '../../models/baselines/bicyclegan.js'
import type { BicycleGanConfig, MunitConfig } from '../../models/baselines/configs.js'
import {
  createMunit,
  disposeMunit,
  munitParams,
  munitSizeMultiple,
  type MunitNets,
} from '../../models/baselines/munit.js'
import { discriminatorMinSize } from '../../models/discriminator.js'
import { encoderMinSize } from '../../models/encoder.js'
import { GENERATOR_SIZE_MULTIPLE } from '../../models/generator.js'
import {
  BICYCLEGAN_WEIGHTS,
  bicycleGanGradients,
  bicycleGanVars,
  type BicycleGanLosses,
  type BicycleGanWeights,
} from './bicyclegan-step.js'
import {
  MUNIT_WEIGHTS,
  munitGradients,
  munitVars,
  type MunitLosses,
  type MunitWeights,
} from './munit-step.js'
import type { BaselineFamily } from './trainer.js'

/** BicycleGAN: paired; Adam lr 2e-4, betas (0.5, 0.999) as the paper. */
export const BICYCLEGAN: BaselineFamily<
  BicycleGanNets,
  BicycleGanConfig,
  BicycleGanWeights,
  BicycleGanLosses
> = {
  name: 'bicyclegan',
  paired: true,
  adam: { lr: 2e-4, beta1: 0.5, beta2: 0.999 },
  weights: BICYCLEGAN_WEIGHTS,
  sizeRule: (c) => ({
    multiple: GENERATOR_SIZE_MULTIPLE,
    min: Math.max(
      GENERATOR_SIZE_MULTIPLE,
      discriminatorMinSize(c.discriminator),
      encoderMinSize(c.encoder),
    ),
  }),
  build: createBicycleGan,
  groups: bicycleGanParams,
  vars: bicycleGanVars,
  gradients: bicycleGanGradients,
  dispose: disposeBicycleGan,
}

/** MUNIT: unpaired; Adam lr 1e-4, betas (0.5, 0.999) as the paper. */
export const MUNIT: BaselineFamily<MunitNets, MunitConfig, MunitWeights, MunitLosses> = {
  name: 'munit',
  paired: false,
  adam: { lr: 1e-4, beta1: 0.5, beta2: 0.999 },
  weights: MUNIT_WEIGHTS,
  sizeRule: (c) => ({
    multiple: munitSizeMultiple(c),
    min: Math.max(munitSizeMultiple(c), discriminatorMinSize(c.discriminator)),
  }),
  build: createMunit,
  groups: munitParams,
  vars: munitVars,
  gradients: munitGradients,
  dispose: disposeMunit,
}
