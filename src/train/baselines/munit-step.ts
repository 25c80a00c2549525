/**
 * One MUNIT step's losses and gradients (Huang et al. 2018; docs/decisions/0025), unpaired: the
 * A images and the B images of a step come from independent orderings. With c = content, s =
 * style, x_ab = G_b(c(a), s_b), s_b ~ N(0, I) (and x_ba likewise):
 *   image reconstruction  mean|G_a(c(a), s(a)) - a| + the same for b                 (weight 10)
 *   style reconstruction  mean|s_b(x_ab) - s_b| + mean|s_a(x_ba) - s_a|               (weight 1)
 *   content recon.        mean|c_b(x_ab) - c_a(a)| + mean|c_a(x_ba) - c_b(b)|         (weight 1)
 *   adversarial           LSGAN of D_b on x_ab and of D_a on x_ba                      (weight 1)
 * Both auto-encoders minimise the weighted sum; each D its LSGAN (real: its domain's images).
 */
import * as tf from '@tensorflow/tfjs'
import { judge, type MunitNets } from '../../models/baselines/munit.js'
import type { PairTensors } from '../gan/data.js'
import { lsganDiscriminatorLoss, lsganGeneratorLoss } from '../gan/losses.js'
import { gradientsOf, l1, stepNoise } from './grads.js'

/** Loss weights (the paper's: image 10, style 1, content 1, adversarial 1). */
export interface MunitWeights {
  readonly image: number
  readonly style: number
  readonly content: number
}

/** The paper's weights. */
export const MUNIT_WEIGHTS: MunitWeights = Object.freeze({ image: 10, style: 1, content: 1 })

/** Logged losses, unweighted except `total` (the auto-encoders' weighted sum). */
export const MUNIT_LOSS_NAMES = [
  'total',
  'g_adv',
  'rec_image',
  'rec_style',
  'rec_content',
  'd_real',
  'd_fake',
] as const
/** One step's losses. */
export type MunitLosses = Record<(typeof MUNIT_LOSS_NAMES)[number], number>

/** Both auto-encoders' variables, then both D's. */
export function munitVars(n: MunitNets): { g: tf.Variable[]; d: tf.Variable[] } {
  return {
    g: [...n.a.params.list(), ...n.b.params.list()],
    d: [...n.dA.params.list(), ...n.dB.params.list()],
  }
}

/**
 * The losses and gradients of step `step` on `batch` (input: domain A, output: domain B images;
 * noise from (seed, step)); the caller disposes the gradients.
 */
export async function munitGradients(
  n: MunitNets,
  batch: PairTensors,
  weights: MunitWeights,
  seed: number,
  step: number,
): Promise<{ losses: MunitLosses; g: tf.Tensor[]; d: tf.Tensor[] }> {
  const { input: a, output: b } = batch
  const size = a.shape[0]
  const zDim = n.config.zDim
  const sA = stepNoise(seed, 'munit-style-a', step, size, zDim)
  const sB = stepNoise(seed, 'munit-style-b', step, size, zDim)
  const vars = munitVars(n)
  const parts: tf.Scalar[] = []
  let fakes: tf.Tensor4D[] = []
  try {
    const ae = gradientsOf(() => {
      const cA = n.a.content(a)
      const cB = n.b.content(b)
      const recA = n.a.decode(cA, n.a.style(a))
      const recB = n.b.decode(cB, n.b.style(b))
      const xBA = n.a.decode(cB, sA) // b's content in a random style of domain A
      const xAB = n.b.decode(cA, sB)
      fakes = [tf.keep(xBA), tf.keep(xAB)]
      const image = tf.add<tf.Scalar>(l1(recA, a), l1(recB, b))
      const style = tf.add<tf.Scalar>(l1(n.a.style(xBA), sA), l1(n.b.style(xAB), sB))
      const content = tf.add<tf.Scalar>(l1(n.a.content(xBA), cB), l1(n.b.content(xAB), cA))
      const adv = tf.add<tf.Scalar>(
        lsganGeneratorLoss(judge(n.dA, xBA)),
        lsganGeneratorLoss(judge(n.dB, xAB)),
      )
      parts.push(...[adv, image, style, content].map((t) => tf.keep(t)))
      return tf.addN<tf.Scalar>([
        adv,
        tf.mul<tf.Scalar>(image, weights.image),
        tf.mul<tf.Scalar>(style, weights.style),
        tf.mul<tf.Scalar>(content, weights.content),
      ])
    }, vars.g)
    const [xBA, xAB] = fakes as [tf.Tensor4D, tf.Tensor4D]
    const dg = gradientsOf(() => {
      const da = lsganDiscriminatorLoss(judge(n.dA, a), judge(n.dA, xBA))
      const db = lsganDiscriminatorLoss(judge(n.dB, b), judge(n.dB, xAB))
      const real = tf.add<tf.Scalar>(da.real, db.real)
      const fake = tf.add<tf.Scalar>(da.fake, db.fake)
      parts.push(tf.keep(real), tf.keep(fake))
      return tf.add<tf.Scalar>(real, fake)
    }, vars.d)
    const num = async (t: tf.Tensor | undefined) => (t ? ((await t.data())[0] ?? NaN) : NaN)
    const losses: MunitLosses = {
      total: await num(ae.value),
      g_adv: await num(parts[0]),
      rec_image: await num(parts[1]),
      rec_style: await num(parts[2]),
      rec_content: await num(parts[3]),
      d_real: await num(parts[4]),
      d_fake: await num(parts[5]),
    }
    tf.dispose([ae.value, dg.value])
    return { losses, g: ae.grads, d: dg.grads }
  } finally {
    tf.dispose([sA, sB, ...parts, ...fakes])
  }
}
