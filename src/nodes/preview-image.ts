/** Preview Image: shows images to whoever runs the graph (the editor draws them on the node). */
import { batchToImages } from '../core/image/tensor.js'
import { defineNode } from './define.js'

/** The node type. */
export const previewImage = defineNode({
  type: 'step/preview-image',
  title: 'Preview Image',
  category: 'StEP/Output',
  description: 'Displays the images; the headless runner writes them as preview PNGs.',
  inputs: { images: { type: 'ImageBatch' } },
  outputs: {},
  widgets: {},
  async execute({ images }, _widgets, ctx) {
    ctx.preview(await batchToImages(images))
    return {}
  },
})
