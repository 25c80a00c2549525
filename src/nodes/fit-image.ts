/**
 * Fit / Resize: images brought to a size. cover scales and centre-crops to width x height,
 * contain scales to fit inside and pads with white, stretch resamples to exactly width x height,
 * and 'max side' only scales down (aspect kept) until the longer side is at most max_side: the
 * max-side rule of src/core/image/max-side.ts.
 */
import { capSide } from '../core/image/max-side.js'
import { fitImage } from '../core/image/resize.js'
import { batchToImages, imagesToBatch } from '../core/image/tensor.js'
import { defineNode } from './define.js'
import { maxSideWidget } from './max-side-widget.js'

const side = { kind: 'int', default: 256, min: 8, max: 4096 } as const

/** The node type. */
export const fitImageNode = defineNode({
  type: 'step/fit-image',
  title: 'Fit / Resize',
  category: 'StEP/Image',
  description:
    'Images brought to a size: cover (scale + centre crop), contain (pad with white), stretch, or max side (scale down only).',
  inputs: { images: { type: 'ImageBatch' } },
  outputs: { images: 'ImageBatch' },
  widgets: {
    mode: { kind: 'combo', default: 'cover', options: ['cover', 'contain', 'stretch', 'max side'] },
    width: { ...side, description: 'output width (cover, contain, stretch)' },
    height: { ...side, description: 'output height (cover, contain, stretch)' },
    max_side: maxSideWidget,
  },
  async execute({ images }, { mode, width, height, max_side }) {
    const fitted = (await batchToImages(images)).map((image) =>
      mode === 'max side' ? capSide(image, max_side) : fitImage(image, width, height, mode),
    )
    return { images: imagesToBatch(fitted) }
  },
})
