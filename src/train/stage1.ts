/**
 * Stage 1: style-encoder pre-training on mined triplets (step-method.md). Mining is done first
 * (mining/mine.ts, cached); then E is trained with the triplet loss and Adam, logging each step,
 * checkpointing every K steps, resumable, and cancellable through an AbortSignal (the run stops
 * after the current step and saves, so no finished step is lost).
 */
import * as tf from '@tensorflow/tfjs'
import { yieldToEvents } from '../core/yield.js'
import { StepError } from '../core/errors.js'
import { createEncoder, type StyleEncoder } from '../models/encoder.js'
import type { StepModelConfig } from '../models/configs.js'
import type { FeatureExtractor } from '../models/features/types.js'
import { Adam } from './adam.js'
import type { CheckpointDraft, CheckpointIO } from './checkpoint.js'
import { mineNeighbours, type MiningMode, type NeighbourCache } from './mining/mine.js'
import { tripletBatch, K_CLOSE, K_FAR, type NegativeMode } from './mining/triplets.js'
import type { StyleImages } from './style-images.js'
import { TRIPLET_L2, TRIPLET_MARGIN, tripletLoss } from './triplet-loss.js'

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
  readonly lr?: number
  readonly mining?: MiningMode
  /** Negative sampling (default 'farthest', the paper's). */
  readonly negatives?: NegativeMode
  readonly sketchDims?: number
  readonly cache?: NeighbourCache
  readonly checkpointEvery?: number
  readonly resume?: boolean
  readonly signal?: AbortSignal
  readonly onProgress?: (p: Stage1Progress) => void
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
    lr: o.lr ?? 1e-3,
    beta1: 0,
    beta2: 0.99,
    margin: TRIPLET_MARGIN,
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
        const m = loaded.manifest
        const where = o.io.label
        if (m.stage !== 'encoder')
          throw new StepError(
            'checkpoint/stage',
            `holds a '${m.stage}' checkpoint, not a stage-1 encoder`,
            where,
          )
        if (m.dataset.fingerprint !== o.datasetFingerprint)
          throw new StepError(
            'checkpoint/dataset',
            'was trained on a different dataset (fingerprints differ); use a new --out',
            where,
          )
        if (JSON.stringify(m.config) !== JSON.stringify(o.config))
          throw new StepError(
            'checkpoint/config',
            'was trained with a different model config',
            where,
          )
        const named = Object.fromEntries(
          (loaded.groups.encoder ?? []).map((g) => [g.name, g.tensor]),
        )
        encoder.params.assign(named)
        await adam.load(loaded.groups.optimizer ?? [])
        for (const group of Object.values(loaded.groups)) tf.dispose(group.map((g) => g.tensor))
        step = m.step
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
      o.io.save(draft(at), {
        encoder: encoder.params.entries().map(([name, tensor]) => ({ name, tensor })),
        optimizer: adam.state(),
      })

    let saved = step
    let lastLoss: number | null = null
    const t0 = performance.now()
    const startStep = step
    while (step < o.steps) {
      await yieldToEvents() // lets a cancel request arrive
      if (o.signal?.aborted) {
        if (step > saved) await save(step)
        return { status: 'cancelled', step, lastLoss, encoder, miningCached: mined.cached }
      }
      const t = tripletBatch(mined.lists, step, {
        batchSize,
        seed: o.seed,
        negatives: training.negatives,
      })
      const x = await o.images.batch([...t.anchor, ...t.positive, ...t.negative])
      let parts: tf.Scalar[] = []
      const loss = adam.minimize(() => {
        const z = encoder.apply(x) // [3B, zDim]
        const [za, zp, zn] = tf.split<tf.Tensor2D>(z, 3, 0)
        const l = tripletLoss(za as tf.Tensor2D, zp as tf.Tensor2D, zn as tf.Tensor2D)
        parts = [tf.keep(l.triplet), tf.keep(l.l2)]
        return l.total
      })
      x.dispose()
      const [total, triplet, l2] = await Promise.all(
        [loss, ...parts].map(async (s) => (await s.data())[0] ?? NaN),
      )
      tf.dispose([loss, ...parts])
      step += 1
      lastLoss = total ?? NaN
      if (!Number.isFinite(lastLoss)) {
        throw new StepError(
          'train/nan',
          `loss became ${lastLoss} at step ${step} (triplet ${triplet}, l2 ${l2}); the last good checkpoint is step ${saved}`,
        )
      }
      const seconds = (performance.now() - t0) / 1000
      const imagesPerSecond = ((step - startStep) * 3 * batchSize) / seconds
      await o.io.log({
        step,
        loss: total,
        triplet,
        l2,
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
