/**
 * A frozen pretrained conv as one op: the following inference BatchNormalization folded into its
 * kernel and bias, the following ReLU fused, and a gradient with respect to its INPUT only (the
 * perceptual loss differentiates features w.r.t. images; the weights never train). On wasm the
 * input gradient is conv2dInputGrad (forward convs in XNNPACK, threaded) instead of tfjs-wasm's
 * single-threaded Conv2DBackpropInput loop, and the batch-norm gradient (a Tile per layer) is
 * gone: it is part of the kernel. docs/decisions/0016-perceptual-trunk.md has the figures.
 */
import * as tf from '@tensorflow/tfjs'
import { conv2dInputGrad, inputGradKernel, usesCustomConvGrad } from '../conv2d.js'

/** One folded conv: y = act(conv(x, kernel) + bias). */
export interface FrozenConv {
  /** [k, k, Ci, Co], BN scale folded in. */
  readonly kernel: tf.Tensor4D
  /** [Co], conv bias and BN shift folded together; null when neither exists. */
  readonly bias: tf.Tensor1D | null
  readonly stride: number
  readonly pad: 'same' | 'valid'
  readonly relu: boolean
  /**
   * inputGradKernel(kernel, stride), made on the first backward pass and kept (wasm): assumes the
   * kernel never changes, as a frozen trunk's does. Its owner disposes it.
   */
  gradKernel?: tf.Tensor4D
}

/** Inference batch norm over the last axis: y = gamma (x - mean) / sqrt(var + eps) + beta. */
export interface BatchNormParams {
  readonly gamma: tf.Tensor1D | null
  readonly beta: tf.Tensor1D | null
  readonly mean: tf.Tensor1D
  readonly variance: tf.Tensor1D
  readonly epsilon: number
}

/**
 * Folds `bn` (when given) into kernel [k, k, Ci, Co] and bias [Co]: kernel * s and
 * (bias - mean) s + beta with s = gamma / sqrt(var + eps). New tensors; the caller owns them.
 */
export function foldBatchNorm(
  kernel: tf.Tensor4D,
  bias: tf.Tensor1D | null,
  bn: BatchNormParams | null,
): { kernel: tf.Tensor4D; bias: tf.Tensor1D | null } {
  if (!bn) return { kernel: tf.clone(kernel), bias: bias ? tf.clone(bias) : null }
  const [k, b] = tf.tidy((): [tf.Tensor4D, tf.Tensor1D] => {
    const inv = tf.rsqrt(tf.add(bn.variance, bn.epsilon))
    const s = bn.gamma ? tf.mul(bn.gamma, inv) : inv // [Co]
    const b0 = bias ?? tf.zerosLike(bn.mean)
    const shifted = tf.mul<tf.Tensor1D>(tf.sub(b0, bn.mean), s)
    return [
      tf.mul<tf.Tensor4D>(kernel, s),
      bn.beta ? tf.add<tf.Tensor1D>(shifted, bn.beta) : shifted,
    ]
  })
  return { kernel: k, bias: b }
}

/**
 * Forward: one FusedConv2D kernel (conv + bias + activation). Called as a kernel, not through
 * tf.fused.conv2d, which falls back to separate Conv2D + Add + Relu whenever a gradient tape is
 * recording (as it is inside the custom-gradient op below).
 */
function forward(x: tf.Tensor4D, c: FrozenConv): tf.Tensor4D {
  const inputs: tf.NamedTensorMap = { x, filter: c.kernel, ...(c.bias ? { bias: c.bias } : {}) }
  const attrs: tf.NamedAttrMap = {
    strides: [c.stride, c.stride],
    pad: c.pad,
    dataFormat: 'NHWC',
    dilations: [1, 1],
    activation: c.relu ? 'relu' : 'linear',
  }
  return tf.engine().runKernel<tf.Tensor4D>('FusedConv2D', inputs, attrs)
}

/** x [B, H, W, Ci] -> act(conv(x) + bias) [B, H', W', Co], differentiable w.r.t. x only. */
export function applyFrozenConv(x: tf.Tensor4D, c: FrozenConv): tf.Tensor4D {
  // the kernel is called directly, without tf.conv2d's argument checks: check here
  if (x.rank !== 4 || x.shape[3] !== c.kernel.shape[2])
    throw new Error(
      `frozen conv: input 'x' must be [B, H, W, ${c.kernel.shape[2]}] for kernel [${c.kernel.shape.join(', ')}], got [${x.shape.join(', ')}]`,
    )
  if (!tf.engine().isTapeOn()) return forward(x, c)
  const op = tf.customGrad((...args) => {
    const [xIn, save] = args as [tf.Tensor4D, tf.GradSaveFunc]
    const y = forward(xIn, c)
    save(c.relu ? [y] : [])
    return {
      value: y,
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [out] = saved as [tf.Tensor4D?]
        const g = out ? tf.mul(dy, tf.step(out)) : dy // ReLU: pass where the output is > 0
        if (!usesCustomConvGrad())
          return tf.conv2dTranspose(g as tf.Tensor4D, c.kernel, xIn.shape, c.stride, c.pad)
        c.gradKernel ??= tf.keep(inputGradKernel(c.kernel, c.stride))
        return conv2dInputGrad(g as tf.Tensor4D, c.kernel, xIn.shape, c.stride, c.pad, c.gradKernel)
      },
    }
  })
  return op(x)
}
