/**
 * Edges: photos to line drawings with the project's Canny, the same code and defaults as
 * `step dataset edges` (src/data/edges), so a photo looks like what an edges->photo model was
 * trained on. -1 on sigma or min_chain picks the size-aware default.
 */
import { batchToImages, imagesToBatch } from '../core/image/tensor.js'
import { detectEdges, type EdgeOptions } from '../data/edges/index.js'
import { defineNode } from './define.js'

/** The node type. */
export const edgesNode = defineNode({
  type: 'step/edges',
  title: 'Edges',
  category: 'StEP/Image',
  description:
    'Each image as a line drawing (Canny, as `step dataset edges`): black lines on white, the same size.',
  inputs: { images: { type: 'ImageBatch' } },
  outputs: { images: 'ImageBatch' },
  widgets: {
    sigma: {
      kind: 'float',
      default: -1,
      min: -1,
      max: 8,
      step: 0.1,
      description: 'blur before edge detection in pixels; -1: 1.5 at a 256 px side, scaled',
    },
    low_ratio: {
      kind: 'float',
      default: 0.4,
      min: 0.05,
      max: 1,
      step: 0.05,
      description: 'low hysteresis threshold as a fraction of the high one',
    },
    high_percentile: {
      kind: 'float',
      default: 80,
      min: 1,
      max: 99,
      step: 1,
      description: 'high threshold: this percentile of candidate edge strengths',
    },
    min_chain: {
      kind: 'int',
      default: -1,
      min: -1,
      max: 1000,
      description:
        'edge chains shorter than this many pixels are dropped; -1: 10 at 256 px, scaled',
    },
    thickness: { kind: 'int', default: 1, min: 1, max: 5, description: 'line width in pixels' },
  },
  async execute({ images }, w, ctx) {
    const options: EdgeOptions = {
      lowRatio: w.low_ratio,
      highPercentile: w.high_percentile,
      thickness: w.thickness,
      ...(w.sigma >= 0 ? { sigma: w.sigma } : {}),
      ...(w.min_chain >= 0 ? { minComponent: w.min_chain } : {}),
    }
    const photos = await batchToImages(images)
    const drawings = photos.map((photo, i) => {
      ctx.progress(i, photos.length)
      return detectEdges(photo, options)
    })
    return { images: imagesToBatch(drawings) }
  },
})
