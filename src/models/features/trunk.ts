/**
 * Runs a loaded, truncated tfjs LayersModel layer by layer and returns the taps. Convolutions run
 * as plain tf.conv2d + bias + activation instead of the layers API's fused kernel: the fused
 * kernel's gradient always computes the filter gradient too, and Conv2DBackpropFilter does not
 * exist on the wasm backend, so tf.grad through model.apply fails there. The plain conv's
 * gradient is lazy, so d(features)/d(images) works on every backend (weights stay frozen).
 */
import * as tf from '@tensorflow/tfjs'
import { IMAGE_INPUT, type PlanStep } from './topology.js'

type Run = (inputs: tf.Tensor[]) => tf.Tensor

function convRunner(layer: tf.layers.Layer): Run {
  const config = layer.getConfig()
  const [kernel, bias] = layer.getWeights()
  const strides = config['strides'] as [number, number]
  const dilations = (config['dilationRate'] ?? [1, 1]) as [number, number]
  const pad = config['padding']
  const activation = config['activation'] ?? 'linear'
  if (pad !== 'same' && pad !== 'valid') {
    throw new Error(`layer '${layer.name}': unsupported padding ${JSON.stringify(pad)}`)
  }
  if (activation !== 'relu' && activation !== 'linear') {
    throw new Error(`layer '${layer.name}': unsupported activation ${JSON.stringify(activation)}`)
  }
  if (!kernel || kernel.rank !== 4) throw new Error(`layer '${layer.name}': no 4D kernel`)
  return ([x]) => {
    let y = tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, strides, pad, 'NHWC', dilations)
    if (config['useBias'] !== false && bias) y = tf.add(y, bias)
    return activation === 'relu' ? tf.relu(y) : y
  }
}

function runnerFor(layer: tf.layers.Layer): Run {
  if (layer.getClassName() === 'Conv2D') return convRunner(layer)
  return (inputs) =>
    layer.apply(inputs.length === 1 ? (inputs[0] as tf.Tensor) : inputs, {
      training: false,
    }) as tf.Tensor
}

/** A frozen trunk: image batch in (already preprocessed), one activation per tap out. */
export interface Trunk {
  run(x: tf.Tensor4D): tf.Tensor4D[]
  dispose(): void
}

/** Wraps `model` (weights loaded) to run `plan` and return `taps` in order. */
export function trunkOf(model: tf.LayersModel, plan: readonly PlanStep[], taps: readonly string[]) {
  const steps = plan.map((s) => ({ ...s, run: runnerFor(model.getLayer(s.name)) }))
  // Free each intermediate after its last reader, so a deep trunk does not hold every activation.
  const lastUse = new Map<string, number>()
  steps.forEach((s, i) => s.inputs.forEach((n) => lastUse.set(n, i)))
  const trunk: Trunk = {
    run(x) {
      return tf.tidy(() => {
        const values = new Map<string, tf.Tensor>([[IMAGE_INPUT, x]])
        steps.forEach((s, i) => {
          const inputs = s.inputs.map((n) => values.get(n) as tf.Tensor)
          values.set(s.name, s.run(inputs))
          for (const n of s.inputs) {
            const t = values.get(n)
            if (n !== IMAGE_INPUT && lastUse.get(n) === i && !taps.includes(n) && t) {
              t.dispose()
              values.delete(n)
            }
          }
        })
        return taps.map((t) => values.get(t) as tf.Tensor4D)
      })
    },
    dispose: () => model.dispose(),
  }
  return trunk
}
