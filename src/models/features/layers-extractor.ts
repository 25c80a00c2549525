/**
 * A FeatureExtractor around a truncated pretrained trunk (trunk.ts): caffe preprocessing, then the
 * trunk's layers as plain, differentiable ops.
 */
import * as tf from '@tensorflow/tfjs'
import { assertImages, caffePreprocess } from './preprocess.js'
import type { Trunk } from './trunk.js'
import type { FeatureExtractor } from './types.js'

/** Everything that identifies a pretrained extractor besides its model. */
export interface PretrainedInfo {
  readonly id: string
  readonly description: string
  readonly fingerprint: string
  /** Tap names as reported in `layers`. */
  readonly layers: readonly string[]
  readonly inputSize: number
  /** Per tap: apply a ReLU after the layer (its own activation is not ReLU). */
  readonly reluAfter?: readonly boolean[]
}

/** Wraps `trunk` (caffe input [B, S, S, 3] -> taps in order) as a FeatureExtractor. */
export function pretrainedExtractor(trunk: Trunk, info: PretrainedInfo): FeatureExtractor {
  let disposed = false
  return {
    id: info.id,
    description: info.description,
    fingerprint: info.fingerprint,
    layers: info.layers,
    inputSize: info.inputSize,
    extract(images) {
      if (disposed) throw new Error(`feature extractor '${info.id}' was disposed`)
      assertImages(images, `${info.id}.extract`)
      return tf.tidy(() => {
        const out = trunk.run(caffePreprocess(images, info.inputSize))
        return out.map((t, i) => (info.reluAfter?.[i] ? tf.relu(t) : t))
      })
    },
    dispose() {
      if (disposed) return
      disposed = true
      trunk.dispose()
    },
  }
}
