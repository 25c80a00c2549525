/**
 * The search half of IMLE (docs/method.md, style sampling) and the mapper's coverage measure:
 * seeded noise pools, M(e) on the host, "for each code the noise whose M(e) is nearest", and how
 * well K samples cover the codes' clusters (each sample's nearest code's cluster; each code's
 * distance to its nearest sample, whose mean square is the IMLE objective).
 */
import * as tf from '@tensorflow/tfjs'
import { normalNoise } from '../../inference/noise.js'
import type { Mapper } from '../../models/mapper.js'
import { nearestRows } from '../nearest.js'

/** M(e) for host noise rows [count, zDim], computed in batches; host matrix [count, zDim]. */
export async function mapRows(
  mapper: Mapper,
  noise: Float32Array,
  batchSize = 4096,
): Promise<Float32Array> {
  const zDim = mapper.config.zDim
  const count = noise.length / zDim
  const out = new Float32Array(noise.length)
  for (let i0 = 0; i0 < count; i0 += batchSize) {
    const n = Math.min(batchSize, count - i0)
    const y = tf.tidy(() =>
      mapper.apply(tf.tensor2d(noise.subarray(i0 * zDim, (i0 + n) * zDim), [n, zDim])),
    )
    out.set(await y.data(), i0 * zDim)
    y.dispose()
  }
  return out
}

/** The IMLE targets of one refresh: for every code, the pool noise whose M(e) is nearest. */
export interface ImleTargets {
  /** [N, zDim] chosen noise rows e_i, in code order. */
  readonly noise: Float32Array
  /** mean_i min_j |M(e_j) - z_i|^2 over the pool: the IMLE objective at this refresh. */
  readonly objective: number
}

/** Draws a pool of `poolSize` noise rows from `seed` and picks each code's nearest M(e). */
export async function selectTargets(
  mapper: Mapper,
  codes: Float32Array,
  options: { readonly poolSize: number; readonly seed: number; readonly blockElements?: number },
): Promise<ImleTargets> {
  const zDim = mapper.config.zDim
  const pool = normalNoise(options.seed, options.poolSize, zDim)
  const mapped = await mapRows(mapper, pool)
  const near = await nearestRows(codes, mapped, zDim, options.blockElements)
  const n = codes.length / zDim
  const noise = new Float32Array(n * zDim)
  let sum = 0
  for (let i = 0; i < n; i++) {
    const j = near.index[i] ?? 0
    noise.set(pool.subarray(j * zDim, (j + 1) * zDim), i * zDim)
    sum += near.distance[i] ?? NaN
  }
  return { noise, objective: sum / n }
}

/** How K samples cover a labelled set of codes. */
export interface CoverageReport {
  /** Per sample, the cluster label of its nearest code. */
  readonly sampleClusters: number[]
  /** Distinct labels some sample landed nearest to, ascending. */
  readonly clustersHit: number[]
  /** Labels of the codes that no sample landed nearest to, ascending (empty = full coverage). */
  readonly clustersMissed: number[]
  /** Mean over codes of the Euclidean distance to the nearest sample. */
  readonly meanNearestDistance: number
  /** Mean over codes of the squared distance to the nearest sample (the IMLE objective). */
  readonly imleObjective: number
}

/**
 * Coverage of `codes` [N, zDim] with cluster `labels` [N] by `samples` [K, zDim] (e.g. M(e), or
 * E(G(A, M(e))) for the end-to-end check "64 samples hit every cluster").
 */
export async function coverageOf(
  samples: Float32Array,
  codes: Float32Array,
  labels: readonly number[],
  zDim: number,
): Promise<CoverageReport> {
  const n = codes.length / zDim
  if (labels.length !== n) {
    throw new RangeError(`coverage: ${labels.length} labels for ${n} codes of size ${zDim}`)
  }
  if (samples.length === 0) throw new RangeError('coverage: no samples')
  const bySample = await nearestRows(samples, codes, zDim)
  const sampleClusters = Array.from(bySample.index, (i) => labels[i] ?? NaN)
  const byCode = await nearestRows(codes, samples, zDim)
  let sq = 0
  let eu = 0
  for (const d of byCode.distance) {
    sq += d
    eu += Math.sqrt(d)
  }
  const hit = new Set(sampleClusters)
  const all = [...new Set(labels)].sort((a, b) => a - b)
  return {
    sampleClusters,
    clustersHit: [...hit].sort((a, b) => a - b),
    clustersMissed: all.filter((l) => !hit.has(l)),
    meanNearestDistance: eu / n,
    imleObjective: sq / n,
  }
}

/** Coverage of `codes` by `samples` (default 64) mapper outputs M(e), e drawn from `seed`. */
export async function mapperCoverage(
  mapper: Mapper,
  codes: Float32Array,
  labels: readonly number[],
  options: { readonly samples?: number; readonly seed?: number } = {},
): Promise<CoverageReport> {
  const zDim = mapper.config.zDim
  const k = options.samples ?? 64
  if (!Number.isInteger(k) || k <= 0) throw new RangeError(`coverage: samples ${k}`)
  const samples = await mapRows(mapper, normalNoise(options.seed ?? 0, k, zDim))
  return coverageOf(samples, codes, labels, zDim)
}

/** The mean of the codes [N, zDim]: the dataset's mean style (for style strength). */
export function meanCodeOf(codes: Float32Array, zDim: number): Float32Array {
  const n = codes.length / zDim
  const sum = new Float64Array(zDim)
  for (let i = 0; i < n; i++)
    for (let k = 0; k < zDim; k++) sum[k] = (sum[k] ?? 0) + (codes[i * zDim + k] ?? 0)
  return Float32Array.from(sum, (s) => s / n)
}
