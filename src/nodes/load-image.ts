/** Load Image: a PNG or JPEG file as an Image [1, H, W, 3]. */
import { decodeImage } from '../core/image/decode.js'
import { capSide } from '../core/image/max-side.js'
import { imagesToBatch } from '../core/image/tensor.js'
import { defineNode } from './define.js'
import { maxSideWidget } from './max-side-widget.js'

/** The node type. */
export const loadImage = defineNode({
  type: 'step/load-image',
  title: 'Load Image',
  category: 'StEP/Input',
  description:
    'Reads a PNG or JPEG file (relative paths: from the preset file) as an image, scaled down to max_side when larger.',
  inputs: {},
  outputs: { image: 'Image' },
  widgets: {
    path: { kind: 'text', default: '../images/content-1.png', maxLength: 1024 },
    max_side: maxSideWidget,
  },
  async execute(_inputs, { path, max_side }, ctx) {
    if (path.trim() === '') throw new RangeError("widget 'path': no file given")
    const image = capSide(decodeImage(await ctx.env.readBytes(path), { where: path }), max_side)
    return { image: imagesToBatch([image]) }
  },
})
