/**
 * Generator G(A, z) (docs/method.md, stage 2): a pix2pixHD-like encoder-decoder with skips.
 * Content encoder: conv7x7 + IN + ReLU (w), three stride-2 conv3x3 + IN + ReLU (2w, 4w, 8w),
 * residual blocks (IN). Decoder: residual blocks whose first conv sees concat(x, tiled z), three
 * upsampling blocks [concat(x, encoder skip, z), nearest x2, (conv3x3-ReLU-pixelnorm) x 2] to
 * 4w, 2w, w, and a conv1x1 over concat(x, first-layer features, z) -> 3, tanh. z enters every
 * decoder stage, always through styleConv. The decoder uses pixel norm, not instance norm,
 * because instance norm would cancel the per-channel constant that a tiled z contributes.
 */
import * as tf from '@tensorflow/tfjs'
import { PAPER, type GeneratorConfig } from './configs.js'
import { assertCodes, assertImages, conv, convLayer, upsample2x, type ConvLayer } from './layers.js'
import { instanceNorm, pixelNorm } from './ops.js'
import { Params } from './params.js'
import { styleConv as styleConvSplit, styleConvTiled } from './style-input.js'

/** The generator: its config, its variables and a pure forward function. */
export interface Generator {
  readonly config: GeneratorConfig
  readonly params: Params
  /** content [B, H, W, 3] in [-1, 1], z [B, zDim] -> image [B, H, W, 3] in (-1, 1). */
  apply(content: tf.Tensor4D, z: tf.Tensor2D): tf.Tensor4D
  /**
   * The content half of `apply` (z-independent): bottleneck and skips of `content` (the bench
   * times the decoder alone with it). The caller disposes the result.
   */
  encodeContent(content: tf.Tensor4D): ContentFeatures
  /** The z half of `apply`: `decode(encodeContent(A), z)` equals `apply(A, z)`. */
  decode(features: ContentFeatures, z: tf.Tensor2D): tf.Tensor4D
  /** Disposes the variables. */
  dispose(): void
}

/** G's content features: the bottleneck and the encoder's skips (stem first). */
export interface ContentFeatures {
  readonly bottleneck: tf.Tensor4D
  readonly skips: readonly tf.Tensor4D[]
  /** Disposes the tensors. */
  dispose(): void
}

/** Options of createGenerator. */
export interface GeneratorOptions {
  /**
   * How z enters the decoder: 'split' (default: conv of the features + an exact per-sample z
   * term) or 'tiled' (conv of concat(features, tiled z)); identical results (docs/decisions/0010).
   */
  readonly zInjection?: 'split' | 'tiled'
}

/** H and W of G's input must be multiples of this (three stride-2 levels). */
export const GENERATOR_SIZE_MULTIPLE = 8

interface ResBlock {
  readonly conv1: ConvLayer
  readonly conv2: ConvLayer
}

interface UpBlock {
  readonly conv1: ConvLayer // over concat(upsampled x and skip, z)
  readonly conv2: ConvLayer
}

/** Builds G with weights drawn from `seed` (variables named 'gen/...'). */
export function createGenerator(
  config: GeneratorConfig = PAPER.generator,
  seed = 0,
  options: GeneratorOptions = {},
): Generator {
  const params = new Params(seed, 'gen')
  const styleConv = options.zInjection === 'tiled' ? styleConvTiled : styleConvSplit
  const { width: w, zDim } = config
  const enc = [w, 2 * w, 4 * w, 8 * w] // channels of the stem and the three down levels
  const c = 8 * w // bottleneck channels
  const stem = convLayer(params, 'stem', { k: 7, cin: 3, cout: w, bias: false })
  const downs = [1, 2, 3].map((i) =>
    convLayer(params, `down${i}`, {
      k: 3,
      cin: enc[i - 1] ?? 0,
      cout: enc[i] ?? 0,
      stride: 2,
      bias: false,
    }),
  )
  const encRes: ResBlock[] = range(config.encoderResBlocks).map((i) => ({
    conv1: convLayer(params, `encres${i + 1}/conv1`, { k: 3, cin: c, cout: c, bias: false }),
    conv2: convLayer(params, `encres${i + 1}/conv2`, { k: 3, cin: c, cout: c, bias: false }),
  }))
  const decRes: ResBlock[] = range(config.decoderResBlocks).map((i) => ({
    conv1: convLayer(params, `decres${i + 1}/conv1`, { k: 3, cin: c + zDim, cout: c }),
    conv2: convLayer(params, `decres${i + 1}/conv2`, { k: 3, cin: c, cout: c }),
  }))
  // up block i: input channels = previous decoder output + matching encoder skip + z
  const ups: UpBlock[] = []
  let cin = c
  for (let i = 1; i <= 3; i++) {
    const skip = enc[4 - i] ?? 0
    const cout = enc[3 - i] ?? 0
    ups.push({
      conv1: convLayer(params, `up${i}/conv1`, { k: 3, cin: cin + skip + zDim, cout }),
      conv2: convLayer(params, `up${i}/conv2`, { k: 3, cin: cout, cout }),
    })
    cin = cout
  }
  const out = convLayer(params, 'out', { k: 1, cin: cin + w + zDim, cout: 3 })

  const encodeContent = (content: tf.Tensor4D): ContentFeatures => {
    const [bottleneck, ...skips] = tf.tidy<tf.Tensor4D[]>(() => {
      assertImages('generator content', content)
      const [, h, wd] = content.shape
      if (h % GENERATOR_SIZE_MULTIPLE !== 0 || wd % GENERATOR_SIZE_MULTIPLE !== 0 || h === 0) {
        throw new RangeError(
          `generator content [${content.shape.join(', ')}]: H and W must be positive multiples of ${GENERATOR_SIZE_MULTIPLE}`,
        )
      }
      const f0 = tf.relu(instanceNorm(conv(stem, content))) // [B, H, W, w]
      const skips = [f0]
      let x = f0
      for (const down of downs) {
        x = tf.relu(instanceNorm(conv(down, x))) // [B, H/2^i, W/2^i, 2^i w]
        skips.push(x)
      }
      for (const r of encRes) {
        const y = tf.relu(instanceNorm(conv(r.conv1, x)))
        x = tf.add(x, instanceNorm(conv(r.conv2, y))) // [B, H/8, W/8, 8w]
      }
      return [x, ...skips]
    })
    if (!bottleneck) throw new Error('generator: no content features')
    return { bottleneck, skips, dispose: () => tf.dispose([bottleneck, ...skips]) }
  }

  const decode = (features: ContentFeatures, z: tf.Tensor2D): tf.Tensor4D =>
    tf.tidy(() => {
      assertCodes('generator z', z, zDim)
      const b = features.bottleneck.shape[0]
      if (z.shape[0] !== b) {
        throw new RangeError(
          `generator: z [${z.shape.join(', ')}] and content batch ${b} have different batch sizes`,
        )
      }
      const { skips } = features
      let x = features.bottleneck
      for (const r of decRes) {
        const y = pixelNorm(tf.relu(styleConv(r.conv1, x, z)))
        x = tf.add(x, conv(r.conv2, y)) // [B, H/8, W/8, 8w]
      }
      ups.forEach((up, i) => {
        const skip = skips[3 - i] as tf.Tensor4D
        const u = upsample2x(tf.concat([x, skip], 3)) // [B, 2 sh, 2 sw, C + skip]
        const y = pixelNorm(tf.relu(styleConv(up.conv1, u, z)))
        x = pixelNorm(tf.relu(conv(up.conv2, y))) // [B, 2 sh, 2 sw, enc[2 - i]]
      })
      const f0 = skips[0] as tf.Tensor4D
      return tf.tanh(styleConv(out, tf.concat([x, f0], 3), z)) // [B, H, W, 3] in (-1, 1)
    })

  const apply = (content: tf.Tensor4D, z: tf.Tensor2D): tf.Tensor4D =>
    tf.tidy(() => {
      assertCodes('generator z', z, zDim)
      if (z.shape[0] !== content.shape[0]) {
        throw new RangeError(
          `generator: z [${z.shape.join(', ')}] and content [${content.shape.join(', ')}] have different batch sizes`,
        )
      }
      return decode(encodeContent(content), z)
    })

  return { config, params, apply, encodeContent, decode, dispose: () => params.dispose() }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}
