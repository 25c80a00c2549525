/** Save Image: writes PNGs that carry the graph and the seeds used (load one to restore it). */
import { encodePng } from '../core/image/encode.js'
import { batchToImages } from '../core/image/tensor.js'
import { defineNode } from './define.js'

/** The node type. */
export const saveImage = defineNode({
  type: 'step/save-image',
  title: 'Save Image',
  category: 'StEP/Output',
  description:
    'Writes each image as PREFIX.png (one image) or PREFIX-1.png, PREFIX-2.png ... in the output folder, with the preset and seeds embedded.',
  inputs: { images: { type: 'ImageBatch' } },
  outputs: { files: 'Text' },
  widgets: { prefix: { kind: 'text', default: 'step', maxLength: 200 } },
  writes: true,
  async execute({ images }, { prefix }, ctx) {
    if (!/^[\w.-]+$/.test(prefix) || prefix.startsWith('.'))
      throw new RangeError(
        `widget 'prefix': '${prefix}' must be a plain file name (letters, digits, _ . -)`,
      )
    const list = await batchToImages(images)
    const text = ctx.provenance()
    const files: string[] = []
    for (const [i, image] of list.entries()) {
      const name = list.length === 1 ? `${prefix}.png` : `${prefix}-${i + 1}.png`
      files.push(await ctx.env.writeOutput(name, encodePng(image, text)))
    }
    ctx.log(`wrote ${files.join(', ')}`)
    return { files: files.join('\n') }
  },
})
