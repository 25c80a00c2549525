/**
 * Style encoder E (docs/method.md, stage 1): image -> style code z. A stride-2 4x4 stem conv,
 * residual basic blocks (each halving the resolution, followed by pixel norm), leaky ReLU,
 * global average pool and one dense head. Every conv and dense uses the equalised learning rate.
 * With config.textureStats (ADR 0008) the head also sees log(variance over H, W + 1e-3) of each
 * channel of block 1 before its pooling: texture energy that averaging would otherwise erase.
 */
import * as tf from '@tensorflow/tfjs'
import { PAPER, type EncoderConfig } from './configs.js'
import {
  assertImages,
  avgPool2x2,
  conv,
  convLayer,
  dense,
  denseLayer,
  type ConvLayer,
  type DenseLayer,
} from './layers.js'
import { pixelNorm } from './ops.js'
import { Params } from './params.js'

/** The style encoder: its config, its variables and a pure forward function. */
export interface StyleEncoder {
  readonly config: EncoderConfig
  readonly params: Params
  /** images [B, H, W, 3] in [-1, 1] -> z [B, zDim]. New tensors; nothing else is kept. */
  apply(images: tf.Tensor4D): tf.Tensor2D
  /** Disposes the variables. */
  dispose(): void
}

interface BasicBlock {
  readonly conv1: ConvLayer // 3x3, cin -> cin
  readonly conv2: ConvLayer // 3x3, cin -> cout, then avgpool 2
  readonly shortcut: ConvLayer // avgpool 2, then 1x1 cin -> cout
}

/** Smallest input side E accepts: the stem and every block halve it, leaving at least 1 pixel. */
export function encoderMinSize(config: EncoderConfig): number {
  return 2 ** (config.blocks.length + 1)
}

/** Builds E with weights drawn from `seed` (variables named 'enc/...'). */
export function createEncoder(config: EncoderConfig = PAPER.encoder, seed = 0): StyleEncoder {
  const params = new Params(seed, 'enc')
  const { width, slope, zDim } = config
  const stem = convLayer(params, 'stem', { k: 4, cin: 3, cout: width, stride: 2, slope })
  const blocks: BasicBlock[] = []
  let cin = width
  config.blocks.forEach((mult, i) => {
    const cout = mult * width
    const name = `block${i + 1}`
    blocks.push({
      conv1: convLayer(params, `${name}/conv1`, { k: 3, cin, cout: cin, slope }),
      conv2: convLayer(params, `${name}/conv2`, { k: 3, cin, cout, slope }),
      shortcut: convLayer(params, `${name}/shortcut`, { k: 1, cin, cout, slope }),
    })
    cin = cout
  })
  const statChannels = config.textureStats ? (config.blocks[0] ?? 0) * width : 0
  const head: DenseLayer = denseLayer(params, 'head', { cin: cin + statChannels, cout: zDim })
  const minSize = encoderMinSize(config)

  const apply = (images: tf.Tensor4D): tf.Tensor2D =>
    tf.tidy(() => {
      assertImages('encoder input', images)
      const [, h, w] = images.shape
      if (h < minSize || w < minSize) {
        throw new RangeError(
          `encoder input [${images.shape.join(', ')}]: H and W must be at least ${minSize}`,
        )
      }
      let x = conv(stem, images) // [B, H/2, W/2, w]
      const stats: tf.Tensor2D[] = []
      blocks.forEach((block, i) => {
        x = basicBlock(block, x, slope, i === 0 && config.textureStats ? stats : null) // halves
      })
      const pooled = tf.mean<tf.Tensor2D>(tf.leakyRelu(x, slope), [1, 2]) // [B, C]
      return dense(head, stats.length ? tf.concat([pooled, ...stats], 1) : pooled) // [B, zDim]
    })

  return { config, params, apply, dispose: () => params.dispose() }
}

/**
 * [lrelu, conv3x3, lrelu, conv3x3, avgpool2] + [avgpool2, conv1x1], then pixel norm. With `stats`,
 * pushes log(variance over H, W + 1e-3) [B, cout] of the second conv's output before pooling.
 * No tidy of its own: the caller's (apply's) tidy frees the intermediates and keeps only its result.
 */
function basicBlock(
  block: BasicBlock,
  x: tf.Tensor4D,
  slope: number,
  stats: tf.Tensor2D[] | null,
): tf.Tensor4D {
  let h = conv(block.conv1, tf.leakyRelu(x, slope))
  h = conv(block.conv2, tf.leakyRelu(h, slope))
  if (stats) stats.push(tf.log(tf.add<tf.Tensor2D>(tf.moments(h, [1, 2]).variance, 1e-3)))
  const s = conv(block.shortcut, avgPool2x2(x))
  return pixelNorm(tf.add(avgPool2x2(h), s))
}
