/**
 * Mapper M (docs/method.md, style sampling): an MLP from noise e ~ N(0, I) to the style space,
 * zDim -> hidden (x layers, tanh) -> zDim (linear), trained with IMLE so that every real style
 * code has a nearby sample.
 */
import * as tf from '@tensorflow/tfjs'
import { PAPER, type MapperConfig } from './configs.js'
import { assertCodes, dense, denseLayer, type DenseLayer } from './layers.js'
import { Params } from './params.js'

/** The mapper: its config, its variables and a pure forward function. */
export interface Mapper {
  readonly config: MapperConfig
  readonly params: Params
  /** noise e [B, zDim] -> style code [B, zDim]. */
  apply(e: tf.Tensor2D): tf.Tensor2D
  /** Disposes the variables. */
  dispose(): void
}

/** Builds M with weights drawn from `seed` (variables named 'map/...'). */
export function createMapper(config: MapperConfig = PAPER.mapper, seed = 0): Mapper {
  const params = new Params(seed, 'map')
  const { zDim, hidden } = config
  const layers: DenseLayer[] = []
  for (let i = 0; i < config.layers; i++) {
    layers.push(denseLayer(params, `fc${i + 1}`, { cin: i === 0 ? zDim : hidden, cout: hidden }))
  }
  const out = denseLayer(params, 'out', { cin: hidden, cout: zDim })

  const apply = (e: tf.Tensor2D): tf.Tensor2D =>
    tf.tidy(() => {
      assertCodes('mapper input', e, zDim)
      let x = e
      for (const layer of layers) x = tf.tanh(dense(layer, x)) // [B, hidden]
      return dense(out, x) // [B, zDim]
    })

  return { config, params, apply, dispose: () => params.dispose() }
}
