/** Webcam: the current camera frame as an Image (editor only; re-read on every run). */
import { StepError } from '../core/errors.js'
import { capSide } from '../core/image/max-side.js'
import { imagesToBatch } from '../core/image/tensor.js'
import { defineNode } from './define.js'
import { maxSideWidget } from './max-side-widget.js'

/** The node type. */
export const webcamNode = defineNode({
  type: 'step/webcam',
  title: 'Webcam',
  category: 'StEP/Input',
  description:
    "The camera's current frame (in the editor: the Live button re-runs the graph frame after frame). Headless runs have no camera.",
  inputs: {},
  outputs: { image: 'Image' },
  widgets: { max_side: maxSideWidget },
  volatile: true,
  async execute(_inputs, { max_side }, ctx) {
    if (!ctx.env.camera)
      throw new StepError(
        'env/no-camera',
        `no camera in this ${ctx.env.label} run; the Webcam node needs the editor in a browser (Live button)`,
      )
    return { image: imagesToBatch([capSide(await ctx.env.camera(), max_side)]) }
  },
})
