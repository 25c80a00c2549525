/**
 * Stage-1 evaluation: style retrieval precision@k. For every image, its k nearest other images
 * under a distance are retrieved; precision is the fraction sharing its style label (the synthetic
 * dataset's style-cluster ids). Reported for the trained encoder (z distance), the Gram teacher
 * distance it was trained from, and an untrained encoder, with the chance level.
 */
import * as tf from '@tensorflow/tfjs'
import type { StyleEncoder } from '../../models/encoder.js'
import type { NeighbourLists } from '../mining/neighbours.js'
import { computeNeighbours } from '../mining/neighbours.js'
import type { StyleImages } from '../style-images.js'

/**
 * Style codes E(x) of the images at `indices` (default all), as a host matrix [N, zDim]; `signal`
 * is checked before every batch (AbortError).
 */
export async function encodeAll(
  encoder: StyleEncoder,
  images: StyleImages,
  batchSize = 32,
  indices: readonly number[] = Array.from({ length: images.count }, (_, i) => i),
  signal?: AbortSignal,
): Promise<Float32Array> {
  const zDim = encoder.config.zDim
  const out = new Float32Array(indices.length * zDim)
  for (let i0 = 0; i0 < indices.length; i0 += batchSize) {
    signal?.throwIfAborted()
    const idx = indices.slice(i0, i0 + batchSize)
    const x = await images.batch(idx)
    const z = tf.tidy(() => encoder.apply(x))
    out.set(await z.data(), i0 * zDim)
    tf.dispose([x, z])
  }
  return out
}

/** Mean fraction of each row's first k neighbours whose label equals the row's. */
export function precisionAtK(lists: NeighbourLists, labels: readonly number[], k: number): number {
  if (labels.length !== lists.n)
    throw new RangeError(`precisionAtK: ${labels.length} labels for ${lists.n} rows`)
  const kk = Math.min(k, lists.kNear)
  let hits = 0
  for (let i = 0; i < lists.n; i++) {
    for (let j = 0; j < kk; j++)
      if (labels[lists.near[i * lists.kNear + j] ?? -1] === labels[i]) hits++
  }
  return hits / (lists.n * kk)
}

/** Expected precision of a random retrieval: sum over labels of p_c * (n_c - 1) / (N - 1). */
export function chancePrecision(labels: readonly number[]): number {
  const counts = new Map<number, number>()
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1)
  const n = labels.length
  let p = 0
  for (const c of counts.values()) p += (c / n) * ((c - 1) / (n - 1))
  return p
}

/** Retrieval precision of an encoder's codes. */
export async function encoderPrecision(
  encoder: StyleEncoder,
  images: StyleImages,
  labels: readonly number[],
  k: number,
): Promise<number> {
  const z = await encodeAll(encoder, images)
  const lists = await computeNeighbours(z, encoder.config.zDim, { kNear: k, kFar: 1 })
  return precisionAtK(lists, labels, k)
}
