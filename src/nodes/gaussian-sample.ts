/** Gaussian Sample: e ~ N(0, I) noise from a seed, the mapper's input. */
import * as tf from '@tensorflow/tfjs'
import { normalNoise } from '../inference/noise.js'
import { defineNode } from './define.js'

/** The node type. */
export const gaussianSample = defineNode({
  type: 'step/gaussian-sample',
  title: 'Gaussian Sample',
  category: 'StEP/Style',
  description:
    'count draws of e ~ N(0, I) in zDim dimensions; the same seed gives the same noise everywhere (as `step sample`).',
  inputs: {},
  outputs: { noise: 'Noise' },
  widgets: {
    count: { kind: 'int', default: 8, min: 1, max: 1024 },
    zDim: { kind: 'int', default: 8, min: 1, max: 512 },
    seed: { kind: 'seed', default: 1 },
  },
  execute(_inputs, { count, zDim, seed }) {
    return Promise.resolve({ noise: tf.tensor2d(normalNoise(seed, count, zDim), [count, zDim]) })
  },
})
