/** Load Model: a trained model of any family (E, G and its sampler) from a folder or a checkpoint. */
import { anyModelFromCheckpoint } from '../inference/any-model.js'
import { defineNode } from './define.js'

/** The node type. */
export const loadModel = defineNode({
  type: 'step/load-model',
  title: 'Load Model',
  category: 'StEP/Input',
  description:
    "A model folder ('default' = the shipped default model) or, when connected, a checkpoint from a training node.",
  inputs: { checkpoint: { type: 'Checkpoint', optional: true } },
  outputs: { model: 'Model' },
  widgets: { path: { kind: 'text', default: 'default', maxLength: 1024 } },
  async execute({ checkpoint }, { path }, ctx) {
    const source = checkpoint ? checkpoint.path : path
    const loaded = await ctx.env.loadCheckpoint(source)
    const { manifest } = loaded
    const model = await anyModelFromCheckpoint(loaded, source)
    ctx.log(`model ${source}: stage ${manifest.stage}, step ${manifest.step}`)
    return { model: { model, size: manifest.dataset.size, source, manifest } }
  },
})
