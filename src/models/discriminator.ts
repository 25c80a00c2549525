/**
 * Discriminator D (docs/method.md, stage 2): a conditional PatchGAN on concat(output, input)
 * (6 channels) at several scales, each with its own weights, the input average-pooled x2
 * (3x3, stride 2, 'same', padding not counted) between scales. Per scale:
 * conv4x4 s2 + lrelu (w), two conv4x4 s2 + IN + lrelu (2w, 4w), a minibatch-stddev channel,
 * conv4x4 s1 + IN + lrelu (8w), conv4x4 s1 -> 1 logit channel.
 */
import * as tf from '@tensorflow/tfjs'
import { PAPER, type DiscriminatorConfig } from './configs.js'
import { assertImages, conv, convLayer, type ConvLayer } from './layers.js'
import { instanceNorm } from './ops.js'
import { Params } from './params.js'

/** The discriminator: its config, its variables and a pure forward function. */
export interface Discriminator {
  readonly config: DiscriminatorConfig
  readonly params: Params
  /**
   * output [B, H, W, 3] (real B or G's image), input [B, H, W, 3] (the condition A), both in
   * [-1, 1] -> one logit map per scale, finest first: [B, ~H/8, ~W/8, 1], [B, ~H/16, ~W/16, 1], ...
   */
  apply(output: tf.Tensor4D, input: tf.Tensor4D): tf.Tensor4D[]
  /** Disposes the variables. */
  dispose(): void
}

/** Epsilon inside the minibatch-stddev square root: keeps batch 1 (variance 0) finite. */
export const MBSTD_EPSILON = 1e-8

/**
 * Appends the minibatch-stddev channel. Samples are split into groups of g (the largest divisor
 * of B not above `groupSize`; sample b is in group b mod (B / g)); within a group the stddev of
 * every feature is taken over the g samples, averaged to one scalar and broadcast as a channel.
 * x [B, H, W, C] -> [B, H, W, C + 1]; a batch of identical samples (or B = 1) gets ~0.
 */
export function minibatchStddev(x: tf.Tensor4D, groupSize = 4): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w, c] = x.shape
    let g = Math.max(1, Math.min(groupSize, b))
    while (b % g !== 0) g--
    const m = b / g
    const grouped = tf.reshape(x, [g, m, h, w, c])
    const variance = tf.mean(tf.square(tf.sub(grouped, tf.mean(grouped, 0, true))), 0) // [M,H,W,C]
    const std = tf.mean(tf.sqrt(tf.add(variance, MBSTD_EPSILON)), [1, 2, 3]) // [M]
    // sample i -> std[i mod M]; broadcasting, not tf.tile, keeps the gradient a plain sum
    const perSample = tf.reshape(tf.mul(tf.ones([g, 1]), tf.reshape(std, [1, m])), [b, 1, 1, 1])
    return tf.concat([x, tf.mul<tf.Tensor4D>(perSample, tf.ones([1, h, w, 1]))], 3)
  })
}

/**
 * Smallest input side D accepts: 2^(scales + 3), so the coarsest scale's instance-normed maps are
 * at least 2x2 (instance norm of a 1x1 map is 0 and would cut the gradient).
 */
export function discriminatorMinSize(config: DiscriminatorConfig): number {
  return 2 ** (config.scales + 3)
}

interface Scale {
  readonly conv1: ConvLayer // 4x4 s2, 6 -> w, lrelu
  readonly conv2: ConvLayer // 4x4 s2, w -> 2w, IN, lrelu
  readonly conv3: ConvLayer // 4x4 s2, 2w -> 4w, IN, lrelu
  readonly conv4: ConvLayer // 4x4 s1, 4w + 1 (stddev) -> 8w, IN, lrelu
  readonly logits: ConvLayer // 4x4 s1, 8w -> 1
}

/** Builds D with weights drawn from `seed` (variables named 'dis/scale{i}/...'). */
export function createDiscriminator(
  config: DiscriminatorConfig = PAPER.discriminator,
  seed = 0,
): Discriminator {
  const params = new Params(seed, 'dis')
  const { width: w, slope } = config
  const scales: Scale[] = []
  for (let s = 1; s <= config.scales; s++) {
    const layer = (name: string, cin: number, cout: number, stride: number, norm: boolean) =>
      convLayer(params, `scale${s}/${name}`, { k: 4, cin, cout, stride, slope, bias: !norm })
    scales.push({
      conv1: layer('conv1', 6, w, 2, false),
      conv2: layer('conv2', w, 2 * w, 2, true),
      conv3: layer('conv3', 2 * w, 4 * w, 2, true),
      conv4: layer('conv4', 4 * w + 1, 8 * w, 1, true),
      logits: convLayer(params, `scale${s}/logits`, { k: 4, cin: 8 * w, cout: 1 }),
    })
  }

  const runScale = (scale: Scale, x: tf.Tensor4D): tf.Tensor4D =>
    tf.tidy(() => {
      let y = tf.leakyRelu(conv(scale.conv1, x), slope) // [B, H/2, W/2, w]
      y = tf.leakyRelu(instanceNorm(conv(scale.conv2, y)), slope) // [B, H/4, W/4, 2w]
      y = tf.leakyRelu(instanceNorm(conv(scale.conv3, y)), slope) // [B, H/8, W/8, 4w]
      y = minibatchStddev(y, config.mbstdGroup) // [B, H/8, W/8, 4w + 1]
      y = tf.leakyRelu(instanceNorm(conv(scale.conv4, y)), slope) // [B, H/8, W/8, 8w]
      return conv(scale.logits, y) // [B, H/8, W/8, 1]
    })

  const apply = (output: tf.Tensor4D, input: tf.Tensor4D): tf.Tensor4D[] =>
    tf.tidy(() => {
      assertImages('discriminator output image', output)
      assertImages('discriminator input image', input)
      if (output.shape.join() !== input.shape.join()) {
        throw new RangeError(
          `discriminator: output [${output.shape.join(', ')}] and input [${input.shape.join(', ')}] differ in shape`,
        )
      }
      const [, h, w] = output.shape
      const min = discriminatorMinSize(config)
      if (h < min || w < min) {
        throw new RangeError(
          `discriminator input [${output.shape.join(', ')}]: H and W must be at least ${min} for ${config.scales} scales (or use fewer scales)`,
        )
      }
      let x = tf.concat([output, input], 3) // [B, H, W, 6]
      const maps: tf.Tensor4D[] = []
      scales.forEach((scale, i) => {
        if (i > 0) x = tf.avgPool(x, 3, 2, 'same') // [B, ceil(H/2), ceil(W/2), 6]
        maps.push(runScale(scale, x))
      })
      return maps
    })

  return { config, params, apply, dispose: () => params.dispose() }
}
