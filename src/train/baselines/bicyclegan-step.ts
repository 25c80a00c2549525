/**
 * One BicycleGAN step's losses and gradients (Zhu et al. 2017; docs/decisions/0025), all at the
 * current weights (the updates are applied together by the trainer):
 *   cVAE-GAN  z = mu(B) + exp(logvar(B) / 2) eps; L1 mean|G(A, z) - B|; KL(q(z | B) || N(0, I));
 *             LSGAN of D_vae on G(A, z);
 *   cLR-GAN   z ~ N(0, I); LSGAN of D_lr on G(A, z); latent regression mean|mu(G(A, z)) - z|,
 *             whose gradient reaches G only (as the reference code, E is held for this term).
 * E and G minimise adv_vae + adv_lr + l1 l1 + kl kl (+ latent latent for G); each D its LSGAN.
 */
import * as tf from '@tensorflow/tfjs'
import type { BicycleGanNets } from '../../models/baselines/bicyclegan.js'
import type { PairTensors } from '../gan/data.js'
import { lsganDiscriminatorLoss, lsganGeneratorLoss } from '../gan/losses.js'
import { addGrads, gradientsOf, l1, stepNoise } from './grads.js'

/** Loss weights (the paper's: lambda_L1 10, lambda_KL 0.01, lambda_latent 0.5). */
export interface BicycleGanWeights {
  readonly l1: number
  readonly kl: number
  readonly latent: number
}

/** The paper's weights. */
export const BICYCLEGAN_WEIGHTS: BicycleGanWeights = Object.freeze({
  l1: 10,
  kl: 0.01,
  latent: 0.5,
})

/** Logged losses, unweighted except `total` (E and G's weighted sum). */
export const BICYCLEGAN_LOSS_NAMES = [
  'total',
  'g_adv_vae',
  'g_adv_lr',
  'l1',
  'kl',
  'latent',
  'd_real',
  'd_fake',
] as const
/** One step's losses. */
export type BicycleGanLosses = Record<(typeof BICYCLEGAN_LOSS_NAMES)[number], number>

/** KL(N(mu, exp(logvar)) || N(0, I)): summed over code dimensions, averaged over the batch. */
export function klDivergence(mu: tf.Tensor2D, logvar: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const perDim = tf.sub(tf.add(tf.square(mu), tf.exp(logvar)), tf.add(logvar, 1))
    return tf.mul<tf.Scalar>(tf.mean(tf.sum(perDim, 1)), 0.5)
  })
}

/** E and G's variables (E first), then both D's. */
export function bicycleGanVars(n: BicycleGanNets): { g: tf.Variable[]; d: tf.Variable[] } {
  return {
    g: [...n.encoder.params.list(), ...n.generator.params.list()],
    d: [...n.dVae.params.list(), ...n.dLr.params.list()],
  }
}

/** The losses and gradients of step `step` (noise from (seed, step)); the caller disposes grads. */
export async function bicycleGanGradients(
  n: BicycleGanNets,
  batch: PairTensors,
  weights: BicycleGanWeights,
  seed: number,
  step: number,
): Promise<{ losses: BicycleGanLosses; g: tf.Tensor[]; d: tf.Tensor[] }> {
  const { input: a, output: b } = batch
  const size = a.shape[0]
  const zDim = n.config.generator.zDim
  const eps = stepNoise(seed, 'bicyclegan-eps', step, size, zDim)
  const zRand = stepNoise(seed, 'bicyclegan-z', step, size, zDim)
  const vars = bicycleGanVars(n)
  const parts: tf.Scalar[] = []
  let fakes: tf.Tensor4D[] = []
  try {
    const eg = gradientsOf(() => {
      const { mu, logvar } = n.encoder.moments(b)
      const z = tf.add<tf.Tensor2D>(mu, tf.mul(tf.exp(tf.mul(logvar, 0.5)), eps))
      const fakeVae = n.generator.apply(a, z) // [B, H, W, 3]
      const fakeLr = n.generator.apply(a, zRand)
      fakes = [tf.keep(fakeVae), tf.keep(fakeLr)]
      const advVae = lsganGeneratorLoss(n.dVae.apply(fakeVae, a))
      const advLr = lsganGeneratorLoss(n.dLr.apply(fakeLr, a))
      const rec = l1(fakeVae, b)
      const kl = klDivergence(mu, logvar)
      parts.push(...[advVae, advLr, rec, kl].map((t) => tf.keep(t)))
      return tf.addN<tf.Scalar>([
        advVae,
        advLr,
        tf.mul<tf.Scalar>(rec, weights.l1),
        tf.mul<tf.Scalar>(kl, weights.kl),
      ])
    }, vars.g)
    const gOnly = n.generator.params.list()
    const lat = gradientsOf(() => {
      const raw = l1(n.encoder.moments(n.generator.apply(a, zRand)).mu, zRand)
      parts.push(tf.keep(raw))
      return tf.mul<tf.Scalar>(raw, weights.latent)
    }, gOnly)
    const eCount = n.encoder.params.list().length
    const gGrads = addGrads(eg.grads.slice(eCount), lat.grads)
    const g = [...eg.grads.slice(0, eCount), ...gGrads]
    const [fakeVae, fakeLr] = fakes as [tf.Tensor4D, tf.Tensor4D]
    const dParts: tf.Scalar[] = []
    const dg = gradientsOf(() => {
      const vae = lsganDiscriminatorLoss(n.dVae.apply(b, a), n.dVae.apply(fakeVae, a))
      const lr = lsganDiscriminatorLoss(n.dLr.apply(b, a), n.dLr.apply(fakeLr, a))
      const real = tf.add<tf.Scalar>(vae.real, lr.real)
      const fake = tf.add<tf.Scalar>(vae.fake, lr.fake)
      dParts.push(tf.keep(real), tf.keep(fake))
      return tf.add(real, fake)
    }, vars.d)
    const num = async (t: tf.Tensor | undefined) => (t ? ((await t.data())[0] ?? NaN) : NaN)
    const losses: BicycleGanLosses = {
      total: (await num(eg.value)) + (await num(lat.value)),
      g_adv_vae: await num(parts[0]),
      g_adv_lr: await num(parts[1]),
      l1: await num(parts[2]),
      kl: await num(parts[3]),
      latent: await num(parts[4]),
      d_real: await num(dParts[0]),
      d_fake: await num(dParts[1]),
    }
    tf.dispose([eg.value, lat.value, dg.value, ...dParts])
    return { losses, g, d: dg.grads }
  } finally {
    tf.dispose([eps, zRand, ...parts, ...fakes])
  }
}
