/** Train Encoder (stage 1): the style encoder E from triplets mined by Gram style distances. */
import { PRESETS } from '../models/configs.js'
import { runEncoderStage } from '../train/stage-runs.js'
import { defineNode } from './define.js'
import { resolveFeatures, checkFinished, FEATURES_WIDGET, outWidget, stageRun } from './training.js'
import { MAX_SEED } from './widgets.js'

/** The node type. */
export const trainEncoderNode = defineNode({
  type: 'step/train-encoder',
  title: 'Train Encoder',
  category: 'StEP/Train',
  description:
    'Stage 1 (as `step train encoder`): mines triplets from Gram-matrix distances of a pretrained CNN and trains E on them (batch-contrastive loss by default, ADR 0008).',
  inputs: { dataset: { type: 'Dataset' } },
  outputs: { checkpoint: 'Checkpoint', encoder: 'Encoder' },
  widgets: {
    steps: { kind: 'int', default: 400, min: 1, max: 10_000_000 },
    batch: { kind: 'int', default: 12, min: 2, max: 1024 },
    size: { kind: 'int', default: 64, min: 16, max: 1024 },
    lr: { kind: 'float', default: 0.01, min: 1e-7, max: 1 },
    features: FEATURES_WIDGET,
    mining: { kind: 'combo', default: 'projected', options: ['projected', 'exact'] },
    preset: { kind: 'combo', default: 'small', options: ['small', 'paper'] },
    seed: { kind: 'int', default: 1, min: 0, max: MAX_SEED },
    every: { kind: 'int', default: 100, min: 1, max: 10_000_000 },
    out: outWidget('encoder'),
  },
  async execute({ dataset }, w, ctx) {
    const features = resolveFeatures(w.features, ctx.env)
    const run = await stageRun(ctx, dataset, w.out, w.seed)
    const cache = ctx.env.neighbourCache()
    const result = await runEncoderStage({
      ...run,
      config: PRESETS[w.preset],
      features,
      size: w.size,
      steps: w.steps,
      batch: w.batch,
      lr: w.lr,
      mining: w.mining,
      every: w.every,
      ...(cache ? { cache } : {}),
      onProgress: (p) =>
        p.phase === 'train'
          ? ctx.progress(p.step, p.steps, {
              ...(p.loss !== undefined ? { loss: p.loss } : {}),
              ...(p.imagesPerSecond !== undefined ? { imagesPerSecond: p.imagesPerSecond } : {}),
            })
          : ctx.progress(0, w.steps),
    })
    try {
      checkFinished(result.status, ctx, run.io.label)
    } catch (err) {
      result.encoder.dispose()
      throw err
    }
    return {
      checkpoint: { path: ctx.env.checkpointPath(w.out), stage: 'encoder', step: result.step },
      encoder: { encoder: result.encoder, size: w.size },
    }
  },
})
