/**
 * Equalised-learning-rate conv and dense layers bound to named variables of a Params. A layer
 * keeps references to its variables (so Params.assign updates it in place) and the run-time
 * scale equalisedScale(fanIn, slope), where slope is the leaky-ReLU slope of the activation that
 * follows it (0 for ReLU, tanh and linear outputs).
 */
import * as tf from '@tensorflow/tfjs'
import { trainableConv2d } from './conv2d.js'
import { eqDense, equalisedScale } from './ops.js'
import type { Params } from './params.js'
import { prepared } from './prepared.js'

/** Shape and options of a conv layer. */
export interface ConvSpec {
  /** Kernel size k (k x k). */
  readonly k: number
  /** Input channels. */
  readonly cin: number
  /** Output channels. */
  readonly cout: number
  /** Stride (default 1); padding is always 'same'. */
  readonly stride?: number
  /** Leaky-ReLU slope of the following activation (default 0: ReLU / linear). */
  readonly slope?: number
  /** Whether the layer has a bias (default true; false before instance norm, which cancels it). */
  readonly bias?: boolean
}

/** A conv layer: N(0, 1) kernel [k, k, cin, cout] scaled at run time, optional bias [cout]. */
export interface ConvLayer {
  readonly name: string
  readonly kernel: tf.Variable<tf.Rank.R4>
  readonly bias: tf.Variable<tf.Rank.R1> | null
  readonly stride: number
  readonly slope: number
  /** equalisedScale(k * k * cin, slope). */
  readonly scale: number
}

/** Creates the variables `${name}/w` (and `${name}/b`) of a conv layer in `params`. */
export function convLayer(params: Params, name: string, spec: ConvSpec): ConvLayer {
  const { k, cin, cout, stride = 1, slope = 0, bias = true } = spec
  return {
    name,
    kernel: params.normal(`${name}/w`, [k, k, cin, cout]) as tf.Variable<tf.Rank.R4>,
    bias: bias ? (params.constant(`${name}/b`, [cout]) as tf.Variable<tf.Rank.R1>) : null,
    stride,
    slope,
    scale: equalisedScale(k * k * cin, slope),
  }
}

/** Applies a conv layer ('same' padding). x [B, H, W, cin] -> [B, H / stride, W / stride, cout]. */
export function conv(layer: ConvLayer, x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const cin = layer.kernel.shape[2]
    if (x.shape[3] !== cin) {
      throw new RangeError(
        `${layer.name}: input [${x.shape.join(', ')}] has ${x.shape[3]} channels, expected ${cin}`,
      )
    }
    const [w] = prepared(layer.kernel, 'scaled', () => [
      tf.mul<tf.Tensor4D>(layer.kernel, layer.scale),
    ])
    const y = trainableConv2d(x, w, layer.stride, 'same')
    return layer.bias ? tf.add<tf.Tensor4D>(y, layer.bias) : y
  })
}

/** Shape and options of a dense layer. */
export interface DenseSpec {
  readonly cin: number
  readonly cout: number
  /** Leaky-ReLU slope of the following activation (default 0). */
  readonly slope?: number
}

/** A dense layer: N(0, 1) kernel [cin, cout] scaled at run time, bias [cout]. */
export interface DenseLayer {
  readonly name: string
  readonly kernel: tf.Variable<tf.Rank.R2>
  readonly bias: tf.Variable<tf.Rank.R1>
  readonly slope: number
}

/** Creates the variables `${name}/w` and `${name}/b` of a dense layer in `params`. */
export function denseLayer(params: Params, name: string, spec: DenseSpec): DenseLayer {
  return {
    name,
    kernel: params.normal(`${name}/w`, [spec.cin, spec.cout]) as tf.Variable<tf.Rank.R2>,
    bias: params.constant(`${name}/b`, [spec.cout]) as tf.Variable<tf.Rank.R1>,
    slope: spec.slope ?? 0,
  }
}

/** Applies a dense layer. x [B, cin] -> [B, cout]. */
export function dense(layer: DenseLayer, x: tf.Tensor2D): tf.Tensor2D {
  return eqDense(x, layer.kernel, layer.bias, layer.slope)
}

/** Checks an image batch: rank 4 with 3 channels; throws a RangeError naming `what` and the shape. */
export function assertImages(what: string, x: tf.Tensor): asserts x is tf.Tensor4D {
  if (x.rank !== 4 || x.shape[3] !== 3) {
    throw new RangeError(`${what}: expected images [B, H, W, 3], got [${x.shape.join(', ')}]`)
  }
}

/** Checks a batch of style codes [B, zDim]; throws a RangeError naming `what` and the shape. */
export function assertCodes(what: string, z: tf.Tensor, zDim: number): asserts z is tf.Tensor2D {
  if (z.rank !== 2 || z.shape[1] !== zDim) {
    throw new RangeError(`${what}: expected codes [B, ${zDim}], got [${z.shape.join(', ')}]`)
  }
}

/**
 * Nearest-neighbour x2 upsampling as a broadcast multiply. [B, H, W, C] -> [B, 2H, 2W, C].
 * Not tf.image.resizeNearestNeighbor: its gradient on the tfjs 4.22 cpu backend is wrong
 * (it does not sum each 2x2 block), and this form's gradient is a plain sum on every backend.
 */
export function upsample2x(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w, c] = x.shape
    const spread = tf.mul(tf.reshape(x, [b, h, 1, w, 1, c]), tf.ones([1, 1, 2, 1, 2, 1]))
    return tf.reshape(spread, [b, 2 * h, 2 * w, c])
  })
}

/**
 * 2x2 average pooling, stride 2 ('valid': an odd last row / column is dropped).
 * [B, H, W, C] -> [B, floor(H/2), floor(W/2), C]. Even sizes use reshape + mean, whose gradient
 * is a broadcast (faster on wasm than its AvgPoolGrad kernel).
 */
export function avgPool2x2(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w, c] = x.shape
    if (h % 2 !== 0 || w % 2 !== 0) return tf.avgPool(x, 2, 2, 'valid')
    return tf.mean(tf.reshape(x, [b, h / 2, 2, w / 2, 2, c]), [2, 4])
  })
}
