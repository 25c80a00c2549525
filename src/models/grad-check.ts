/**
 * Gradient diagnostics: which parameters of a network get no (or a non-finite) gradient from a
 * loss. A parameter that never gets a gradient is dead weight, or a sign of a disconnected path
 * (e.g. a bias in front of an instance norm, or a style code the generator ignores).
 */
import * as tf from '@tensorflow/tfjs'
import type { Params } from './params.js'

/** Max |gradient| of one parameter. */
export interface GradientStat {
  readonly name: string
  readonly maxAbs: number
  readonly finite: boolean
}

/** Evaluates d loss / d every variable of `params` (plus `extra` named ones); reads back maxima. */
export async function gradientStats(
  params: Params,
  loss: () => tf.Scalar,
  extra: Record<string, tf.Variable> = {},
): Promise<GradientStat[]> {
  const named: [string, tf.Variable][] = [...params.entries(), ...Object.entries(extra)]
  const { value, grads } = tf.variableGrads(
    loss,
    named.map(([, v]) => v),
  )
  value.dispose()
  const stats: GradientStat[] = []
  for (const [name, v] of named) {
    const g = grads[v.name]
    if (!g) {
      stats.push({ name, maxAbs: 0, finite: true })
      continue
    }
    const summary = tf.tidy(() =>
      tf.stack([tf.max(tf.abs(g)), tf.sum(tf.cast(tf.logicalNot(tf.isFinite(g)), 'float32'))]),
    )
    const [maxAbs = 0, nonFinite = 1] = await summary.data()
    summary.dispose()
    stats.push({ name, maxAbs, finite: nonFinite === 0 })
  }
  tf.dispose(grads)
  return stats
}

/** Names of the parameters whose gradient is zero everywhere or not finite. */
export async function deadParameters(
  params: Params,
  loss: () => tf.Scalar,
  extra: Record<string, tf.Variable> = {},
): Promise<string[]> {
  const stats = await gradientStats(params, loss, extra)
  return stats.filter((s) => !s.finite || s.maxAbs === 0).map((s) => s.name)
}
