/**
 * MUNIT's networks (Huang et al. 2018; docs/decisions/0025), per domain: a content encoder
 * (conv7x7 + IN + ReLU, `downs` stride-2 conv4x4 + IN + ReLU doubling the channels, residual
 * blocks with IN), a style encoder (conv7x7 + ReLU, four stride-2 conv4x4 + ReLU doubling to at
 * most 4x, global average pool, dense -> zDim; no normalisation) and a decoder (residual blocks
 * with AdaIN whose scales and shifts an MLP makes from the style code, `downs` x [nearest x2,
 * conv5x5 + layer norm + ReLU], conv7x7 -> 3, tanh). Built from the shared equalised layers.
 */
import * as tf from '@tensorflow/tfjs'
import {
  assertCodes,
  assertImages,
  conv,
  convLayer,
  dense,
  denseLayer,
  upsample2x,
  type ConvLayer,
  type DenseLayer,
} from '../layers.js'
import { createDiscriminator, type Discriminator } from '../discriminator.js'
import { instanceNorm } from '../ops.js'
import { Params } from '../params.js'
import type { GeneratorNet, StyleEncoderNet } from '../translator.js'
import type { MunitConfig } from './configs.js'

/** Content code of an image: [B, H / 2^downs, W / 2^downs, width 2^downs]. */
export type ContentCode = tf.Tensor4D

/** One domain's auto-encoder. */
export interface MunitDomain {
  readonly config: MunitConfig
  readonly params: Params
  /** images [B, H, W, 3] -> content code. */
  content(images: tf.Tensor4D): ContentCode
  /** images [B, H, W, 3] -> style code [B, zDim]. */
  style(images: tf.Tensor4D): tf.Tensor2D
  /** content code and style code [B, zDim] -> images [B, H, W, 3] in (-1, 1). */
  decode(content: ContentCode, style: tf.Tensor2D): tf.Tensor4D
  dispose(): void
}

/** H and W of MUNIT's inputs must be multiples of this. */
export function munitSizeMultiple(config: MunitConfig): number {
  return 2 ** Math.max(config.downs, STYLE_DOWNS)
}

const STYLE_DOWNS = 4

interface Res {
  readonly conv1: ConvLayer
  readonly conv2: ConvLayer
}

/** Builds one domain's auto-encoder (variables '<prefix>/content/...', '/style/...', '/dec/...'). */
export function createMunitDomain(config: MunitConfig, seed: number, prefix: string): MunitDomain {
  const params = new Params(seed, prefix)
  const { width: w, downs, zDim } = config
  const c = w * 2 ** downs
  // content encoder
  const stem = convLayer(params, 'content/stem', { k: 7, cin: 3, cout: w, bias: false })
  const down = Array.from({ length: downs }, (_, i) =>
    convLayer(params, `content/down${i + 1}`, {
      k: 4,
      cin: w * 2 ** i,
      cout: w * 2 ** (i + 1),
      stride: 2,
      bias: false,
    }),
  )
  const res = (name: string, bias: boolean): Res[] =>
    Array.from({ length: config.resBlocks }, (_, i) => ({
      conv1: convLayer(params, `${name}${i + 1}/conv1`, { k: 3, cin: c, cout: c, bias }),
      conv2: convLayer(params, `${name}${i + 1}/conv2`, { k: 3, cin: c, cout: c, bias }),
    }))
  const contentRes = res('content/res', false)
  // style encoder
  const sw = config.styleWidth
  const styleStem = convLayer(params, 'style/stem', { k: 7, cin: 3, cout: sw })
  const styleChannels = Array.from({ length: STYLE_DOWNS + 1 }, (_, i) => sw * 2 ** Math.min(i, 2))
  const styleDown = Array.from({ length: STYLE_DOWNS }, (_, i) =>
    convLayer(params, `style/down${i + 1}`, {
      k: 4,
      cin: styleChannels[i] ?? sw,
      cout: styleChannels[i + 1] ?? sw,
      stride: 2,
    }),
  )
  const styleHead = denseLayer(params, 'style/head', {
    cin: styleChannels[STYLE_DOWNS] ?? sw,
    cout: zDim,
  })
  // decoder
  const decRes = res('dec/res', false)
  const adainCount = 2 * config.resBlocks * c // scales, then as many shifts
  const mlp: DenseLayer[] = [
    denseLayer(params, 'dec/mlp1', { cin: zDim, cout: config.mlpHidden }),
    denseLayer(params, 'dec/mlp2', { cin: config.mlpHidden, cout: config.mlpHidden }),
    denseLayer(params, 'dec/mlp3', { cin: config.mlpHidden, cout: 2 * adainCount }),
  ]
  const ups = Array.from({ length: downs }, (_, i) => {
    const cin = c / 2 ** i
    return {
      conv: convLayer(params, `dec/up${i + 1}/conv`, { k: 5, cin, cout: cin / 2 }),
      gamma: params.constant(`dec/up${i + 1}/ln_gamma`, [cin / 2], 1),
      beta: params.constant(`dec/up${i + 1}/ln_beta`, [cin / 2]),
    }
  })
  const out = convLayer(params, 'dec/out', { k: 7, cin: w, cout: 3 })
  const multiple = munitSizeMultiple(config)

  const checkSize = (what: string, images: tf.Tensor4D) => {
    assertImages(what, images)
    const [, h, wd] = images.shape
    if (h % multiple !== 0 || wd % multiple !== 0 || h === 0)
      throw new RangeError(
        `${what} [${images.shape.join(', ')}]: H and W must be positive multiples of ${multiple}`,
      )
  }

  const content = (images: tf.Tensor4D): ContentCode =>
    tf.tidy(() => {
      checkSize('MUNIT content input', images)
      let x = tf.relu(instanceNorm(conv(stem, images))) // [B, H, W, w]
      for (const d of down) x = tf.relu(instanceNorm(conv(d, x))) // halves, doubles channels
      for (const r of contentRes) {
        const y = tf.relu(instanceNorm(conv(r.conv1, x)))
        x = tf.add(x, instanceNorm(conv(r.conv2, y))) // [B, H / 2^downs, W / 2^downs, c]
      }
      return x
    })

  const style = (images: tf.Tensor4D): tf.Tensor2D =>
    tf.tidy(() => {
      checkSize('MUNIT style input', images)
      let x = tf.relu(conv(styleStem, images)) // [B, H, W, sw]
      for (const d of styleDown) x = tf.relu(conv(d, x)) // [B, H / 16, W / 16, 4 sw] at the end
      return dense(styleHead, tf.mean<tf.Tensor2D>(x, [1, 2])) // [B, zDim]
    })

  const decode = (code: ContentCode, s: tf.Tensor2D): tf.Tensor4D =>
    tf.tidy(() => {
      assertCodes('MUNIT style code', s, zDim)
      if (code.rank !== 4 || code.shape[3] !== c || code.shape[0] !== s.shape[0])
        throw new RangeError(
          `MUNIT decode: content [${code.shape.join(', ')}] and style [${s.shape.join(', ')}]: expected [B, h, w, ${c}] and [B, ${zDim}]`,
        )
      let p = s
      mlp.forEach((layer, i) => {
        p = dense(layer, p)
        if (i < mlp.length - 1) p = tf.relu(p)
      }) // [B, 2 adainCount]
      const b = s.shape[0]
      const adain = (x: tf.Tensor4D, i: number): tf.Tensor4D => {
        const scale = tf.reshape(tf.slice(p, [0, i * c], [b, c]), [b, 1, 1, c])
        const shift = tf.reshape(tf.slice(p, [0, adainCount + i * c], [b, c]), [b, 1, 1, c])
        return tf.add(tf.mul(instanceNorm(x), tf.add(scale, 1)), shift)
      }
      let x = code
      decRes.forEach((r, i) => {
        const y = tf.relu(adain(conv(r.conv1, x), 2 * i))
        x = tf.add(x, adain(conv(r.conv2, y), 2 * i + 1))
      })
      for (const up of ups) {
        const y = conv(up.conv, upsample2x(x)) // [B, 2h, 2w, C / 2]
        const { mean, variance } = tf.moments(y, [1, 2, 3], true) // layer norm per sample
        const normed = tf.div<tf.Tensor4D>(tf.sub(y, mean), tf.sqrt(tf.add(variance, 1e-5)))
        x = tf.relu(tf.add<tf.Tensor4D>(tf.mul(normed, up.gamma), up.beta))
      }
      return tf.tanh(conv(out, x)) // [B, H, W, 3]
    })

  return { config, params, content, style, decode, dispose: () => params.dispose() }
}

/** Both domains and both discriminators of a MUNIT; `b` is the output domain of A -> B. */
export interface MunitNets {
  readonly config: MunitConfig
  readonly a: MunitDomain
  readonly b: MunitDomain
  readonly dA: Discriminator
  readonly dB: Discriminator
}

/** Builds both domains and both discriminators from `seed`. */
export function createMunit(config: MunitConfig, seed = 0): MunitNets {
  return {
    config,
    a: createMunitDomain(config, seed + 1, 'munit_a'),
    b: createMunitDomain(config, seed + 2, 'munit_b'),
    dA: createDiscriminator(config.discriminator, seed + 3),
    dB: createDiscriminator(config.discriminator, seed + 4),
  }
}

/** The networks' parameters by checkpoint group. */
export function munitParams(n: MunitNets): Record<string, Params> {
  return {
    domain_a: n.a.params,
    domain_b: n.b.params,
    discriminator_a: n.dA.params,
    discriminator_b: n.dB.params,
  }
}

/** Disposes every network. */
export function disposeMunit(n: MunitNets): void {
  for (const net of [n.a, n.b, n.dA, n.dB]) net.dispose()
}

/**
 * An unconditional judgement with the shared conditional D: the condition channels are zero, so
 * they add nothing and their weights get no gradient. images [B, H, W, 3] -> logit maps.
 */
export function judge(d: Discriminator, images: tf.Tensor4D): tf.Tensor4D[] {
  return tf.tidy(() => d.apply(images, tf.zerosLike(images)))
}

/** What inference uses of a MUNIT: both auto-encoders, no discriminators. */
export type MunitAutoEncoders = Pick<MunitNets, 'config' | 'a' | 'b'>

/** Style encoding for inference: domain B's style encoder. */
export function munitStyleEncoder(nets: MunitAutoEncoders): StyleEncoderNet {
  return {
    config: { zDim: nets.config.zDim },
    params: nets.b.params,
    apply: (images) => nets.b.style(images),
    dispose: () => nets.b.dispose(),
  }
}

/** Generation A -> B for inference: domain B's decoder of domain A's content. */
export function munitGenerator(nets: MunitAutoEncoders): GeneratorNet {
  return {
    config: { zDim: nets.config.zDim },
    params: nets.a.params,
    apply: (content, z) =>
      tf.tidy(() => {
        assertCodes('MUNIT z', z, nets.config.zDim)
        if (z.shape[0] !== content.shape[0])
          throw new RangeError(
            `MUNIT: z [${z.shape.join(', ')}] and content [${content.shape.join(', ')}] have different batch sizes`,
          )
        return nets.b.decode(nets.a.content(content), z)
      }),
    dispose: () => nets.a.dispose(),
  }
}
