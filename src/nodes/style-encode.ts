/** Style Encode: E(images) -> style codes, each image fitted to the model's training size. */
import { fitBatch, fitStyle } from '../inference/image-fit.js'
import { applyEncoder } from '../inference/model.js'
import { defineNode } from './define.js'

/** The node type. */
export const styleEncode = defineNode({
  type: 'step/style-encode',
  title: 'Style Encode',
  category: 'StEP/Style',
  description: "The style code z = E(image) of each image (fitted to the model's size).",
  inputs: { images: { type: 'ImageBatch' }, encoder: { type: 'Encoder' } },
  outputs: { style: 'StyleCode' },
  widgets: {},
  async execute({ images, encoder }) {
    const fitted = await fitBatch(images, encoder.size, fitStyle)
    try {
      return { style: applyEncoder(encoder.encoder, fitted) }
    } finally {
      fitted.dispose()
    }
  },
})
