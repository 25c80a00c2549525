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
import { loadFeatureExtractor } from '../src/models/features/index.js'
import { createGenerator } from '../src/models/generator.js'
import { createMapper } from '../src/models/mapper.js'
import { Adam } from '../src/train/adam.js'
import { batchContrastLoss } from '../src/train/batch-contrast-loss.js'
import { disposeModels } from '../src/train/gan-checkpoint.js'
import { GanStep } from '../src/train/gan-step.js'
import { median } from './common.js'

/** One stage's measured step. */
export interface TrainStepRow {
  readonly stage: 'encoder' | 'generator' | 'finetune' | 'mapper'
  readonly size: number
  readonly batch: number
  /** Threads the backend ran with (wasm threads; 1 on single-threaded backends). */
  readonly threads: number
  readonly median_ms: number
  /** Training images (stage 1: triplet images; mapper: codes) per second. */
  readonly items_per_s: number
}

const SIZE = 64
const BATCH = 8
const ADAM = { lr: 1e-3, beta1: 0, beta2: 0.99 }

async function medianMs(step: () => Promise<void>, runs: number, warmup = 2): Promise<number> {
  for (let i = 0; i < warmup; i++) await step()
  const t: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    await step()
    t.push(performance.now() - t0)
  }
  return median(t)
}

function row(
  stage: TrainStepRow['stage'],
  ms: number,
  items: number,
  threads: number,
): TrainStepRow {
  return {
    stage,
    size: SIZE,
    batch: BATCH,
    threads,
    median_ms: Number(ms.toFixed(1)),
    items_per_s: Number(((items * 1000) / ms).toFixed(1)),
  }
}

/**
 * Times one step of each stage; `runs` timed steps each after `warmup` untimed ones. `threads`
 * (recorded in the rows) is the thread count the current backend runs with.
 */
export async function timeTrainingSteps(
  runs: number,
  warmup = 2,
  threads = 1,
): Promise<TrainStepRow[]> {
  const rows: TrainStepRow[] = []
  const images = (n: number) => tf.randomUniform<tf.Rank.R4>([n, SIZE, SIZE, 3], -1, 1)

  const encoder = createEncoder(SMALL.encoder, 1)
  const adamE = new Adam(encoder.params.list(), ADAM)
  const triplets = images(3 * BATCH)
  const encoderMs = await medianMs(
    async () => {
      const loss = adamE.minimize(() => {
        const [za, zp, zn] = tf.split<tf.Tensor2D>(encoder.apply(triplets), 3, 0)
        return batchContrastLoss(za as tf.Tensor2D, zp as tf.Tensor2D, zn as tf.Tensor2D).total
      })
      await loss.data()
      loss.dispose()
    },
    runs,
    warmup,
  )
  rows.push(row('encoder', encoderMs, 3 * BATCH, threads))
  tf.dispose(triplets)
  adamE.dispose()
  encoder.dispose()

  const extractor = await loadFeatureExtractor('resnet50', { taps: 3 })
  const pair = { input: images(BATCH), output: images(BATCH) }
  for (const stage of ['generator', 'finetune'] as const) {
    const nets = {
      encoder: createEncoder(SMALL.encoder, 1),
      generator: createGenerator(SMALL.generator, 2),
      discriminator: createDiscriminator(SMALL.discriminator, 3),
    }
    const gan = new GanStep(nets, extractor, { trainEncoder: stage === 'finetune', adam: ADAM })
    const ms = await medianMs(
      async () => {
        await gan.run(pair, ADAM.lr)
      },
      runs,
      warmup,
    )
    rows.push(row(stage, ms, BATCH, threads))
    gan.dispose()
    disposeModels(nets)
  }
  tf.dispose([pair.input, pair.output])
  extractor.dispose()

  const mapper = createMapper(SMALL.mapper, 4)
  const adamM = new Adam(mapper.params.list(), ADAM)
  const noise = tf.randomNormal<tf.Rank.R2>([BATCH, SMALL.mapper.zDim])
  const targets = tf.randomNormal<tf.Rank.R2>([BATCH, SMALL.mapper.zDim])
  const mapperMs = await medianMs(
    async () => {
      const loss = adamM.minimize(() =>
        tf.mean(tf.sum(tf.square(tf.sub(mapper.apply(noise), targets)), 1)),
      )
      await loss.data()
      loss.dispose()
    },
    runs,
    warmup,
  )
  rows.push(row('mapper', mapperMs, BATCH, threads))
  tf.dispose([noise, targets])
  adamM.dispose()
  mapper.dispose()
  return rows
}
