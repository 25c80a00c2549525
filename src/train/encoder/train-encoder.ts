/**
 * Stage 1: style-encoder pre-training on mined triplets (docs/method.md). Mining is done first
 * (mining/mine.ts, cached); then E is trained on the mined triplets with Adam (default: the
 * batch-contrastive loss, lr 1e-2 decayed over the last 30 %, ADR 0008; the paper's triplet
 * hinge at lr 1e-3 with `loss: 'triplet', lr: 1e-3, lrDecay: 0`), logging each step,
 * checkpointing every K steps, resumable, and cancellable through an AbortSignal (the run stops
 * after the current step and saves, so no finished step is lost). A NaN/Inf loss or weight stops
 * the run keeping the last good checkpoint; an allocation failure says which batch size to try
 * (train-faults.ts).
 */
import * as tf from '@tensorflow/tfjs'
import { yieldToEvents } from '../../core/yield.js'
import { createEncoder, type StyleEncoder } from '../../models/encoder.js'
import type { StepModelConfig } from '../../models/configs.js'
import type { FeatureExtractor } from '../../models/features/types.js'
import { Adam } from '../adam.js'
import type { CheckpointDraft, CheckpointIO } from '../../checkpoint/format.js'
import { assignGroup, disposeLoaded } from '../../checkpoint/loaded.js'
import { checkResume } from '../../checkpoint/resume.js'
import { mineNeighbours, type MiningMode, type NeighbourCache } from '../mining/mine.js'
import { tripletBatch, K_CLOSE, K_FAR, type NegativeMode } from '../mining/triplets.js'
import type { StyleImages } from '../style-images.js'
import { batchContrastLoss, CONTRAST_TEMPERATURE } from './batch-contrast-loss.js'
import { lrAt } from '../lr-schedule.js'
import { TRIPLET_L2, TRIPLET_MARGIN, tripletLoss } from './triplet-loss.js'
import {
  asOutOfMemory,
  divergedLoss,
  finiteWeightsIO,
  forcedFailure,
  poisoned,
  type TrainingFaults,
} from '../train-faults.js'

/** Stage-1 objectives: the batch-contrastive loss (default, ADR 0008) or the paper's triplet hinge. */
export const STAGE1_LOSSES = ['contrast', 'triplet'] as const
/** One of STAGE1_LOSSES. */
export type Stage1Loss = (typeof STAGE1_LOSSES)[number]
/** Default learning rate of stage 1 (ADR 0008; the paper's is 1e-3). */
export const STAGE1_LR = 1e-2
/** Default fraction of the steps over which the learning rate decays linearly to 0 (ADR 0008). */
export const STAGE1_LR_DECAY = 0.3

/** Progress of a stage-1 run. */
export interface Stage1Progress {
  readonly phase: 'features' | 'neighbours' | 'train'
  readonly step: number
  readonly steps: number
  readonly loss?: number
  readonly imagesPerSecond?: number
  readonly etaSeconds?: number
}

/** Options of trainEncoder. */
export interface Stage1Options {
  readonly images: StyleImages
  readonly datasetFingerprint: string
  readonly extractor: FeatureExtractor
  readonly config: StepModelConfig
  readonly steps: number
  readonly seed: number
  readonly io: CheckpointIO
  readonly batchSize?: number
  /** Adam learning rate (default STAGE1_LR). */
  readonly lr?: number
  /** Fraction of the steps with linear decay of the learning rate (default STAGE1_LR_DECAY). */
  readonly lrDecay?: number
  /** Objective (default 'contrast'). */
  readonly loss?: Stage1Loss
  readonly mining?: MiningMode
  /** Negative sampling (default 'farthest', the paper's). */
  readonly negatives?: NegativeMode
  readonly sketchDims?: number
  readonly cache?: NeighbourCache
  readonly checkpointEvery?: number
  readonly resume?: boolean
  readonly signal?: AbortSignal
  readonly onProgress?: (p: Stage1Progress) => void
  /** Forced faults (tests only); losses are named 'loss', 'triplet' and 'l2' as in the log. */
  readonly faults?: TrainingFaults
}

/** How a run ended. */
export interface Stage1Result {
  readonly status: 'done' | 'cancelled'
  readonly step: number
  readonly lastLoss: number | null
  readonly encoder: StyleEncoder
  readonly miningCached: boolean
}

/** Trains E; the returned encoder is the caller's to dispose. */
export async function trainEncoder(o: Stage1Options): Promise<Stage1Result> {
  const batchSize = o.batchSize ?? 12
  const every = o.checkpointEvery ?? 100
  const training = {
    batchSize,
    loss: o.loss ?? 'contrast',
    lr: o.lr ?? STAGE1_LR,
    lrDecay: o.lrDecay ?? STAGE1_LR_DECAY,
    beta1: 0,
    beta2: 0.99,
    margin: TRIPLET_MARGIN,
    temperature: CONTRAST_TEMPERATURE,
    l2: TRIPLET_L2,
    kClose: K_CLOSE,
    kFar: K_FAR,
    mining: o.mining ?? 'projected',
    sketchDims: o.sketchDims ?? 1024,
    negatives: o.negatives ?? 'farthest',
  }
  const encoder = createEncoder(o.config.encoder, o.seed)
  const adam = new Adam(encoder.params.list(), {
    lr: training.lr,
    beta1: training.beta1,
    beta2: training.beta2,
  })
  try {
    let step = 0
    if (o.resume) {
      const loaded = await o.io.load()
      if (loaded) {
        try {
          checkResume(
            loaded.manifest,
            {
              stage: 'encoder',
              stageName: 'a stage-1 encoder',
              datasetFingerprint: o.datasetFingerprint,
              config: o.config,
            },
            o.io.label,
          )
          assignGroup(encoder.params, loaded, 'encoder', o.io.label)
          await adam.load(loaded.groups.optimizer ?? [])
        } finally {
          disposeLoaded(loaded)
        }
        step = loaded.manifest.step
        await o.io.truncateLog(step)
      }
    }
    const mined = await mineNeighbours(o.images, o.extractor, o.datasetFingerprint, {
      mode: training.mining,
      sketchDims: training.sketchDims,
      seed: o.seed,
      ...(o.cache ? { cache: o.cache } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      onProgress: (phase, done, total) => o.onProgress?.({ phase, step: done, steps: total }),
    })

    let saved: number | null = step > 0 ? step : null
    const io = finiteWeightsIO(o.io, () => saved)
    const draft = (at: number): CheckpointDraft => ({
      stage: 'encoder',
      step: at,
      steps: o.steps,
      seed: o.seed,
      config: o.config,
      dataset: {
        label: o.images.dataset.label,
        fingerprint: o.datasetFingerprint,
        size: o.images.size,
        count: o.images.count,
      },
      extractor: { id: o.extractor.id, fingerprint: o.extractor.fingerprint },
      training,
    })
    const save = (at: number) =>
      io.save(draft(at), {
        encoder: encoder.params.entries().map(([name, tensor]) => ({ name, tensor })),
        optimizer: adam.state(),
      })

    const objective = training.loss === 'contrast' ? batchContrastLoss : tripletLoss
    /** One optimisation step at `at` (0-based); the losses as logged. */
    const trainStep = async (at: number) => {
      const t = tripletBatch(mined.lists, at, {
        batchSize,
        seed: o.seed,
        negatives: training.negatives,
      })
      const x = await o.images.batch([...t.anchor, ...t.positive, ...t.negative])
      adam.config.lr = lrAt(at, o.steps, training.lr, training.lrDecay)
      let parts: tf.Scalar[] = []
      const poison = <T extends tf.Tensor>(name: string, v: T) =>
        poisoned(o.faults, at + 1, name, v)
      const loss = adam.minimize(() => {
        const z = encoder.apply(x) // [3B, zDim]
        const [za, zp, zn] = tf.split<tf.Tensor2D>(z, 3, 0)
        const l = objective(za as tf.Tensor2D, zp as tf.Tensor2D, zn as tf.Tensor2D)
        const triplet = poison('triplet', l.triplet)
        const l2 = poison('l2', l.l2)
        parts = [tf.keep(triplet), tf.keep(l2)]
        const part = triplet !== l.triplet || l2 !== l.l2 // a poisoned part poisons the total
        return poison('loss', part ? tf.add<tf.Scalar>(l.total, NaN) : l.total)
      })
      x.dispose()
      const [total, triplet, l2] = await Promise.all(
        [loss, ...parts].map(async (s) => (await s.data())[0] ?? NaN),
      )
      tf.dispose([loss, ...parts])
      return { loss: total ?? NaN, triplet: triplet ?? NaN, l2: l2 ?? NaN }
    }
    let lastLoss: number | null = null
    const t0 = performance.now()
    const startStep = step
    while (step < o.steps) {
      await yieldToEvents() // lets a cancel request arrive
      if (o.signal?.aborted) {
        if (step > (saved ?? 0)) await save(step)
        return { status: 'cancelled', step, lastLoss, encoder, miningCached: mined.cached }
      }
      const at = { stage: 'encoder', step: step + 1, lastGood: saved, where: o.io.label }
      let losses: Record<'loss' | 'triplet' | 'l2', number>
      try {
        forcedFailure(o.faults, step + 1)
        losses = await trainStep(step)
      } catch (err) {
        throw asOutOfMemory(err, at, batchSize)
      }
      step += 1
      const diverged = divergedLoss(losses, at, 'nothing computed from it was saved')
      if (diverged) throw diverged
      lastLoss = losses.loss
      const seconds = (performance.now() - t0) / 1000
      const imagesPerSecond = ((step - startStep) * 3 * batchSize) / seconds
      await o.io.log({
        step,
        ...losses,
        imagesPerSecond: Number(imagesPerSecond.toFixed(2)),
        seconds: Number(seconds.toFixed(3)),
      })
      o.onProgress?.({
        phase: 'train',
        step,
        steps: o.steps,
        loss: lastLoss,
        imagesPerSecond,
        etaSeconds: ((o.steps - step) * seconds) / (step - startStep),
      })
      if (step % every === 0 || step === o.steps) {
        await save(step)
        saved = step
      }
    }
    return { status: 'done', step, lastLoss, encoder, miningCached: mined.cached }
  } catch (err) {
    encoder.dispose()
    throw err
  } finally {
    adam.dispose()
  }
}
