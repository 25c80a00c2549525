/** Load Dataset: a pix2pix-format folder of A|B pairs (side by side, or A/ and B/ folders). */
import { withDirection } from '../data/orient.js'
import { defineNode } from './define.js'

/** The node type. */
export const loadDataset = defineNode({
  type: 'step/load-dataset',
  title: 'Load Dataset',
  category: 'StEP/Input',
  description: 'Opens a folder of paired images (pix2pix layout) for training and evaluation.',
  inputs: {},
  outputs: { dataset: 'Dataset' },
  widgets: {
    path: { kind: 'text', default: 'data', maxLength: 1024 },
    direction: {
      kind: 'combo',
      default: 'AtoB',
      options: ['AtoB', 'BtoA'],
      description: 'AtoB: the left / A image is the input; BtoA: the right / B one (facades, maps)',
    },
  },
  async execute(_inputs, { path, direction }, ctx) {
    if (path.trim() === '') throw new RangeError("widget 'path': no folder given")
    const dataset = withDirection(await ctx.env.openDataset(path), direction)
    for (const w of dataset.warnings) ctx.log(`note: ${w}`)
    return { dataset: { dataset, path, size: null } }
  },
})
