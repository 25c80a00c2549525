/**
 * The training stages as whole runs over an opened dataset and a checkpoint store — what both
 * the `step train …` commands and the graph's training nodes call, so that a stage behaves the
 * same from either. Each loads its features, checks what it starts from, trains and releases
 * everything but the trained networks it returns.
 */
import { StepError } from '../core/errors.js'
import { createRng, deriveSeed } from '../core/rng.js'
import type { PairedDataset } from '../data/paired.js'
import type { StepModelConfig } from '../models/configs.js'
import { loadFeatureExtractor } from '../models/features/index.js'
import type { CheckpointIO } from '../checkpoint/format.js'
import { encodeAll } from './eval/encoder-precision.js'
import { disposeLoaded, type LoadedCheckpoint } from '../checkpoint/loaded.js'
import { disposeModels, ganInitFromCheckpoint } from './gan/checkpoint.js'
import { defaultPerceptualWeight } from './gan/losses.js'
import { shardPlan, type DataParallel, type ShardPool } from './gan/shards.js'
import {
  meanCodeOf,
  trainMapper,
  type MapperProgress,
  type MapperResult,
} from './mapper/train-mapper.js'
import type { StepModel } from '../inference/model.js'
import type { MiningMode, NeighbourCache } from './mining/mine.js'
import type { NegativeMode } from './mining/triplets.js'
import { describeRecipe, RECIPE_OPTION, type RecipeName, type RecipeWeights } from './gan/recipe.js'
import { disposeModel, modelFromCheckpoint, modelGroupsOf } from '../inference/load.js'
import {
  trainEncoder,
  type Stage1Loss,
  type Stage1Progress,
  type Stage1Result,
} from './encoder/train-encoder.js'
import {
  trainGenerator,
  trainingSettings,
  type GanStage,
  type Stage2Options,
  type Stage2Progress,
  type Stage2Result,
} from './gan/train-generator.js'
import { StyleImages } from './style-images.js'

/** What every stage run takes. */
export interface RunBase {
  readonly dataset: PairedDataset
  readonly io: CheckpointIO
  readonly seed: number
  readonly resume: boolean
  readonly signal?: AbortSignal
  /** One line of information (features used, counts). */
  readonly log?: (message: string) => void
}

/** Stage 1 request. */
export interface EncoderRun extends RunBase {
  readonly config: StepModelConfig
  readonly features: string
  readonly size: number
  readonly steps: number
  readonly batch: number
  readonly lr?: number
  readonly lrDecay?: number
  readonly loss?: Stage1Loss
  readonly mining: MiningMode
  readonly negatives?: NegativeMode
  readonly every: number
  readonly cache?: NeighbourCache
  readonly onProgress?: (p: Stage1Progress) => void
}

/** Stage 1 on the training split; the returned encoder is the caller's. */
export async function runEncoderStage(r: EncoderRun): Promise<Stage1Result> {
  const images = new StyleImages(r.dataset, 'train', r.size)
  const fingerprint = await r.dataset.fingerprint('train')
  const extractor = await loadFeatureExtractor(r.features)
  try {
    r.log?.(`features: ${extractor.description}`)
    r.log?.(
      `data: ${images.count} training images of ${r.dataset.label} (fingerprint ${fingerprint})`,
    )
    return await trainEncoder({
      images,
      datasetFingerprint: fingerprint,
      extractor,
      config: r.config,
      steps: r.steps,
      seed: r.seed,
      io: r.io,
      batchSize: r.batch,
      mining: r.mining,
      ...(r.negatives ? { negatives: r.negatives } : {}),
      ...(r.lr !== undefined ? { lr: r.lr } : {}),
      ...(r.lrDecay !== undefined ? { lrDecay: r.lrDecay } : {}),
      ...(r.loss ? { loss: r.loss } : {}),
      checkpointEvery: r.every,
      resume: r.resume,
      ...(r.cache ? { cache: r.cache } : {}),
      ...(r.signal ? { signal: r.signal } : {}),
      ...(r.onProgress ? { onProgress: r.onProgress } : {}),
    })
  } finally {
    extractor.dispose()
  }
}

/** Stage 2 or 3 request; `from` is consumed (its tensors are disposed). */
export interface GanRun extends RunBase {
  readonly stage: GanStage
  readonly from: LoadedCheckpoint
  readonly fromLabel: string
  readonly features: string
  readonly perceptTaps?: number
  readonly perceptWeight?: number
  /** Loss recipe (default RECIPE_OPTION.default; recipe.ts). */
  readonly recipe?: RecipeName
  /** Term weights overriding the recipe's. */
  readonly recipeWeights?: Partial<RecipeWeights>
  readonly size: number
  readonly steps: number
  readonly batch: number
  readonly lr?: number
  readonly every: number
  readonly samples: number
  readonly onProgress?: (p: Stage2Progress) => void
  /**
   * Split each step's batch over worker threads (gan/shards.ts) when it splits evenly with whole
   * minibatch-stddev groups; else (or without it) the whole batch runs on this thread.
   */
  readonly dataParallel?: DataParallel
}

/**
 * The stages a GAN stage may start from. Stage 2 from a stage-2 checkpoint continues its G, D
 * and their average with E still frozen, under a schedule (steps, lr, recipe) of its own.
 */
export const GAN_SOURCES: Readonly<Record<GanStage, readonly string[]>> = {
  generator: ['encoder', 'generator'],
  finetune: ['generator', 'finetune'],
}

/** Stage 2 or 3; the returned models are the caller's (disposeModels). */
export async function runGanStage(r: GanRun): Promise<Stage2Result> {
  const wanted = GAN_SOURCES[r.stage]
  if (!wanted.includes(r.from.manifest.stage)) {
    disposeLoaded(r.from)
    throw new StepError(
      'checkpoint/stage',
      `holds a '${r.from.manifest.stage}' checkpoint; ${r.stage === 'generator' ? 'stage 2' : 'stage 3'} starts from ${wanted.map((w) => `'${w}'`).join(' or ')}`,
      r.fromLabel,
    )
  }
  const { config, init } = ganInitFromCheckpoint(r.from, r.fromLabel)
  const featureOptions = r.perceptTaps === undefined ? {} : { taps: r.perceptTaps }
  const extractor = await loadFeatureExtractor(r.features, featureOptions).catch((err: unknown) => {
    disposeModels(init)
    throw err
  })
  let pool: ShardPool | null = null
  let handedOver = false // trainGenerator owns `init` once called
  try {
    r.log?.(`features: ${extractor.description}`)
    r.log?.(`loss recipe: ${describeRecipe(r.recipe ?? RECIPE_OPTION.default, r.recipeWeights)}`)
    const fingerprint = await r.dataset.fingerprint('train')
    r.log?.(`data: ${r.dataset.split('train').length} training pairs of ${r.dataset.label}`)
    const options: Stage2Options = {
      stage: r.stage,
      dataset: r.dataset,
      datasetFingerprint: fingerprint,
      extractor,
      config,
      size: r.size,
      steps: r.steps,
      seed: r.seed,
      io: r.io,
      init,
      batchSize: r.batch,
      ...(r.lr !== undefined ? { lr: r.lr } : {}),
      ...(r.recipe ? { recipe: r.recipe } : {}),
      weights: {
        perceptual: r.perceptWeight ?? defaultPerceptualWeight(extractor.id),
        ...r.recipeWeights,
      },
      checkpointEvery: r.every,
      sampleEvery: r.samples,
      resume: r.resume,
      ...(r.signal ? { signal: r.signal } : {}),
      ...(r.onProgress ? { onProgress: r.onProgress } : {}),
    }
    const dp = r.dataParallel
    if (dp && dp.shards > 1) {
      const group = config.discriminator.mbstdGroup
      if (shardPlan(r.batch, dp.shards, group)) {
        pool = await dp.start({
          config,
          features: r.features,
          featureOptions,
          fingerprint: extractor.fingerprint,
          trainEncoder: r.stage === 'finetune',
          weights: trainingSettings(options).weights,
        })
        r.log?.(
          `data-parallel: each batch of ${r.batch} in ${dp.shards} shards of ${r.batch / dp.shards} (this thread and ${dp.shards - 1} worker${dp.shards > 2 ? 's' : ''})`,
        )
      } else {
        r.log?.(
          `data-parallel: off (a batch of ${r.batch} does not split into ${dp.shards} shards of whole minibatch-stddev groups of ${group}); the whole batch runs on this thread`,
        )
      }
    }
    handedOver = true
    return await trainGenerator({ ...options, shards: pool })
  } catch (err) {
    if (!handedOver) disposeModels(init)
    throw err
  } finally {
    await pool?.dispose()
    extractor.dispose()
  }
}

/** Mapper request; `from` (a stage-2/3 checkpoint) is consumed. */
export interface MapperRun extends RunBase {
  readonly from: LoadedCheckpoint
  readonly fromLabel: string
  readonly epochs: number
  readonly batch: number
  readonly every: number
  /** Encode at most this many training images (a seeded subset). */
  readonly maxCodes: number
  readonly onProgress?: (p: MapperProgress) => void
}

/** Trains M on E's codes of the training split; returns the run and the whole model (caller's). */
export async function runMapperStage(
  r: MapperRun,
): Promise<{ result: MapperResult; model: StepModel; size: number }> {
  const size = r.from.manifest.dataset.size
  const model = await modelFromCheckpoint(r.from, r.fromLabel)
  try {
    const images = new StyleImages(r.dataset, 'train', size)
    const all = Array.from({ length: images.count }, (_, i) => i)
    const picked =
      images.count > r.maxCodes
        ? createRng(deriveSeed(r.seed, 'mapper-codes'))
            .shuffled(all)
            .slice(0, r.maxCodes)
            .sort((a, b) => a - b)
        : all
    r.log?.(`encoding ${picked.length} of ${images.count} training images at ${size} px`)
    const codes = await encodeAll(model.encoder, images, 32, picked, r.signal)
    const result = await trainMapper({
      codes,
      config: model.config,
      dataset: {
        label: r.dataset.label,
        fingerprint: await r.dataset.fingerprint('train'),
        size,
        count: images.count,
      },
      seed: r.seed,
      io: r.io,
      epochs: r.epochs,
      batchSize: r.batch,
      checkpointEvery: r.every,
      extraGroups: modelGroupsOf({ ...model, mapper: null }),
      resume: r.resume,
      ...(r.signal ? { signal: r.signal } : {}),
      ...(r.onProgress ? { onProgress: r.onProgress } : {}),
    })
    const meanCode = meanCodeOf(codes, model.config.encoder.zDim)
    return { result, model: { ...model, mapper: result.mapper, meanCode }, size }
  } catch (err) {
    disposeModel(model)
    throw err
  }
}
