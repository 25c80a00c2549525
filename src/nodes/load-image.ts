/** Load Image: a PNG or JPEG file as an Image [1, H, W, 3]. */
import { decodeImage } from '../core/image/decode.js'
import { imagesToBatch } from '../core/image/tensor.js'
import { defineNode } from './define.js'

/** The node type. */
export const loadImage = defineNode({
  type: 'step/load-image',
  title: 'Load Image',
  category: 'StEP/Input',
  description: 'Reads a PNG or JPEG file (relative paths: from the preset file) as an image.',
  inputs: {},
  outputs: { image: 'Image' },
  widgets: { path: { kind: 'text', default: '../images/content-1.png', maxLength: 1024 } },
  async execute(_inputs, { path }, ctx) {
    if (path.trim() === '') throw new RangeError("widget 'path': no file given")
    const image = decodeImage(await ctx.env.readBytes(path), { where: path })
    return { image: imagesToBatch([image]) }
  },
})
