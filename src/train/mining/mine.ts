/**
 * Stage-1 mining end to end: style images -> feature taps -> style vectors (exact Gram or Gram
 * sketch) -> nearest / farthest neighbour lists, cached by (dataset fingerprint, extractor
 * fingerprint, mode, parameters) so a dataset is mined once.
 */
import * as tf from '@tensorflow/tfjs'
import { fingerprintOf } from '../../core/fingerprint.js'
import type { FeatureExtractor } from '../../models/features/types.js'
import type { StyleImages } from '../style-images.js'
import { computeNeighbours, type NeighbourLists } from './neighbours.js'
import { ExactStyleVectors, GramSketch } from './style-vectors.js'

/** How distances are computed: exact Gram vectors (O(N^2 C^2)) or a Gram sketch. */
export type MiningMode = 'exact' | 'projected'

/** Where neighbour lists are kept between runs. */
export interface NeighbourCache {
  load(key: string): Promise<NeighbourLists | null>
  save(key: string, lists: NeighbourLists): Promise<void>
}

/** Options of mineNeighbours. */
export interface MiningOptions {
  readonly mode: MiningMode
  /** Sketch entries per layer in projected mode (default 1024). */
  readonly sketchDims?: number
  readonly seed: number
  /** Neighbours kept per image (defaults 16 near, 32 far: more than k_c = 5 / k_f = 13). */
  readonly kNear?: number
  readonly kFar?: number
  readonly batchSize?: number
  readonly cache?: NeighbourCache
  readonly signal?: AbortSignal
  readonly onProgress?: (phase: 'features' | 'neighbours', done: number, total: number) => void
}

/** What mining produced. */
export interface MiningResult {
  readonly lists: NeighbourLists
  readonly key: string
  readonly cached: boolean
  readonly featureSeconds: number
  readonly neighbourSeconds: number
  /** Length of each image's style vector. */
  readonly dims: number
}

/** The cache key for these inputs. */
export function miningKey(
  datasetFingerprint: string,
  extractor: FeatureExtractor,
  size: number,
  o: MiningOptions,
): string {
  return fingerprintOf(
    'mining-v1',
    datasetFingerprint,
    extractor.fingerprint,
    size,
    o.mode,
    o.mode === 'projected' ? (o.sketchDims ?? 1024) : 0,
    o.mode === 'projected' ? o.seed : 0,
    o.kNear ?? 16,
    o.kFar ?? 32,
  )
}

/** Style vectors of every image as a host matrix [N, D]. */
export async function styleVectors(
  images: StyleImages,
  extractor: FeatureExtractor,
  o: MiningOptions,
): Promise<{ x: Float32Array; dims: number }> {
  const batchSize = o.batchSize ?? 16
  const n = images.count
  const state: { exact?: ExactStyleVectors; sketch?: GramSketch } = {}
  let x: Float32Array | null = null
  let dims = 0
  try {
    for (let i0 = 0; i0 < n; i0 += batchSize) {
      o.signal?.throwIfAborted()
      const idx = Array.from({ length: Math.min(batchSize, n - i0) }, (_, k) => i0 + k)
      const batch = await images.batch(idx)
      const vectors = tf.tidy(() => {
        const acts = extractor.extract(batch)
        if (o.mode === 'exact') return (state.exact ??= new ExactStyleVectors()).compute(acts)
        state.sketch ??= new GramSketch(
          acts.map((a) => a.shape[3]),
          o.sketchDims ?? 1024,
          o.seed,
        )
        return state.sketch.compute(acts)
      })
      batch.dispose()
      const host = (await vectors.data()) as Float32Array
      if (!x) {
        dims = vectors.shape[1]
        x = new Float32Array(n * dims)
      }
      x.set(host, i0 * dims)
      vectors.dispose()
      o.onProgress?.('features', i0 + idx.length, n)
    }
  } finally {
    state.exact?.dispose()
    state.sketch?.dispose()
  }
  if (!x) throw new RangeError('styleVectors: no images')
  return { x, dims }
}

/** Mines (or loads from the cache) the neighbour lists of `images`. */
export async function mineNeighbours(
  images: StyleImages,
  extractor: FeatureExtractor,
  datasetFingerprint: string,
  o: MiningOptions,
): Promise<MiningResult> {
  const key = miningKey(datasetFingerprint, extractor, images.size, o)
  const hit = await o.cache?.load(key)
  if (hit && hit.n === images.count)
    return { lists: hit, key, cached: true, featureSeconds: 0, neighbourSeconds: 0, dims: 0 }
  const t0 = performance.now()
  const { x, dims } = await styleVectors(images, extractor, o)
  const t1 = performance.now()
  const lists = await computeNeighbours(x, dims, {
    kNear: o.kNear ?? 16,
    kFar: o.kFar ?? 32,
    ...(o.signal ? { signal: o.signal } : {}),
    onProgress: (done, total) => o.onProgress?.('neighbours', done, total),
  })
  const t2 = performance.now()
  await o.cache?.save(key, lists)
  return {
    lists,
    key,
    cached: false,
    featureSeconds: (t1 - t0) / 1000,
    neighbourSeconds: (t2 - t1) / 1000,
    dims,
  }
}
