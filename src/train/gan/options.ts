/**
 * What a stage-2/3 run (train-generator.ts) is given: the stage, its progress records and every
 * option. Declared apart so the run's setup (setup.ts) can read them without importing the run.
 */
import type { PairedDataset } from '../../data/paired.js'
import type { StepModelConfig } from '../../models/configs.js'
import type { FeatureExtractor } from '../../models/features/types.js'
import type { CheckpointIO } from '../../checkpoint/format.js'
import type { GanLossWeights } from './losses.js'
import type { GanLosses } from './gradients.js'
import type { ShardPool } from './shards.js'
import type { GanInit } from './checkpoint.js'
import type { RecipeName } from './recipe.js'
import type { TrainingFaults } from '../train-faults.js'

/** The two stages this trainer runs. */
export type GanStage = 'generator' | 'finetune'

/** Progress of a stage-2/3 run, after each step. */
export interface Stage2Progress {
  readonly stage: GanStage
  readonly step: number
  readonly steps: number
  readonly losses: GanLosses
  readonly lr: number
  readonly imagesPerSecond: number
  readonly etaSeconds: number
}

/** Options of trainGenerator. Defaults are the paper's. */
export interface Stage2Options {
  readonly stage: GanStage
  readonly dataset: PairedDataset
  /** Fingerprint of the training split (dataset.fingerprint('train')): resume checks it. */
  readonly datasetFingerprint: string
  /** Perceptual-loss features (resnet50 / vgg16; 'random' in tests). */
  readonly extractor: FeatureExtractor
  readonly config: StepModelConfig
  /** Side of the random training crops (a multiple of 8). */
  readonly size: number
  /** Side pairs are fitted to before cropping (default round(1.125 size)). */
  readonly loadSize?: number
  readonly steps: number
  readonly seed: number
  readonly io: CheckpointIO
  /**
   * Starting networks; the trainer takes them over (they come back in the result, or are disposed
   * on error). Stage 'generator' needs `encoder` (stage 1's E); 'finetune' also needs `generator`
   * (stage 2's). Missing G / D are built from the config; missing averages copy their network.
   * A resumed run overwrites all of them with its checkpoint.
   */
  readonly init?: GanInit
  readonly batchSize?: number
  readonly lr?: number
  readonly beta1?: number
  readonly beta2?: number
  /** Fraction of the steps over which the lr decays linearly to 0 (default 0.4). */
  readonly decayFraction?: number
  readonly emaDecay?: number
  /** Loss recipe (default RECIPE_OPTION.default, 'texture'; 'paper' is the paper's loss set exactly). */
  readonly recipe?: RecipeName
  /** Loss weights; l1, gram and latent override the recipe's. */
  readonly weights?: Partial<GanLossWeights>
  readonly checkpointEvery?: number
  /** Steps between sample sheets (0: none; needs io.writeSample). */
  readonly sampleEvery?: number
  /** Validation pairs (columns) per sample sheet (default 4). */
  readonly sampleCount?: number
  readonly resume?: boolean
  readonly signal?: AbortSignal
  readonly onProgress?: (p: Stage2Progress) => void
  /** Worker threads that share each step's batch (gan/shards.ts; the caller disposes it). */
  readonly shards?: ShardPool | null
  /** Forced faults (tests only); losses by their logged names (GAN_LOSS_NAMES). */
  readonly faults?: TrainingFaults
}
