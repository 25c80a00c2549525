/** Image Grid: a batch of images (optionally after a leading batch) laid out as one image. */
import { grid } from '../core/image/compose.js'
import { batchToImages, imagesToBatch } from '../core/image/tensor.js'
import { defineNode } from './define.js'

/** The node type. */
export const imageGrid = defineNode({
  type: 'step/image-grid',
  title: 'Image Grid',
  category: 'StEP/Image',
  description:
    "One image of the inputs' images row by row on white, 'first' and 'second' (e.g. content and style) before 'images'.",
  inputs: {
    images: { type: 'ImageBatch' },
    first: { type: 'ImageBatch', optional: true },
    second: { type: 'ImageBatch', optional: true },
  },
  outputs: { image: 'Image' },
  widgets: {
    columns: { kind: 'int', default: 4, min: 1, max: 64 },
    gap: { kind: 'int', default: 2, min: 0, max: 32 },
  },
  async execute({ images, first, second }, { columns, gap }) {
    const cells = []
    for (const batch of [first, second, images])
      if (batch) cells.push(...(await batchToImages(batch)))
    return { image: imagesToBatch([grid(cells, columns, gap)]) }
  },
})
