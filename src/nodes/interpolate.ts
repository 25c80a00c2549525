/** Interpolate: style codes between 2..6 styles (a lerp/slerp path, a weighted blend, a grid). */
import * as tf from '@tensorflow/tfjs'
import { gridCodes, interpolateCodes, pathCodes } from '../inference/style-codes.js'
import { defineNode } from './define.js'

const OPTIONAL = { type: 'StyleCode', optional: true } as const

/** The node type. */
export const interpolateNode = defineNode({
  type: 'step/interpolate',
  title: 'Interpolate',
  category: 'StEP/Style',
  description:
    "Codes between the connected styles (the first code of each input), in input order. 'lerp'/'slerp': a path a -> b -> c ..., steps codes per leg; 'blend': one code, the weights' mix; 'grid': steps x steps codes between 4 corners (a top-left, b top-right, c bottom-left, d bottom-right).",
  inputs: {
    a: { type: 'StyleCode' },
    b: { type: 'StyleCode' },
    c: OPTIONAL,
    d: OPTIONAL,
    e: OPTIONAL,
    f: OPTIONAL,
  },
  outputs: { style: 'StyleCode' },
  widgets: {
    mode: { kind: 'combo', default: 'slerp', options: ['lerp', 'slerp', 'blend', 'grid'] },
    steps: { kind: 'int', default: 7, min: 2, max: 64 },
    weights: {
      kind: 'text',
      default: '',
      maxLength: 256,
      description: "'blend' only: comma-separated weights, one per connected style (empty: equal)",
    },
  },
  execute(inputs, { mode, steps, weights }) {
    const codes = [inputs.a, inputs.b, inputs.c, inputs.d, inputs.e, inputs.f].filter(
      (z): z is tf.Tensor2D => z !== undefined,
    )
    const zDim = inputs.a.shape[1]
    codes.forEach((z, i) => {
      if (z.shape[1] !== zDim)
        throw new RangeError(
          `input '${'abcdef'[i] ?? '?'}': codes [${z.shape.join(', ')}] differ in size from a's ${zDim}`,
        )
    })
    const style = tf.tidy(() => {
      const zs = tf.concat(
        codes.map((z) => tf.slice(z, [0, 0], [1, zDim])),
        0,
      ) // [N, zDim]
      if (mode === 'grid') return gridCodes(zs, steps, zDim)
      if (mode !== 'blend') return pathCodes(zs, steps, mode, zDim)
      const w = weights.trim() === '' ? codes.map(() => 1) : parseWeights(weights)
      return interpolateCodes(zs, { weights: w }, zDim)
    })
    return Promise.resolve({ style })
  },
})

function parseWeights(text: string): number[] {
  return text.split(',').map((part, i) => {
    const v = Number(part.trim())
    if (part.trim() === '' || !Number.isFinite(v))
      throw new RangeError(`widget 'weights': item ${i + 1} '${part.trim()}' is not a number`)
    return v
  })
}
