/**
 * Runs a loaded, truncated tfjs LayersModel layer by layer and returns the taps. Each Conv2D runs
 * with the inference BatchNormalization and ReLU that follow it (when nothing else reads the
 * intermediate values) as one frozen conv (frozen-conv.ts): BN folded into kernel and bias, ReLU
 * fused, gradient w.r.t. the input only. The layers API's own conv is never used: its gradient
 * always computes the filter gradient too, and Conv2DBackpropFilter does not exist on wasm.
 * Other layers (padding, pooling, add, activations) run through layer.apply.
 */
import * as tf from '@tensorflow/tfjs'
import {
  applyFrozenConv,
  foldBatchNorm,
  type BatchNormParams,
  type FrozenConv,
} from './frozen-conv.js'
import { IMAGE_INPUT, type PlanStep } from './topology.js'

type Run = (inputs: tf.Tensor[]) => tf.Tensor
type Layer = tf.layers.Layer

/** A step to run: a plan step, or a conv with the BN / ReLU after it (named after the last). */
interface Step extends PlanStep {
  readonly run: Run
}

/** The weight of `layer` whose name ends in `/suffix`, or null. */
function weightOf(layer: Layer, suffix: string): tf.Tensor | null {
  const w = layer.weights.find((v) => v.originalName.endsWith(`/${suffix}`))
  return w ? w.read() : null
}

function batchNormOf(layer: Layer): BatchNormParams {
  const config = layer.getConfig()
  const axis = config['axis']
  const last =
    axis === -1 ||
    axis === 3 ||
    (Array.isArray(axis) && axis.length === 1 && (axis[0] === 3 || axis[0] === -1))
  const mean = weightOf(layer, 'moving_mean')
  const variance = weightOf(layer, 'moving_variance')
  if (!last || !mean || !variance)
    throw new Error(`layer '${layer.name}': only channel-last inference batch norm can be folded`)
  return {
    gamma: weightOf(layer, 'gamma') as tf.Tensor1D | null,
    beta: weightOf(layer, 'beta') as tf.Tensor1D | null,
    mean: mean as tf.Tensor1D,
    variance: variance as tf.Tensor1D,
    epsilon: Number(config['epsilon'] ?? 1e-3),
  }
}

/** The frozen conv of `conv` (+ `bn`, + ReLU); its tensors are pushed to `owned`. */
function frozenConvOf(
  conv: Layer,
  bn: Layer | null,
  relu: boolean,
  owned: tf.Tensor[],
): FrozenConv {
  const config = conv.getConfig()
  const strides = config['strides'] as [number, number]
  const dilations = (config['dilationRate'] ?? [1, 1]) as [number, number] | number
  const pad = config['padding']
  const activation = config['activation'] ?? 'linear'
  const where = `layer '${conv.name}'`
  if (pad !== 'same' && pad !== 'valid')
    throw new Error(`${where}: unsupported padding ${JSON.stringify(pad)}`)
  if (activation !== 'relu' && activation !== 'linear')
    throw new Error(`${where}: unsupported activation ${JSON.stringify(activation)}`)
  if (strides[0] !== strides[1]) throw new Error(`${where}: unequal strides ${strides.join('x')}`)
  if ((config['dataFormat'] ?? 'channelsLast') !== 'channelsLast')
    throw new Error(`${where}: only channels-last convs are supported`)
  if ([dilations].flat().some((d) => d !== 1))
    throw new Error(`${where}: dilated convs unsupported`)
  const kernel = weightOf(conv, 'kernel')
  if (!kernel || kernel.rank !== 4) throw new Error(`${where}: no 4D kernel`)
  const bias = config['useBias'] !== false ? (weightOf(conv, 'bias') as tf.Tensor1D | null) : null
  const folded = foldBatchNorm(kernel as tf.Tensor4D, bias, bn ? batchNormOf(bn) : null)
  owned.push(folded.kernel, ...(folded.bias ? [folded.bias] : []))
  return { ...folded, stride: strides[0], pad, relu: relu || activation === 'relu' }
}

function isRelu(layer: Layer): boolean {
  return layer.getClassName() === 'Activation' && layer.getConfig()['activation'] === 'relu'
}

function applyLayer(layer: Layer): Run {
  return (inputs) =>
    layer.apply(inputs.length === 1 ? (inputs[0] as tf.Tensor) : inputs, {
      training: false,
    }) as tf.Tensor
}

/** The plan with each conv fused with the BN and ReLU that alone read its output. */
function fusedSteps(
  model: tf.LayersModel,
  plan: readonly PlanStep[],
  taps: readonly string[],
  owned: tf.Tensor[],
  convs: FrozenConv[],
): Step[] {
  const readers = new Map<string, PlanStep[]>()
  for (const s of plan) for (const n of s.inputs) readers.set(n, [...(readers.get(n) ?? []), s])
  /** The one step reading `name` (and nothing else), when `name` is not a tap. */
  const soleReader = (name: string): PlanStep | undefined => {
    const r = readers.get(name)
    return !taps.includes(name) && r?.length === 1 && r[0]?.inputs.length === 1 ? r[0] : undefined
  }
  const fused = new Set<string>()
  const steps: Step[] = []
  for (const s of plan) {
    if (fused.has(s.name)) continue
    const layer = model.getLayer(s.name)
    if (layer.getClassName() !== 'Conv2D') {
      steps.push({ ...s, run: applyLayer(layer) })
      continue
    }
    let last = s.name
    let bn: Layer | null = null
    let relu = false
    // only a linear conv can take the BN and ReLU after it: relu(BN(conv)) != BN(relu(conv))
    const linear = (layer.getConfig()['activation'] ?? 'linear') === 'linear'
    const next = linear ? soleReader(last) : undefined
    if (next && model.getLayer(next.name).getClassName() === 'BatchNormalization') {
      bn = model.getLayer(next.name)
      last = next.name
      fused.add(last)
    }
    const after = linear ? soleReader(last) : undefined
    if (after && isRelu(model.getLayer(after.name))) {
      relu = true
      last = after.name
      fused.add(last)
    }
    const conv = frozenConvOf(layer, bn, relu, owned)
    convs.push(conv)
    steps.push({
      name: last,
      inputs: s.inputs,
      run: ([x]) => applyFrozenConv(x as tf.Tensor4D, conv),
    })
  }
  return steps
}

/** A frozen trunk: image batch in (already preprocessed), one activation per tap out. */
export interface Trunk {
  run(x: tf.Tensor4D): tf.Tensor4D[]
  dispose(): void
}

/** Wraps `model` (weights loaded) to run `plan` and return `taps` in order. */
export function trunkOf(model: tf.LayersModel, plan: readonly PlanStep[], taps: readonly string[]) {
  const owned: tf.Tensor[] = []
  const convs: FrozenConv[] = []
  const steps = fusedSteps(model, plan, taps, owned, convs)
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
    dispose: () => {
      tf.dispose(owned)
      for (const c of convs) {
        c.gradKernel?.dispose()
        c.gradKernel = undefined
      }
      model.dispose()
    },
  }
  return trunk
}
