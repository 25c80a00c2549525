/**
 * Learning-rate schedule of stages 2 and 3 (docs/method.md): constant, then linear decay to 0
 * over the last `decayFraction` of the steps. The paper trains 250k images with the last 100k
 * decaying, hence the default 0.4.
 */

/** Paper default: decay over the last 40% of the steps. */
export const LR_DECAY_FRACTION = 0.4

/**
 * Learning rate of update `step` (0-based) of `steps`: `lr` before the decay starts at
 * round(steps * (1 - decayFraction)), then lr * (steps - step) / (steps - start), which reaches
 * lr / (steps - start) on the last update and would be 0 one step later.
 */
export function lrAt(step: number, steps: number, lr: number, decayFraction = LR_DECAY_FRACTION) {
  if (!(decayFraction >= 0 && decayFraction <= 1))
    throw new RangeError(`decayFraction: expected a number in [0, 1], got ${decayFraction}`)
  const start = Math.round(steps * (1 - decayFraction))
  if (step < start || steps <= start) return lr
  return (lr * Math.max(steps - step, 0)) / (steps - start)
}
