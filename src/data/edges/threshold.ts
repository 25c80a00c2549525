/**
 * Automatic Canny thresholds and hysteresis. The high threshold is a percentile of the candidate
 * (non-maximum-suppressed, non-zero) edge strengths, so every photo yields a similar density of
 * lines. It is raised to a floor that follows the image's noise: noise gradients of standard
 * deviation s have a Rayleigh-distributed magnitude, which exceeds 8 s with probability e^-32 and
 * 0.4 x 8 s = 3.2 s with probability ~0.6 %, so noise neither seeds nor extends chains. A second
 * floor, a multiple of the median gradient magnitude, thins fine texture (fur, grass, gravel) in
 * busy photos, where the percentile alone would trace every hair. An absolute floor makes
 * near-flat images give no edges at all.
 */

/** Gradient magnitude (grey levels per pixel) below which nothing is ever a strong edge. */
export const MIN_HIGH_THRESHOLD = 2
/** The high threshold is at least this multiple of the noise gradient's standard deviation. */
export const NOISE_FLOOR_FACTOR = 8
/** The high threshold is at least this multiple of the median gradient magnitude. */
export const TEXTURE_FLOOR_FACTOR = 3

const BINS = 4096

/** Approximate `q`-quantile (0..1) of `values` (only the positive ones when `positive`), or 0. */
function quantile(values: Float32Array, q: number, positive: boolean): number {
  const n = values.length
  let max = 0
  let count = 0
  for (let i = 0; i < n; i++) {
    const v = values[i] ?? 0
    if (positive && v <= 0) continue
    count++
    if (v > max) max = v
  }
  if (count === 0 || max === 0) return 0
  const hist = new Uint32Array(BINS)
  const scale = (BINS - 1) / max
  for (let i = 0; i < n; i++) {
    const v = values[i] ?? 0
    if (positive && v <= 0) continue
    const b = Math.round(v * scale)
    hist[b] = (hist[b] ?? 0) + 1
  }
  const target = q * count
  let seen = 0
  for (let b = 0; b < BINS; b++) {
    seen += hist[b] ?? 0
    if (seen >= target) return b / scale
  }
  return max
}

/** Low and high hysteresis thresholds, in gradient-magnitude units. */
export interface Thresholds {
  readonly low: number
  readonly high: number
}

/**
 * Thresholds from the data: high = the `percentile` (0..100) of the non-zero values of
 * `suppressed`, but at least NOISE_FLOOR_FACTOR x `noise` (the sd of one gradient component due to
 * noise), TEXTURE_FLOOR_FACTOR x the median of `magnitude` and MIN_HIGH_THRESHOLD; low =
 * `lowRatio` x high.
 */
export function autoThresholds(
  magnitude: Float32Array,
  suppressed: Float32Array,
  noise: number,
  percentile: number,
  lowRatio: number,
): Thresholds {
  const high = Math.max(
    quantile(suppressed, percentile / 100, true),
    NOISE_FLOOR_FACTOR * noise,
    TEXTURE_FLOOR_FACTOR * quantile(magnitude, 0.5, false),
    MIN_HIGH_THRESHOLD,
  )
  return { low: lowRatio * high, high }
}

/**
 * Hysteresis: keeps every 8-connected chain of pixels with strength >= `low` that contains at
 * least one pixel >= `high`, dropping chains of fewer than `minComponent` pixels. Returns a mask
 * (1 = edge, 0 = background).
 */
export function hysteresis(
  strength: Float32Array,
  width: number,
  height: number,
  { low, high }: Thresholds,
  minComponent: number,
): Uint8Array {
  // 0: unvisited, 1: edge, 2: visited but rejected (chain too short).
  const state = new Uint8Array(width * height)
  const stack = new Int32Array(width * height)
  const chain = new Int32Array(width * height)
  for (let seed = 0; seed < strength.length; seed++) {
    if (state[seed] !== 0 || (strength[seed] ?? 0) < high) continue
    let top = 0
    let length = 0
    stack[top++] = seed
    state[seed] = 1
    while (top > 0) {
      const i = stack[--top] ?? 0
      chain[length++] = i
      const x = i % width
      const y = (i - x) / width
      for (let ny = Math.max(0, y - 1); ny <= Math.min(height - 1, y + 1); ny++) {
        for (let nx = Math.max(0, x - 1); nx <= Math.min(width - 1, x + 1); nx++) {
          const j = ny * width + nx
          if (state[j] === 0 && (strength[j] ?? 0) >= low) {
            state[j] = 1
            stack[top++] = j
          }
        }
      }
    }
    if (length < minComponent) for (let k = 0; k < length; k++) state[chain[k] ?? 0] = 2
  }
  for (let i = 0; i < state.length; i++) state[i] = state[i] === 1 ? 1 : 0
  return state
}
