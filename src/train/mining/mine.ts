/**
 * Stage-1 mining end to end: style images -> feature taps -> style vectors (exact Gram or Gram
 * sketch) -> nearest / farthest neighbour lists, cached by (dataset fingerprint, extractor
 * fingerprint, mode, parameters) so a dataset is mined once.
 */
import * as tf from '@tensorflow/tfjs'
import { yieldToEvents } from '../../core/yield.js'
import { fingerprintOf } from '../../core/fingerprint.js'
import { deriveSeed } from '../../core/rng.js'
import type { FeatureExtractor } from '../../models/features/types.js'
import type { StyleImages } from '../style-images.js'
import { neighboursOfTerms, type NeighbourLists } from './neighbours.js'
import { rerankNeighbours } from './rerank.js'
import { balanceWeights, termNorms, type DistanceTerm } from './terms.js'
import { ExactStyleVectors, GramSketch } from './style-vectors.js'

/** Sketch candidates re-ranked exactly per image by default in projected mode. */
export const DEFAULT_RERANK = 32

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
  /**
   * Projected mode: each row's closest `rerank` sketch candidates are re-ranked by the exact
   * distance (default DEFAULT_RERANK; 0 = sketch order only). Costs exact rows in memory
   * (~84k floats per image with resnet50's taps) and `rerank` exact pair distances per image.
   */
  readonly rerank?: number
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
  const common = [datasetFingerprint, extractor.fingerprint, size, o.mode] as const
  const k = [o.kNear ?? 16, o.kFar ?? 32] as const
  // exact lists are unchanged since v1; projected ones gained re-ranking in v2
  if (o.mode === 'exact') return fingerprintOf('mining-v1', ...common, 0, 0, ...k)
  const sketch = [o.sketchDims ?? 1024, o.seed] as const
  return fingerprintOf('mining-v2', ...common, ...sketch, rerankCount(o), ...k)
}

/** Exact mode: whether a layer's all-pairs Gram distance is cheaper as a kernel term. */
function useKernel(hw: number, c: number): boolean {
  return hw * hw < (c + 1) / 2
}

/** Re-ranking: whether a layer's exact rows are smaller as raw activations than as a Gram. */
function smallerAsKernel(hw: number, c: number): boolean {
  return hw * c < (c * (c + 1)) / 2
}

/** Host rows of one term while they are being filled. */
interface TermDraft {
  kind: 'vector' | 'kernel'
  rows: Float32Array
  rowLength: number
  positions: number
  layer: string
}

/**
 * Per-layer distance terms for every image (see terms.ts), weights 1: `terms` are what all N^2
 * pairs are compared with (exact rows, or sketches in projected mode); `rerank` (projected mode
 * with re-ranking only) are the exact rows the candidates are re-ranked with.
 */
export async function styleTerms(
  images: StyleImages,
  extractor: FeatureExtractor,
  o: MiningOptions,
): Promise<{ terms: DistanceTerm[]; rerank: DistanceTerm[] | null }> {
  const batchSize = o.batchSize ?? 16
  const n = images.count
  const withRerank = o.mode === 'projected' && rerankCount(o) > 0
  const exact = new ExactStyleVectors()
  const sketches: GramSketch[] = []
  const terms: TermDraft[] = []
  const rerank: TermDraft[] = []
  const store = (
    drafts: TermDraft[],
    l: number,
    row: tf.Tensor2D,
    kind: TermDraft['kind'],
    positions: number,
  ) =>
    (drafts[l] ??= {
      kind,
      rows: new Float32Array(n * (row.shape[1] ?? 0)),
      rowLength: row.shape[1] ?? 0,
      positions,
      layer: extractor.layers[l] ?? `layer${l}`,
    })
  try {
    for (let i0 = 0; i0 < n; i0 += batchSize) {
      await yieldToEvents()
      o.signal?.throwIfAborted()
      const idx = Array.from({ length: Math.min(batchSize, n - i0) }, (_, k) => i0 + k)
      const batch = await images.batch(idx)
      const out: {
        drafts: TermDraft[]
        l: number
        row: tf.Tensor2D
        kind: TermDraft['kind']
        hw: number
      }[] = []
      tf.tidy(() => {
        for (const [l, a] of extractor.extract(batch).entries()) {
          const [b, h, w, c] = a.shape
          const hw = h * w
          const keep = (drafts: TermDraft[], row: tf.Tensor2D, kind: TermDraft['kind']) =>
            out.push({ drafts, l, row: tf.keep(row), kind, hw })
          const raw = () => tf.reshape<tf.Rank.R2>(a, [b, hw * c])
          if (o.mode === 'exact') {
            if (useKernel(hw, c)) keep(terms, raw(), 'kernel')
            else keep(terms, exact.compute([a]), 'vector')
            continue
          }
          sketches[l] ??= new GramSketch([c], o.sketchDims ?? 1024, deriveSeed(o.seed, 'sketch', l))
          keep(terms, sketches[l].compute([a]), 'vector')
          if (withRerank) {
            if (smallerAsKernel(hw, c)) keep(rerank, raw(), 'kernel')
            else keep(rerank, exact.compute([a]), 'vector')
          }
        }
      })
      batch.dispose()
      for (const { drafts, l, row, kind, hw } of out) {
        const t = store(drafts, l, row, kind, hw)
        t.rows.set(await row.data(), i0 * t.rowLength)
        row.dispose()
      }
      o.onProgress?.('features', i0 + idx.length, n)
    }
  } finally {
    exact.dispose()
    for (const s of sketches) s.dispose()
  }
  const done = (drafts: TermDraft[]): DistanceTerm[] => drafts.map((t) => ({ ...t, weight: 1 }))
  return { terms: done(terms), rerank: withRerank ? done(rerank) : null }
}

/** Candidates re-ranked per row in projected mode (0 = no re-ranking). */
function rerankCount(o: MiningOptions): number {
  return o.rerank ?? DEFAULT_RERANK
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
  const { terms, rerank } = await styleTerms(images, extractor, o)
  const balanced = async (ts: DistanceTerm[]) => {
    const norms = await Promise.all(ts.map((t) => termNorms(t)))
    if (o.balance !== false) await balanceWeights(ts, norms)
    return norms
  }
  const norms = await balanced(terms)
  const dims = terms.reduce((s, t) => s + t.rowLength, 0)
  const t1 = performance.now()
  const kNear = o.kNear ?? 16
  const progress = (done: number, total: number) => o.onProgress?.('neighbours', done, total)
  const signal = o.signal ? { signal: o.signal } : {}
  let lists = await neighboursOfTerms(terms, {
    norms,
    kNear: rerank ? Math.max(kNear, rerankCount(o)) : kNear,
    kFar: o.kFar ?? 32,
    ...signal,
    onProgress: rerank ? undefined : progress,
  })
  if (rerank) {
    const exactNorms = await balanced(rerank)
    lists = await rerankNeighbours(lists, rerank, exactNorms, {
      kNear,
      ...signal,
      onProgress: progress,
    })
  }
  const t2 = performance.now()
  await o.cache?.save(key, lists)
  return {
    lists,
    key,
    cached: false,
    featureSeconds: (t1 - t0) / 1000,
    neighbourSeconds: (t2 - t1) / 1000,
    dims,
    weights: (rerank ?? terms).map((t) => ({ layer: t.layer, kind: t.kind, weight: t.weight })),
  }
}
