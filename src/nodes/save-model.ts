/** Save Model: writes a model's inference weights (E, G, M, mean code) as a model folder. */
import { StepError } from '../core/errors.js'
import { disposeLoaded } from '../checkpoint/loaded.js'
import { exportedModel } from '../inference/load.js'
import { isStepModel } from '../inference/any-model.js'
import { defineNode } from './define.js'

/** The node type. */
export const saveModel = defineNode({
  type: 'step/save-model',
  title: 'Save Model',
  category: 'StEP/Output',
  description:
    'Stores the model under the run folder, loadable by Load Model and `step generate`. Never replaces a model saved from another source.',
  inputs: { model: { type: 'Model' } },
  outputs: { checkpoint: 'Checkpoint' },
  widgets: { path: { kind: 'text', default: 'model', maxLength: 1024 } },
  writes: true,
  async execute({ model }, { path }, ctx) {
    const io = ctx.env.checkpointIO(path)
    const where = ctx.env.checkpointPath(path)
    const previous = await io.load()
    if (previous) {
      disposeLoaded(previous)
      if (previous.manifest.training.exportedFrom !== model.source)
        throw new StepError(
          'checkpoint/exists',
          `already holds a model not saved from ${model.source}; choose another path`,
          where,
        )
    }
    if (!isStepModel(model.model))
      throw new StepError(
        'model/family',
        `${model.source} is a ${model.manifest.stage} model; Save Model stores StEP models (a baseline's checkpoint folder is its saved model)`,
        where,
      )
    const exported = exportedModel(model.model, model.manifest, model.source)
    try {
      const saved = await io.save(exported.draft, exported.groups)
      return { checkpoint: { path: where, stage: saved.stage, step: saved.step } }
    } finally {
      exported.release()
    }
  },
})
