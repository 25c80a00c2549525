/** Train Mapper: the IMLE mapper M (noise -> style codes); outputs the whole model. */
import { disposeLoaded } from '../checkpoint/loaded.js'
import { disposeModel } from '../inference/load.js'
import { runMapperStage } from '../train/stage-runs.js'
import { defineNode } from './define.js'
import { checkFinished, outWidget, stageRun, startFrom } from './training.js'
import { MAX_SEED } from './widgets.js'

/** The node type. */
export const trainMapperNode = defineNode({
  type: 'step/train-mapper',
  title: 'Train Mapper',
  category: 'StEP/Train',
  description:
    "As `step train mapper`: encodes the training styles with the checkpoint's encoder and fits M by IMLE; the checkpoint is a whole model.",
  inputs: { dataset: { type: 'Dataset' }, from: { type: 'Checkpoint' } },
  outputs: { checkpoint: 'Checkpoint', model: 'Model' },
  widgets: {
    epochs: { kind: 'int', default: 500, min: 1, max: 1_000_000 },
    batch: { kind: 'int', default: 64, min: 1, max: 65536 },
    maxCodes: { kind: 'int', default: 50_000, min: 2, max: 10_000_000 },
    seed: { kind: 'int', default: 1, min: 0, max: MAX_SEED },
    every: { kind: 'int', default: 10, min: 1, max: 1_000_000 },
    out: outWidget('model'),
  },
  async execute({ dataset, from }, w, ctx) {
    const run = await stageRun(ctx, dataset, w.out, w.seed)
    const { result, model, size } = await runMapperStage({
      ...run,
      ...(await startFrom(ctx, from)),
      epochs: w.epochs,
      batch: w.batch,
      every: w.every,
      maxCodes: w.maxCodes,
      onProgress: (p) => ctx.progress(p.epoch, p.epochs, { loss: p.loss }),
    })
    const path = ctx.env.checkpointPath(w.out)
    try {
      checkFinished(result.status, ctx, run.io.label)
      const saved = await run.io.load()
      if (!saved) throw new Error(`${path}: the mapper run saved no checkpoint`)
      disposeLoaded(saved) // only the manifest is needed here
      return {
        checkpoint: { path, stage: 'mapper', step: result.epoch },
        model: { model, size, source: path, manifest: saved.manifest },
      }
    } catch (err) {
      disposeModel(model)
      throw err
    }
  },
})
