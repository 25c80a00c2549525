/**
 * One optimisation step of stages 2 and 3 (step-method.md): a single forward pass of G gives the
 * fake images that both updates use. G (and, when fine-tuning, E) descends
 *   L_G = 1 * LSGAN_G + 0.02 * L_percept (+ 0.01 * mean(z^2) when E trains)
 * with D held fixed; D descends LSGAN_D on real B and on the fake images treated as constants
 * (detached). Both gradients are taken at the same weights, the losses are read back, and the
 * updates are applied only when every loss is finite, so a NaN never reaches the weights.
 */
import * as tf from '@tensorflow/tfjs'
import type { Discriminator } from '../models/discriminator.js'
import type { StyleEncoder } from '../models/encoder.js'
import type { FeatureExtractor } from '../models/features/types.js'
import type { Generator } from '../models/generator.js'
import { Adam, type AdamConfig } from './adam.js'
import type { PairTensors } from './gan-data.js'
import {
  GAN_LOSS_WEIGHTS,
  lsganDiscriminatorLoss,
  lsganGeneratorLoss,
  perceptualLoss,
  zRegulariser,
  type GanLossWeights,
} from './gan-losses.js'

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
  /** mean(z^2) (unweighted; weighted into total only when E trains). */
  readonly z_reg: number
  /** Sum over scales of mean((D(B) - 1)^2). */
  readonly d_real: number
  /** Sum over scales of mean(D(G(A, z))^2). */
  readonly d_fake: number
  /** L_G = adversarial * g_adv + perceptual * g_percept (+ zReg * z_reg when E trains). */
  readonly total: number
}

/** Names of the logged losses, in record order. */
export const GAN_LOSS_NAMES = ['g_adv', 'g_percept', 'z_reg', 'd_real', 'd_fake', 'total'] as const
/** One of GAN_LOSS_NAMES. */
export type GanLossName = (typeof GAN_LOSS_NAMES)[number]

/** Maps a loss tensor by name inside the tapes (fault injection in tests; identity otherwise). */
export type LossHook = <T extends tf.Tensor>(name: GanLossName, loss: T) => T

/** Options of GanStep. */
export interface GanStepOptions {
  /** Whether E trains with G (stage 3) or stays frozen (stage 2). */
  readonly trainEncoder: boolean
  readonly adam: AdamConfig
  readonly weights?: GanLossWeights
}

/** Both optimisers and the step computation; see the module comment. */
export class GanStep {
  /** Adam over G's variables, then E's when it trains. */
  readonly adamG: Adam
  /** Adam over D's variables. */
  readonly adamD: Adam
  private readonly gVars: tf.Variable[]
  private readonly dVars: tf.Variable[]
  private readonly weights: GanLossWeights

  constructor(
    private readonly nets: GanNetworks,
    private readonly extractor: FeatureExtractor,
    private readonly options: GanStepOptions,
  ) {
    this.weights = options.weights ?? GAN_LOSS_WEIGHTS
    this.gVars = [
      ...nets.generator.params.list(),
      ...(options.trainEncoder ? nets.encoder.params.list() : []),
    ]
    this.dVars = nets.discriminator.params.list()
    this.adamG = new Adam(this.gVars, { ...options.adam })
    this.adamD = new Adam(this.dVars, { ...options.adam })
  }

  /**
   * Computes the losses and both gradients at the current weights with learning rate `lr`; applies
   * the updates only when every loss is finite. Returns the losses and whether they were applied.
   * `hook` sees each loss tensor before it is used (tests force NaN with it).
   */
  async run(
    batch: PairTensors,
    lr: number,
    hook: LossHook = (_name, loss) => loss,
  ): Promise<{ losses: GanLosses; applied: boolean }> {
    const { encoder, generator, discriminator } = this.nets
    const { input, output } = batch
    const w = this.weights
    const trainE = this.options.trainEncoder
    const target = this.extractor.extract(output) // no gradient needed: outside the tapes
    const frozenZ = trainE ? null : encoder.apply(output) // [B, zDim]
    const kept: { fake?: tf.Tensor4D } = {}
    let gParts: tf.Scalar[] = []
    let dParts: tf.Scalar[] = []
    let gGrads: tf.NamedTensorMap = {}
    let dGrads: tf.NamedTensorMap = {}
    try {
      const g = tf.variableGrads(() => {
        const z = frozenZ ?? encoder.apply(output) // [B, zDim]
        const f = generator.apply(input, z) // [B, H, W, 3]
        kept.fake = tf.keep(f)
        const adv = hook('g_adv', lsganGeneratorLoss(discriminator.apply(f, input)))
        const percept = hook('g_percept', perceptualLoss(this.extractor, f, target))
        const zReg = hook('z_reg', zRegulariser(z))
        gParts = [tf.keep(adv), tf.keep(percept), tf.keep(zReg)]
        let total = tf.add(tf.mul(adv, w.adversarial), tf.mul(percept, w.perceptual))
        if (trainE) total = tf.add(total, tf.mul(zReg, w.zReg))
        return hook('total', total as tf.Scalar)
      }, this.gVars)
      gGrads = g.grads
      gParts.push(g.value)
      const detached = kept.fake // a constant here: D's tape does not reach G
      if (!detached) throw new Error('GanStep: the generator pass produced no image')
      const d = tf.variableGrads(() => {
        const l = lsganDiscriminatorLoss(
          discriminator.apply(output, input),
          discriminator.apply(detached, input),
        )
        const real = hook('d_real', l.real)
        const fake = hook('d_fake', l.fake)
        dParts = [tf.keep(real), tf.keep(fake)]
        return tf.add<tf.Scalar>(real, fake)
      }, this.dVars)
      dGrads = d.grads
      d.value.dispose()
      const [gAdv, gPercept, zReg, total] = await readAll(gParts)
      const [dReal, dFake] = await readAll(dParts)
      const losses: GanLosses = {
        g_adv: gAdv ?? NaN,
        g_percept: gPercept ?? NaN,
        z_reg: zReg ?? NaN,
        d_real: dReal ?? NaN,
        d_fake: dFake ?? NaN,
        total: total ?? NaN,
      }
      const applied = GAN_LOSS_NAMES.every((k) => Number.isFinite(losses[k]))
      if (applied) {
        this.adamG.config.lr = lr
        this.adamD.config.lr = lr
        this.adamG.apply(ordered(this.gVars, gGrads))
        this.adamD.apply(ordered(this.dVars, dGrads))
      }
      return { losses, applied }
    } finally {
      tf.dispose([...target, ...gParts, ...dParts])
      tf.dispose([...Object.values(gGrads), ...Object.values(dGrads)])
      frozenZ?.dispose()
      kept.fake?.dispose()
    }
  }

  /** Frees both optimisers' state. */
  dispose(): void {
    this.adamG.dispose()
    this.adamD.dispose()
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

async function readAll(scalars: readonly tf.Scalar[]): Promise<number[]> {
  return Promise.all(scalars.map(async (s) => (await s.data())[0] ?? NaN))
}
