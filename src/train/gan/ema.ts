/**
 * Exponential moving average of a network's weights (docs/method.md, stage 2: decay 0.999, used
 * at inference). The average lives in the Params of a second, identically built network (the
 * "shadow"), so the averaged network can run directly; `state()` / `load()` move it through
 * checkpoints as a named group with the same names as the live network's parameters.
 */
import * as tf from '@tensorflow/tfjs'
import type { Params } from '../../models/params.js'
import type { TensorGroup } from '../../checkpoint/format.js'

/** Paper decay. */
export const EMA_DECAY = 0.999

/**
 * The decay used after `step` completed steps: min(decay, (1 + step) / (10 + step)). Early on the
 * average follows the live weights closely instead of keeping the random initialisation (with a
 * fixed 0.999, 37 % of the average is still the initial weights after 1000 steps, which a short
 * CPU run would ship); from step ~9 000 on it is the paper's 0.999.
 */
export function emaDecayAt(decay: number, step: number): number {
  return Math.min(decay, (1 + step) / (10 + step))
}

/** shadow <- decay * shadow + (1 - decay) * live, over matching Params. */
export class Ema {
  private readonly pairs: [tf.Variable, tf.Variable][]

  /**
   * `live` is the trained network's Params, `shadow` those of a network built from the same
   * config; parameter names must match (the shadow's values are left as they are).
   */
  constructor(
    private readonly live: Params,
    private readonly shadow: Params,
    readonly decay = EMA_DECAY,
  ) {
    if (!(decay >= 0 && decay <= 1))
      throw new RangeError(`EMA decay: expected a number in [0, 1], got ${decay}`)
    const liveEntries = live.entries()
    const shadowNames = shadow.entries().map(([n]) => n)
    if (liveEntries.map(([n]) => n).join('\n') !== shadowNames.join('\n'))
      throw new RangeError('EMA: the live and shadow networks have different parameters')
    this.pairs = liveEntries.map(([name, v]) => [v, shadow.get(name)])
  }

  /** Copies the live weights into the shadow (start of a run without a saved average). */
  reset(): void {
    tf.tidy(() => {
      for (const [v, s] of this.pairs) s.assign(v)
    })
  }

  /** One averaging step after optimiser step `step` (1-based; the warm-up of emaDecayAt). */
  update(step: number): void {
    const d = emaDecayAt(this.decay, step)
    tf.tidy(() => {
      for (const [v, s] of this.pairs) s.assign(tf.add(tf.mul(s, d), tf.mul(v, 1 - d)))
    })
  }

  /** The average as a named group (the live network's parameter names). */
  state(): TensorGroup {
    return this.shadow.entries().map(([name, tensor]) => ({ name, tensor }))
  }

  /** Restores an average saved by `state()`; every parameter must be present with its shape. */
  load(group: ReadonlyArray<{ name: string; tensor: tf.Tensor }>): void {
    this.shadow.assign(Object.fromEntries(group.map((g) => [g.name, g.tensor])))
  }

  /** The live Params this average follows. */
  get source(): Params {
    return this.live
  }
}
