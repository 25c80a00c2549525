/** Mapper: M(e), noise -> style codes that follow the training styles (IMLE mapper). */
import * as tf from '@tensorflow/tfjs'
import { defineNode } from './define.js'

/** The node type. */
export const mapperNode = defineNode({
  type: 'step/mapper',
  title: 'Mapper',
  category: 'StEP/Style',
  description: 'Turns Gaussian noise into style codes with the trained mapper M.',
  inputs: { noise: { type: 'Noise' }, mapper: { type: 'Mapper' } },
  outputs: { style: 'StyleCode' },
  widgets: {},
  execute({ noise, mapper }) {
    const zDim = mapper.mapper.config.zDim
    if (noise.shape[1] !== zDim)
      throw new RangeError(
        `input 'noise': [${noise.shape.join(', ')}] has ${noise.shape[1]} dimensions, the mapper takes ${zDim}; set Gaussian Sample's zDim to ${zDim}`,
      )
    return Promise.resolve({ style: tf.tidy(() => mapper.mapper.apply(noise)) })
  },
})
