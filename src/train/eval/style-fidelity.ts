/**
 * Style fidelity on a dataset with style clusters: does a style code land in its image's own
 * cluster? The reference points are the cluster means of the codes E(B) themselves; a code counts
 * for the cluster of its nearest mean. Measured for E(B) (how well E separates the clusters) and
 * for E(G(A, E(B))) (how much of B's style G renders so that E reads it back). Clusters that are a
 * product of factors (the synthetic set's time of day x texture kind) are also checked factor by
 * factor: is the nearest mean's factor value the image's own?
 */
import { nearestRows } from '../nearest.js'

/** A factor of a cluster id, e.g. the texture kind: cluster id -> the factor's value. */
export type ClusterFactor = (cluster: number) => number

/** Share of codes whose nearest cluster mean is their own cluster, overall and per factor. */
export interface FidelityFigures {
  readonly own_cluster: number
  readonly factors: Readonly<Record<string, number>>
}

/** Fidelity of E(B) and of E(G(A, E(B))). */
export interface StyleFidelity {
  /** E(B) assigned to its own cluster's mean. */
  readonly encoded: FidelityFigures
  /** E(G(A, E(B))) assigned to B's cluster's mean. */
  readonly reencoded: FidelityFigures
  /** Clusters among the evaluated pairs. */
  readonly clusters: number
}

/** The mean code of every cluster: ids sorted ascending and their means [ids, zDim]. */
export function clusterMeans(
  codes: Float32Array,
  labels: readonly number[],
  zDim: number,
): { ids: number[]; means: Float32Array } {
  if (codes.length !== labels.length * zDim)
    throw new RangeError(`clusterMeans: ${labels.length} labels for ${codes.length / zDim} codes`)
  const ids = [...new Set(labels)].sort((a, b) => a - b)
  const sums = new Float64Array(ids.length * zDim)
  const counts = new Float64Array(ids.length)
  labels.forEach((label, i) => {
    const j = ids.indexOf(label)
    counts[j] = (counts[j] ?? 0) + 1
    for (let d = 0; d < zDim; d++)
      sums[j * zDim + d] = (sums[j * zDim + d] ?? 0) + (codes[i * zDim + d] ?? 0)
  })
  const means = Float32Array.from(sums, (s, k) => s / (counts[Math.floor(k / zDim)] ?? 1))
  return { ids, means }
}

/** The cluster of the nearest mean for every row of `codes`. */
export async function nearestClusters(
  codes: Float32Array,
  ids: readonly number[],
  means: Float32Array,
  zDim: number,
): Promise<number[]> {
  const { index } = await nearestRows(codes, means, zDim)
  return Array.from(index, (i) => ids[i] ?? NaN)
}

/** Share of `assigned` equal to `labels`, overall and under every factor (3 decimals). */
export function agreement(
  assigned: readonly number[],
  labels: readonly number[],
  factors: Readonly<Record<string, ClusterFactor>>,
): FidelityFigures {
  const share = (same: (a: number, b: number) => boolean): number =>
    Number((assigned.filter((a, i) => same(a, labels[i] ?? NaN)).length / labels.length).toFixed(3))
  return {
    own_cluster: share((a, b) => a === b),
    factors: Object.fromEntries(
      Object.entries(factors).map(([name, f]) => [name, share((a, b) => f(a) === f(b))]),
    ),
  }
}

/** Style fidelity of E(B) (`codes`) and E(G(A, E(B))) (`reencoded`), rows in `labels` order. */
export async function styleFidelity(
  codes: Float32Array,
  reencoded: Float32Array,
  labels: readonly number[],
  zDim: number,
  factors: Readonly<Record<string, ClusterFactor>> = {},
): Promise<StyleFidelity> {
  if (reencoded.length !== codes.length)
    throw new RangeError('styleFidelity: codes and re-encoded codes differ in size')
  const { ids, means } = clusterMeans(codes, labels, zDim)
  return {
    encoded: agreement(await nearestClusters(codes, ids, means, zDim), labels, factors),
    reencoded: agreement(await nearestClusters(reencoded, ids, means, zDim), labels, factors),
    clusters: ids.length,
  }
}
