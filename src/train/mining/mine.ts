/**
 * Stage-1 mining end to end: style images -> feature taps -> style vectors (exact Gram or Gram
 * sketch) -> nearest / farthest neighbour lists, cached by (dataset fingerprint, extractor
 * fingerprint, mode, parameters) so a dataset is mined once.
 */
import * as tf from '@tensorflow/tfjs'
import { fingerprintOf } from '../../core/fingerprint.js'
import { deriveSeed } from '../../core/rng.js'
import type { FeatureExtractor } from '../../models/features/types.js'
import type { StyleImages } from '../style-images.js'
import { neighboursOfTerms, type NeighbourLists } from './neighbours.js'
import { balanceWeights, termNorms, type DistanceTerm } from './terms.js'
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
  /** Weight layers equally (default true; false = the spec's plain sum, see terms.ts). */
  readonly balance?: boolean
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
  /** Length of each image's stored style rows (0 when cached). */
  readonly dims: number
  /** Each layer's term kind and weight (empty when cached). */
  readonly weights: readonly { layer: string; kind: string; weight: number }[]
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

/** Whether a layer's Gram distance is cheaper through its raw activations (kernel term). */
function useKernel(hw: number, c: number): boolean {
  return hw * hw < (c + 1) / 2
}

/** Per-layer distance terms for every image (see terms.ts), weights 1. */
export async function styleTerms(
  images: StyleImages,
  extractor: FeatureExtractor,
  o: MiningOptions,
): Promise<DistanceTerm[]> {
  const batchSize = o.batchSize ?? 16
  const n = images.count
  const exact = new ExactStyleVectors()
  const sketches: GramSketch[] = []
  let terms: {
    kind: 'vector' | 'kernel'
    rows: Float32Array
    rowLength: number
    positions: number
    layer: string
  }[] = []
  try {
    for (let i0 = 0; i0 < n; i0 += batchSize) {
      o.signal?.throwIfAborted()
      const idx = Array.from({ length: Math.min(batchSize, n - i0) }, (_, k) => i0 + k)
      const batch = await images.batch(idx)
      const positions: number[] = []
      const kernel: boolean[] = []
      const rows = tf.tidy(() =>
        extractor.extract(batch).map((a, l) => {
          const [b, h, w, c] = a.shape
          positions[l] = h * w
          kernel[l] = o.mode === 'exact' && useKernel(h * w, c)
          if (kernel[l]) return tf.reshape(a, [b, h * w * c])
          if (o.mode === 'exact') return exact.compute([a])
          sketches[l] ??= new GramSketch([c], o.sketchDims ?? 1024, deriveSeed(o.seed, 'sketch', l))
          return sketches[l].compute([a])
        }),
      )
      if (terms.length === 0) {
        terms = rows.map((r, l) => {
          const hw = positions[l] ?? 1
          return {
            kind: kernel[l] ? 'kernel' : 'vector',
            rows: new Float32Array(n * (r.shape[1] ?? 0)),
            rowLength: r.shape[1] ?? 0,
            positions: hw,
            layer: extractor.layers[l] ?? `layer${l}`,
          }
        })
      }
      batch.dispose()
      for (const [l, r] of rows.entries()) {
        const t = terms[l]
        if (t) t.rows.set(await r.data(), i0 * t.rowLength)
      }
      tf.dispose(rows)
      o.onProgress?.('features', i0 + idx.length, n)
    }
  } finally {
    exact.dispose()
    for (const s of sketches) s.dispose()
  }
  return terms.map((t) => ({ ...t, weight: 1 }))
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
    return {
      lists: hit,
      key,
      cached: true,
      featureSeconds: 0,
      neighbourSeconds: 0,
      dims: 0,
      weights: [],
    }
  const t0 = performance.now()
  const terms = await styleTerms(images, extractor, o)
  const norms = await Promise.all(terms.map((t) => termNorms(t)))
  if (o.balance !== false) await balanceWeights(terms, norms)
  const dims = terms.reduce((s, t) => s + t.rowLength, 0)
  const t1 = performance.now()
  const lists = await neighboursOfTerms(terms, {
    norms,
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
    weights: terms.map((t) => ({ layer: t.layer, kind: t.kind, weight: t.weight })),
  }
}
