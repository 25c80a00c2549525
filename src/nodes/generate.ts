/** Generate: G(content, z), one output per style code (or per content image). */
import { fitBatch, fitContent } from '../inference/image-fit.js'
import { applyGenerator } from '../inference/model.js'
import { defineNode } from './define.js'

/** The node type. */
export const generateNode = defineNode({
  type: 'step/generate',
  title: 'Generate',
  category: 'StEP/Generate',
  description:
    'The content image(s) rendered in each style: B codes with one content give B images (or B contents with one code).',
  inputs: {
    content: { type: 'ImageBatch' },
    style: { type: 'StyleCode' },
    generator: { type: 'Generator' },
  },
  outputs: { images: 'ImageBatch' },
  widgets: {},
  async execute({ content, style, generator }) {
    const fitted = await fitBatch(content, generator.size, fitContent)
    try {
      return { images: applyGenerator(generator.generator, fitted, style) }
    } finally {
      fitted.dispose()
    }
  },
})
