/** Style Strength: blends style codes toward (or past) the dataset's mean style. */
import { scaleStyle } from '../inference/style-codes.js'
import { defineNode } from './define.js'

/** The node type. */
export const styleStrengthNode = defineNode({
  type: 'step/style-strength',
  title: 'Style Strength',
  category: 'StEP/Style',
  description:
    "mean + strength * (z - mean): 0 gives the dataset's mean style, 1 leaves z unchanged, above 1 exaggerates it.",
  inputs: { style: { type: 'StyleCode' }, model: { type: 'Model' } },
  outputs: { style: 'StyleCode' },
  widgets: { strength: { kind: 'float', default: 1, min: 0, max: 4, step: 0.05 } },
  execute({ style, model }, { strength }) {
    const m = model.model
    return Promise.resolve({
      style: scaleStyle(style, strength, m.meanCode, m.encoder.config.zDim),
    })
  },
})
