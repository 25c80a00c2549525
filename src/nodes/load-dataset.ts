/** Load Dataset: a pix2pix-format folder of A|B pairs (side by side, or A/ and B/ folders). */
import { defineNode } from './define.js'

/** The node type. */
export const loadDataset = defineNode({
  type: 'step/load-dataset',
  title: 'Load Dataset',
  category: 'StEP/Input',
  description: 'Opens a folder of paired images (pix2pix layout) for training and evaluation.',
  inputs: {},
  outputs: { dataset: 'Dataset' },
  widgets: { path: { kind: 'text', default: 'data', maxLength: 1024 } },
  async execute(_inputs, { path }, ctx) {
    if (path.trim() === '') throw new RangeError("widget 'path': no folder given")
    const dataset = await ctx.env.openDataset(path)
    for (const w of dataset.warnings) ctx.log(`note: ${w}`)
    return { dataset: { dataset, path, size: null } }
  },
})
