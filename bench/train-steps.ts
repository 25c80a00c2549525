/**
 * Training step time per stage at the `small` config, 64 px, batch 8, on the current backend:
 * stage 1 (encoder on 8 triplets = 24 images, batch-contrastive loss), stage 2 (G + D with E
 * frozen, ResNet50 perceptual loss on its first 3 taps, as the default model was trained),
 * stage 3 (G + E + D) and the mapper (one Adam step of IMLE's objective on 8 codes; the exact
 * nearest-neighbour search runs once per epoch and is not included). Inputs are random images:
 * a step's cost does not depend on their content. Warm-up steps excluded, median of `runs`.
 * bench/peers/torch_train.py reproduces the encoder and generator steps in PyTorch.
 */
import * as tf from '@tensorflow/tfjs'
import { SMALL } from '../src/models/configs.js'
import { createDiscriminator } from '../src/models/discriminator.js'
import { createEncoder } from '../src/models/encoder.js'
import { loadFeatureExtractor, type FeatureExtractor } from '../src/models/features/index.js'
import { createGenerator } from '../src/models/generator.js'
import { createMapper } from '../src/models/mapper.js'
import { startShardPool } from '../src/runtime/shard-pool.node.js'
import { Adam } from '../src/train/adam.js'
import { batchContrastLoss } from '../src/train/encoder/batch-contrast-loss.js'
import { disposeModels } from '../src/train/gan/checkpoint.js'
import type { GanNetworks } from '../src/train/gan/gradients.js'
import { GAN_LOSS_WEIGHTS } from '../src/train/gan/losses.js'
import type { ShardPool } from '../src/train/gan/shards.js'
import { GanStep } from '../src/train/gan/step.js'
import { median } from './common.js'

/** A stage whose step the bench times. */
export type TrainStage = 'encoder' | 'generator' | 'finetune' | 'mapper'

/** Every stage, in the order they are timed. */
export const TRAIN_STAGES: readonly TrainStage[] = ['encoder', 'generator', 'finetune', 'mapper']

/** One stage's measured step. */
export interface TrainStepRow {
  readonly stage: TrainStage
  readonly backend: string
  readonly size: number
  readonly batch: number
  /** wasm: XNNPACK threads (with `batch`: shards of 1 thread each); cpu: 1; webgpu: null. */
  readonly threads: number | null
  /**
   * How the threads are used: `kernels` (every op split over them) or `batch` (the stage-2
   * batch split over worker threads, train/gan/shards.ts).
   */
  readonly parallel: 'kernels' | 'batch'
  readonly median_ms: number
  /** Training images (stage 1: triplet images; mapper: codes) per second. */
  readonly items_per_s: number
  /** Timed steps behind the median. */
  readonly runs: number
}

/** How timeTrainingSteps runs. */
export interface TrainStepOptions {
  /** Timed steps per stage (median). */
  readonly runs: number
  /** Untimed steps first (default 2). */
  readonly warmup?: number
  /** Recorded in the rows: the threads the current backend runs with (default 1). */
  readonly threads?: number | null
  /** Stages to time (default all, TRAIN_STAGES). */
  readonly stages?: readonly TrainStage[]
}

/** Image size of the timed training steps (px). */
export const TRAIN_SIZE = 64
/** Batch of the timed training steps. */
export const TRAIN_BATCH = 8
const ADAM = { lr: 1e-3, beta1: 0, beta2: 0.99 }

async function medianMs(step: () => Promise<void>, runs: number, warmup: number): Promise<number> {
  for (let i = 0; i < warmup; i++) await step()
  const t: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    await step()
    t.push(performance.now() - t0)
  }
  return median(t)
}

const images = (n: number) => tf.randomUniform<tf.Rank.R4>([n, TRAIN_SIZE, TRAIN_SIZE, 3], -1, 1)

/** A timed step of one stage: `step` runs it, `items` it processes, `dispose` frees it. */
interface StageStep {
  readonly step: () => Promise<void>
  readonly items: number
  readonly dispose: () => void
}

function encoderStep(): StageStep {
  const encoder = createEncoder(SMALL.encoder, 1)
  const adam = new Adam(encoder.params.list(), ADAM)
  const triplets = images(3 * TRAIN_BATCH)
  return {
    step: async () => {
      const loss = adam.minimize(() => {
        const [za, zp, zn] = tf.split<tf.Tensor2D>(encoder.apply(triplets), 3, 0)
        return batchContrastLoss(za as tf.Tensor2D, zp as tf.Tensor2D, zn as tf.Tensor2D).total
      })
      await loss.data()
      loss.dispose()
    },
    items: 3 * TRAIN_BATCH,
    dispose: () => {
      tf.dispose(triplets)
      adam.dispose()
      encoder.dispose()
    },
  }
}

/** The pieces of one stage-2/3 step: networks, feature extractor, a batch and the GanStep. */
export interface GanBench {
  readonly nets: GanNetworks
  readonly extractor: FeatureExtractor
  /** A: content `input`; B: target `output` (random images, [8, 64, 64, 3]). */
  readonly pair: { readonly input: tf.Tensor4D; readonly output: tf.Tensor4D }
  readonly gan: GanStep
  /** Runs one step (GanStep.run at the bench's learning rate). */
  readonly step: () => Promise<void>
  readonly dispose: () => void
}

/** The fixed reference's perceptual features: ResNet50 on its first 3 taps. */
const REFERENCE_FEATURES = { spec: 'resnet50', options: { taps: 3 } } as const

/**
 * Stage 2 (`generator`) or 3 (`finetune`) at the fixed reference: ResNet50 on 3 taps; with
 * `shards`, each batch is split over that pool (gan/shards.ts).
 */
export async function createGanBench(
  stage: 'generator' | 'finetune',
  shards: ShardPool | null = null,
): Promise<GanBench> {
  const extractor = await loadFeatureExtractor(REFERENCE_FEATURES.spec, REFERENCE_FEATURES.options)
  const pair = { input: images(TRAIN_BATCH), output: images(TRAIN_BATCH) }
  const nets = {
    encoder: createEncoder(SMALL.encoder, 1),
    generator: createGenerator(SMALL.generator, 2),
    discriminator: createDiscriminator(SMALL.discriminator, 3),
  }
  const gan = new GanStep(nets, extractor, {
    trainEncoder: stage === 'finetune',
    adam: ADAM,
    shards,
  })
  return {
    nets,
    extractor,
    pair,
    gan,
    step: async () => {
      await gan.run(pair, ADAM.lr)
    },
    dispose: () => {
      gan.dispose()
      disposeModels(nets)
      tf.dispose([pair.input, pair.output])
      extractor.dispose()
    },
  }
}

function mapperStep(): StageStep {
  const mapper = createMapper(SMALL.mapper, 4)
  const adam = new Adam(mapper.params.list(), ADAM)
  const noise = tf.randomNormal<tf.Rank.R2>([TRAIN_BATCH, SMALL.mapper.zDim])
  const targets = tf.randomNormal<tf.Rank.R2>([TRAIN_BATCH, SMALL.mapper.zDim])
  return {
    step: async () => {
      const loss = adam.minimize(() =>
        tf.mean(tf.sum(tf.square(tf.sub(mapper.apply(noise), targets)), 1)),
      )
      await loss.data()
      loss.dispose()
    },
    items: TRAIN_BATCH,
    dispose: () => {
      tf.dispose([noise, targets])
      adam.dispose()
      mapper.dispose()
    },
  }
}

async function stageStep(stage: TrainStage): Promise<StageStep> {
  if (stage === 'encoder') return encoderStep()
  if (stage === 'mapper') return mapperStep()
  const bench = await createGanBench(stage)
  return { step: bench.step, items: TRAIN_BATCH, dispose: bench.dispose }
}

/** Times one step of each stage on the current backend (see the module comment). */
export async function timeTrainingSteps(options: TrainStepOptions): Promise<TrainStepRow[]> {
  const rows: TrainStepRow[] = []
  for (const stage of options.stages ?? TRAIN_STAGES) {
    const s = await stageStep(stage)
    try {
      const ms = await medianMs(s.step, options.runs, options.warmup ?? 2)
      rows.push({
        stage,
        backend: tf.getBackend(),
        size: TRAIN_SIZE,
        batch: TRAIN_BATCH,
        threads: options.threads === undefined ? 1 : options.threads,
        parallel: 'kernels',
        median_ms: Number(ms.toFixed(1)),
        items_per_s: Number(((s.items * 1000) / ms).toFixed(1)),
        runs: options.runs,
      })
    } finally {
      s.dispose()
    }
  }
  return rows
}

/**
 * The stage-2 step with its batch split over `threads` shards (this thread and threads - 1
 * workers, 1 wasm thread each; call with the wasm backend at 1 thread), as one row.
 */
export async function timeShardedStage2(options: {
  readonly threads: number
  readonly runs: number
  readonly warmup?: number
}): Promise<TrainStepRow> {
  const probe = await loadFeatureExtractor(REFERENCE_FEATURES.spec, REFERENCE_FEATURES.options)
  const fingerprint = probe.fingerprint
  probe.dispose()
  const pool = await startShardPool(options.threads - 1, {
    config: SMALL,
    features: REFERENCE_FEATURES.spec,
    featureOptions: REFERENCE_FEATURES.options,
    fingerprint,
    trainEncoder: false,
    weights: GAN_LOSS_WEIGHTS,
  })
  const bench = await createGanBench('generator', pool)
  try {
    const ms = await medianMs(bench.step, options.runs, options.warmup ?? 2)
    return {
      stage: 'generator',
      backend: tf.getBackend(),
      size: TRAIN_SIZE,
      batch: TRAIN_BATCH,
      threads: options.threads,
      parallel: 'batch',
      median_ms: Number(ms.toFixed(1)),
      items_per_s: Number(((TRAIN_BATCH * 1000) / ms).toFixed(1)),
      runs: options.runs,
    }
  } finally {
    bench.dispose()
    await pool.dispose()
  }
}
