/** Synth Dataset: writes (or reuses) the synthetic multi-modal A|B dataset in the run folder. */
import { defineNode } from './define.js'
import { MAX_SEED } from './widgets.js'

/** The node type. */
export const synthDataset = defineNode({
  type: 'step/synth-dataset',
  title: 'Synth Dataset',
  category: 'StEP/Input',
  description:
    'Line drawings (A) and their styled renderings (B) in 12 style clusters, as `step dataset synth` writes them; reused when already written.',
  inputs: {},
  outputs: { dataset: 'Dataset' },
  widgets: {
    count: { kind: 'int', default: 256, min: 1, max: 100_000 },
    size: { kind: 'int', default: 64, min: 16, max: 1024 },
    seed: { kind: 'int', default: 11, min: 0, max: MAX_SEED },
  },
  async execute(_inputs, { count, size, seed }, ctx) {
    const { path } = await ctx.env.writeSynthDataset({
      count,
      size,
      seed,
      onProgress: (done) => ctx.progress(done, count),
    })
    const dataset = await ctx.env.openDataset(path)
    return { dataset: { dataset, path, size } }
  },
})
