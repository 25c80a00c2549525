/**
 * Train BicycleGAN and Train MUNIT: the comparison's baselines (as `step train bicyclegan` /
 * `step train munit`; docs/decisions/0025). Their checkpoint feeds Load Model, whose Model then
 * works with Style Encode, Gaussian Sample -> Mapper and Generate like a StEP model.
 */
import { BICYCLEGAN_SMALL, MUNIT_SMALL } from '../models/baselines/configs.js'
import { BICYCLEGAN, MUNIT } from '../train/baselines/families.js'
import { trainBaseline, type BaselineFamily } from '../train/baselines/trainer.js'
import { defineNode, type NodeDefinition } from './define.js'
import { checkFinished, outWidget, stageRun } from './training.js'
import { MAX_SEED } from './widgets.js'

function baselineNode<N, C, W, L extends Record<string, number>>(
  family: BaselineFamily<N, C, W, L>,
  config: C,
  title: string,
  description: string,
): NodeDefinition {
  return defineNode({
    type: `step/train-${family.name}`,
    title,
    category: 'StEP/Train',
    description,
    inputs: { dataset: { type: 'Dataset' } },
    outputs: { checkpoint: 'Checkpoint' },
    widgets: {
      steps: { kind: 'int', default: 700, min: 1, max: 10_000_000 },
      batch: { kind: 'int', default: 4, min: 1, max: 1024 },
      size: { kind: 'int', default: 64, min: 16, max: 1024 },
      lr: { kind: 'float', default: family.adam.lr, min: 1e-7, max: 1 },
      seed: { kind: 'int', default: 1, min: 0, max: MAX_SEED },
      every: { kind: 'int', default: 100, min: 1, max: 10_000_000 },
      out: outWidget(family.name),
    },
    async execute({ dataset }, w, ctx) {
      const run = await stageRun(ctx, dataset, w.out, w.seed)
      const result = await trainBaseline(family, {
        config,
        dataset: run.dataset,
        datasetFingerprint: await run.dataset.fingerprint('train'),
        size: w.size,
        steps: w.steps,
        seed: w.seed,
        io: run.io,
        batchSize: w.batch,
        lr: w.lr,
        checkpointEvery: w.every,
        resume: run.resume,
        signal: ctx.signal,
        onProgress: (p) =>
          ctx.progress(p.step, p.steps, {
            total: p.losses.total ?? NaN,
            imagesPerSecond: p.imagesPerSecond,
          }),
      })
      family.dispose(result.nets)
      checkFinished(result.status, ctx, run.io.label)
      const path = ctx.env.checkpointPath(w.out)
      return { checkpoint: { path, stage: family.name, step: result.step } }
    },
  })
}

/** BicycleGAN (paired). */
export const trainBicycleGanNode = baselineNode(
  BICYCLEGAN,
  BICYCLEGAN_SMALL,
  'Train BicycleGAN',
  'Baseline (as `step train bicyclegan`): cVAE-GAN + cLR-GAN with the small preset of StEP’s networks.',
)
/** MUNIT (unpaired). */
export const trainMunitNode = baselineNode(
  MUNIT,
  MUNIT_SMALL,
  'Train MUNIT',
  'Baseline (as `step train munit`): two auto-encoders with AdaIN decoders, A and B drawn apart (unpaired).',
)
