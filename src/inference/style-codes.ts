/**
 * Arithmetic on style codes for the inference operations (docs/method.md, "Uses"): interpolation
 * between two codes (lerp, or slerp falling back to lerp for (anti)parallel or zero codes), the
 * weighted blend of N codes, and style strength around the dataset's mean code. Pure tfjs ops.
 */
import * as tf from '@tensorflow/tfjs'

/** N >= 2 codes blended by non-negative weights, or 2 codes interpolated at each t. */
export type InterpolationSpec =
  | { readonly weights: readonly number[] }
  | { readonly t: readonly number[]; readonly mode: 'lerp' | 'slerp' }

/** Below this sin(angle) (or product of norms) slerp falls back to lerp. */
export const SLERP_EPSILON = 1e-4

/** Checks codes [B >= 1, zDim]; RangeError naming the operation and the shape. */
export function assertZ(op: string, z: tf.Tensor, zDim: number): asserts z is tf.Tensor2D {
  if (z.rank !== 2 || z.shape[1] !== zDim || z.shape[0] === 0) {
    throw new RangeError(`${op}: z must be style codes [B, ${zDim}], got [${z.shape.join(', ')}]`)
  }
}

/**
 * zs [N, zDim] -> codes: [T, zDim] for `{ t, mode }` (N = 2; t = 0 gives zs[0], 1 gives zs[1];
 * values outside [0, 1] extrapolate), or [1, zDim] for `{ weights }` (normalised to sum 1).
 */
export function interpolateCodes(
  zs: tf.Tensor2D,
  spec: InterpolationSpec,
  zDim: number,
): tf.Tensor2D {
  assertZ('interpolate', zs, zDim)
  const n = zs.shape[0]
  if (n < 2) throw new RangeError(`interpolate: needs at least 2 codes, got ${n}`)
  if ('weights' in spec) return blend(zs, spec.weights)
  const { t, mode } = spec
  if (n !== 2) {
    throw new RangeError(
      `interpolate: t values interpolate between exactly 2 codes, got ${n}; use weights to blend ${n}`,
    )
  }
  if (mode !== 'lerp' && mode !== 'slerp')
    throw new RangeError(`interpolate: mode must be 'lerp' or 'slerp', got '${String(mode)}'`)
  if (t.length === 0) throw new RangeError('interpolate: t is empty')
  t.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new RangeError(`interpolate: t[${i}] = ${v} is not finite`)
  })
  return tf.tidy(() => {
    const a = tf.slice(zs, [0, 0], [1, zDim]) // [1, zDim]
    const b = tf.slice(zs, [1, 0], [1, zDim])
    const tt = tf.tensor2d([...t], [t.length, 1]) // [T, 1]
    const lerpA = tf.sub(1, tt)
    if (mode === 'lerp') return tf.add<tf.Tensor2D>(tf.mul(lerpA, a), tf.mul(tt, b))
    const norms = tf.mul(tf.norm(a), tf.norm(b))
    const cos = tf.clipByValue(tf.div(tf.sum(tf.mul(a, b)), tf.maximum(norms, 1e-30)), -1, 1)
    const omega = tf.acos(cos)
    const sinOmega = tf.sin(omega)
    const useSlerp = tf.logicalAnd(
      tf.greater(sinOmega, SLERP_EPSILON),
      tf.greater(norms, SLERP_EPSILON),
    )
    const wa = tf.where(useSlerp, tf.div(tf.sin(tf.mul(lerpA, omega)), sinOmega), lerpA)
    const wb = tf.where(useSlerp, tf.div(tf.sin(tf.mul(tt, omega)), sinOmega), tt)
    return tf.add<tf.Tensor2D>(tf.mul(wa, a), tf.mul(wb, b)) // [T, zDim]
  })
}

/** sum_i w_i zs_i / sum_i w_i -> [1, zDim]; weights finite, >= 0, positive sum. */
function blend(zs: tf.Tensor2D, weights: readonly number[]): tf.Tensor2D {
  const n = zs.shape[0]
  if (weights.length !== n)
    throw new RangeError(`interpolate: ${weights.length} weights for ${n} codes`)
  weights.forEach((w, i) => {
    if (!Number.isFinite(w) || w < 0) {
      throw new RangeError(
        `interpolate: weights[${i}] = ${w}; weights must be finite and non-negative`,
      )
    }
  })
  const sum = weights.reduce((s, w) => s + w, 0)
  if (!(sum > 0)) throw new RangeError('interpolate: weights sum to 0; at least one must be > 0')
  return tf.tidy(() =>
    tf.matMul(
      tf.tensor2d(
        weights.map((w) => w / sum),
        [1, n],
      ),
      zs,
    ),
  )
}

/** mean + strength * (z - mean) for z [B, zDim]; mean [zDim] or null (zero). */
export function scaleStyle(
  z: tf.Tensor2D,
  strength: number,
  meanCode: Float32Array | null,
  zDim: number,
): tf.Tensor2D {
  assertZ('styleStrength', z, zDim)
  if (!Number.isFinite(strength))
    throw new RangeError(`styleStrength: strength must be finite, got ${strength}`)
  if (meanCode && meanCode.length !== zDim) {
    throw new RangeError(
      `styleStrength: the model's mean code has ${meanCode.length} values, expected ${zDim}`,
    )
  }
  return tf.tidy(() => {
    if (!meanCode) return tf.mul<tf.Tensor2D>(z, strength)
    const mean = tf.tensor1d(meanCode)
    return tf.add<tf.Tensor2D>(mean, tf.mul(tf.sub(z, mean), strength))
  })
}

/** `steps` evenly spaced t in [0, 1] (steps >= 2). */
export function evenSteps(steps: number): number[] {
  if (!Number.isInteger(steps) || steps < 2)
    throw new RangeError(`interpolate: steps must be an integer >= 2, got ${steps}`)
  return Array.from({ length: steps }, (_, i) => i / (steps - 1))
}

/**
 * A path through zs [N >= 2, zDim]: each consecutive pair interpolated at `steps` points, the
 * shared end points kept once -> [(N - 1) * (steps - 1) + 1, zDim].
 */
export function pathCodes(
  zs: tf.Tensor2D,
  steps: number,
  mode: 'lerp' | 'slerp',
  zDim: number,
): tf.Tensor2D {
  assertZ('interpolate', zs, zDim)
  const n = zs.shape[0]
  if (n < 2) throw new RangeError(`interpolate: needs at least 2 codes, got ${n}`)
  const t = evenSteps(steps)
  return tf.tidy(() => {
    const parts = []
    for (let i = 0; i + 1 < n; i++) {
      const seg = interpolateCodes(tf.slice(zs, [i, 0], [2, zDim]), { t, mode }, zDim)
      parts.push(i === 0 ? seg : tf.slice(seg, [1, 0], [-1, -1]))
    }
    return tf.concat(parts, 0)
  })
}

/**
 * A steps x steps grid between 4 corner codes zs [4, zDim] (top-left, top-right, bottom-left,
 * bottom-right), each cell their bilinear blend -> [steps * steps, zDim], row-major.
 */
export function gridCodes(zs: tf.Tensor2D, steps: number, zDim: number): tf.Tensor2D {
  assertZ('interpolate', zs, zDim)
  if (zs.shape[0] !== 4)
    throw new RangeError(`interpolate: a grid needs exactly 4 corner codes, got ${zs.shape[0]}`)
  const t = evenSteps(steps)
  const weights: number[] = []
  for (const v of t)
    for (const u of t) weights.push((1 - u) * (1 - v), u * (1 - v), (1 - u) * v, u * v)
  return tf.tidy(() => tf.matMul(tf.tensor2d(weights, [steps * steps, 4]), zs))
}
