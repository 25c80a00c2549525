/**
 * The gradients of one stage-2/3 step (docs/method.md), shared by the optimisation step (gan/step.ts)
 * and the data-parallel shard workers (gan/shards.ts): a single forward pass of G gives the fake
 * images that both losses use. G (and, when fine-tuning, E) descends
 *   L_G = 1 * LSGAN_G + 0.02 * L_percept (+ 0.01 * mean(z^2) when E trains)
 *         (+ l1 * L1 + gram * L_gram + latent * L_latent: recipe options, 0 in 'paper', recipe.ts)
 * with D held fixed; D descends LSGAN_D on real B and on the fake images treated as constants
 * (detached). Both gradients are taken at the same weights and the losses are read back.
 *
 * A recipe term with weight 0 is not computed (logged as 0): 'paper' costs what it did. The Gram
 * term reuses the perceptual loss's one feature pass of G(A, z), and B's Grams come from B's
 * features, which are extracted outside the tape anyway. The latent term runs a regressor E on
 * G(A, z) with E's weights as constants and regresses onto z as a constant (gan/step.ts says which
 * E; docs/decisions/0017).
 */
import * as tf from '@tensorflow/tfjs'
import type { Discriminator } from '../../models/discriminator.js'
import { createEncoder, type StyleEncoder } from '../../models/encoder.js'
import type { FeatureExtractor } from '../../models/features/types.js'
import type { Generator } from '../../models/generator.js'
import type { PairTensors } from './data.js'
import {
  lsganDiscriminatorLoss,
  lsganGeneratorLoss,
  perceptualDistance,
  zRegulariser,
  type GanLossWeights,
} from './losses.js'
import { gramDistance, latentRegression, pixelL1, stopGradient, unitGram } from './recipe-losses.js'

/** The three trained networks. */
export interface GanNetworks {
  readonly encoder: StyleEncoder
  readonly generator: Generator
  readonly discriminator: Discriminator
}

/** Loss values of one step, as logged. `total` is L_G as optimised (weighted). */
export interface GanLosses {
  /** Sum over scales of mean((D(G(A, z)) - 1)^2). */
  readonly g_adv: number
  /** Perceptual loss (unweighted). */
  readonly g_percept: number
  /** mean |G(A, z) - B| (unweighted; 0 when its weight is 0: not computed). */
  readonly g_l1: number
  /** Gram texture distance on the perceptual taps (unweighted; 0 when its weight is 0). */
  readonly g_gram: number
  /** mean((E(G(A, z)) - z)^2) (unweighted; 0 when its weight is 0). */
  readonly g_latent: number
  /** mean(z^2) (unweighted; weighted into total only when E trains). */
  readonly z_reg: number
  /** Sum over scales of mean((D(B) - 1)^2). */
  readonly d_real: number
  /** Sum over scales of mean(D(G(A, z))^2). */
  readonly d_fake: number
  /** L_G: the weighted sum of the G terms (z_reg only when E trains). */
  readonly total: number
}

/** Names of the logged losses, in record order. */
export const GAN_LOSS_NAMES = [
  'g_adv',
  'g_percept',
  'g_l1',
  'g_gram',
  'g_latent',
  'z_reg',
  'd_real',
  'd_fake',
  'total',
] as const
/** One of GAN_LOSS_NAMES. */
export type GanLossName = (typeof GAN_LOSS_NAMES)[number]

/** Maps a loss tensor by name inside the tapes (fault injection in tests; identity otherwise). */
export type LossHook = <T extends tf.Tensor>(name: GanLossName, loss: T) => T

/** Options of GradientComputer. */
export interface GradientOptions {
  /** Whether E trains with G (stage 3): z = E(B) on the tape and the z regulariser counts. */
  readonly trainEncoder: boolean
  readonly weights: GanLossWeights
}

/** The losses and both gradients at the current weights; the caller disposes `g` and `d`. */
export interface GanGradients {
  readonly losses: GanLosses
  /** Gradients of L_G in the order of `gVars`. */
  readonly g: tf.Tensor[]
  /** Gradients of L_D in the order of `dVars`. */
  readonly d: tf.Tensor[]
}

/**
 * The gradient computation of one network set: which variables each loss trains, in a fixed order
 * (G's then E's when it trains; D's), and the losses and both gradients on a batch.
 */
export class GradientComputer {
  /** G's variables, then E's when it trains: the order of GanGradients.g. */
  readonly gVars: tf.Variable[]
  /** D's variables: the order of GanGradients.d. */
  readonly dVars: tf.Variable[]
  /** Stage 3 with a latent term: E's weights as constants (see regressor). */
  private regressorCopy: StyleEncoder | null = null

  constructor(
    readonly nets: GanNetworks,
    readonly extractor: FeatureExtractor,
    readonly options: GradientOptions,
  ) {
    this.gVars = [
      ...nets.generator.params.list(),
      ...(options.trainEncoder ? nets.encoder.params.list() : []),
    ]
    this.dVars = nets.discriminator.params.list()
  }

  /**
   * The losses and both gradients on `batch` at the current weights (see the module comment);
   * the caller disposes the gradients. `hook` sees each loss tensor before it is used (tests
   * force NaN with it).
   */
  compute(batch: PairTensors, hook: LossHook = (_name, loss) => loss): Promise<GanGradients> {
    return ganGradients(this, batch, hook)
  }

  /**
   * The E that the latent term runs on G's output, with weights outside this step's gradient: E
   * itself when frozen; in stage 3 a copy whose variables share E's current tensors (no copy).
   */
  regressor(): StyleEncoder {
    const encoder = this.nets.encoder
    if (!this.options.trainEncoder) return encoder
    this.regressorCopy ??= createEncoder(encoder.config)
    this.regressorCopy.params.assign(Object.fromEntries(encoder.params.entries()))
    return this.regressorCopy
  }

  /** Frees the stage-3 regression copy of E. */
  dispose(): void {
    this.regressorCopy?.dispose()
    this.regressorCopy = null
  }
}

/** GradientComputer.compute. */
async function ganGradients(
  c: GradientComputer,
  batch: PairTensors,
  hook: LossHook,
): Promise<GanGradients> {
  const { encoder, generator, discriminator } = c.nets
  const { input, output } = batch
  const w = c.options.weights
  const trainE = c.options.trainEncoder
  const regressor = w.latent > 0 ? c.regressor() : null
  const target = c.extractor.extract(output) // per tap [B, h, w, C]; outside the tapes
  const targetGrams = w.gram > 0 ? target.map((t) => unitGram(t)) : [] // per tap [B, C, C]
  const frozenZ = trainE ? null : encoder.apply(output) // [B, zDim]
  const kept: { fake?: tf.Tensor4D } = {}
  const parts: Partial<Record<GanLossName, tf.Scalar>> = {}
  let gGrads: tf.NamedTensorMap = {}
  let dGrads: tf.NamedTensorMap = {}
  try {
    const g = tf.variableGrads(() => {
      const z = frozenZ ?? encoder.apply(output) // [B, zDim]
      const f = generator.apply(input, z) // [B, H, W, 3]
      kept.fake = tf.keep(f)
      const adv = hook('g_adv', lsganGeneratorLoss(discriminator.apply(f, input)))
      const features = c.extractor.extract(f) // the one pass: perceptual and Gram terms
      const percept = hook('g_percept', perceptualDistance(features, target))
      const zReg = hook('z_reg', zRegulariser(z))
      Object.assign(parts, { g_adv: tf.keep(adv), g_percept: tf.keep(percept) })
      parts.z_reg = tf.keep(zReg)
      let total = tf.add(tf.mul(adv, w.adversarial), tf.mul(percept, w.perceptual))
      if (trainE) total = tf.add(total, tf.mul(zReg, w.zReg))
      const extra = (name: GanLossName, weight: number, term: () => tf.Scalar): void => {
        if (!(weight > 0)) return
        const value = hook(name, term())
        parts[name] = tf.keep(value)
        total = tf.add(total, tf.mul(value, weight))
      }
      extra('g_l1', w.l1, () => pixelL1(f, output))
      extra('g_gram', w.gram, () => gramDistance(features, targetGrams))
      if (regressor)
        extra('g_latent', w.latent, () =>
          latentRegression(regressor.apply(f), frozenZ ?? stopGradient(z)),
        )
      return hook('total', total as tf.Scalar)
    }, [...c.gVars])
    gGrads = g.grads
    parts.total = g.value
    const detached = kept.fake // a constant here: D's tape does not reach G
    if (!detached) throw new Error('ganGradients: the generator pass produced no image')
    const d = tf.variableGrads(() => {
      const l = lsganDiscriminatorLoss(
        discriminator.apply(output, input),
        discriminator.apply(detached, input),
      )
      const real = hook('d_real', l.real)
      const fake = hook('d_fake', l.fake)
      Object.assign(parts, { d_real: tf.keep(real), d_fake: tf.keep(fake) })
      return tf.add<tf.Scalar>(real, fake)
    }, [...c.dVars])
    dGrads = d.grads
    d.value.dispose()
    const losses = await readLosses(parts)
    const result = { losses, g: ordered(c.gVars, gGrads), d: ordered(c.dVars, dGrads) }
    gGrads = {}
    dGrads = {}
    return result
  } finally {
    tf.dispose([...target, ...targetGrams, ...Object.values(parts)])
    tf.dispose([...Object.values(gGrads), ...Object.values(dGrads)])
    frozenZ?.dispose()
    kept.fake?.dispose()
  }
}

/** Gradients in the variables' order. */
function ordered(vars: readonly tf.Variable[], grads: tf.NamedTensorMap): tf.Tensor[] {
  return vars.map((v) => {
    const g = grads[v.name]
    if (!g) throw new Error(`no gradient for variable ${v.name}`)
    return g
  })
}

/** Reads every computed loss; a term that was not computed (weight 0) reads 0. */
async function readLosses(parts: Partial<Record<GanLossName, tf.Scalar>>): Promise<GanLosses> {
  const values = await Promise.all(
    GAN_LOSS_NAMES.map(async (k) => {
      const t = parts[k]
      return [k, t ? ((await t.data())[0] ?? NaN) : 0] as const
    }),
  )
  return Object.fromEntries(values) as Record<GanLossName, number>
}
