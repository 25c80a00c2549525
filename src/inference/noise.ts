/** Seeded Gaussian noise rows: the style codes that sampling and the mapper start from. */
import { createRng } from '../core/rng.js'

/** `count` rows of N(0, I_zDim) noise drawn from `seed`, as a host matrix [count, zDim]. */
export function normalNoise(seed: number, count: number, zDim: number): Float32Array {
  const rng = createRng(seed)
  const out = new Float32Array(count * zDim)
  for (let i = 0; i < out.length; i++) out[i] = rng.normal()
  return out
}
