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
import { neighboursOfTerms, neighboursOfVectors, type NeighbourLists } from './neighbours.js'
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
  /** Weight layers equally (default true; false = the paper's plain sum, see terms.ts). */
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
  // exact lists are unchanged since v1; projected ones gained re-ranking in v2, and in v3 the
  // one-matrix symmetric sketch pass and per-anchor re-ranking (rounding-level differences)
  if (o.mode === 'exact') return fingerprintOf('mining-v1', ...common, 0, 0, ...k)
  const sketch = [o.sketchDims ?? 1024, o.seed] as const
  return fingerprintOf('mining-v3', ...common, ...sketch, rerankCount(o), ...k)
}

/** Exact mode: whether a layer's all-pairs Gram distance is cheaper as a kernel term. */
function useKernel(hw: number, c: number): boolean {
  return hw * hw < (c + 1) / 2
}

/** Re-ranking: whether a layer's exact rows are smaller as raw activations than as a Gram. */
function smallerAsKernel(hw: number, c: number): boolean {
  return hw * c < (c * (c + 1)) / 2
}

/** How a layer's rows are stored: Gram upper triangle, raw activations (kernel) or sketch. */
export type TermForm = 'gram' | 'raw' | 'sketch'

/** The form of a layer's term in each role: all-pairs exact, re-ranking, or all-pairs sketch. */
export function termForm(role: 'exact' | 'rerank' | 'sketch', hw: number, c: number): TermForm {
  if (role === 'sketch') return 'sketch'
  return (role === 'exact' ? useKernel(hw, c) : smallerAsKernel(hw, c)) ? 'raw' : 'gram'
}

/** One layer's rows in one form for every image (shared by the terms of several roles). */
export interface LayerRows {
  readonly layer: string
  readonly form: TermForm
  readonly rows: Float32Array
  readonly rowLength: number
  /** Positions HW of the tap. */
  readonly positions: number
  /** Channels C of the tap. */
  readonly channels: number
}

/** The distance terms of `role` (weights 1) from rows holding every form that role needs. */
export function termsOf(
  rows: readonly LayerRows[],
  role: 'exact' | 'rerank' | 'sketch',
): DistanceTerm[] {
  const layers = [...new Set(rows.map((r) => r.layer))]
  return layers.map((layer) => {
    const shape = rows.find((r) => r.layer === layer) as LayerRows
    const form = termForm(role, shape.positions, shape.channels)
    const r = rows.find((x) => x.layer === layer && x.form === form)
    if (!r) throw new RangeError(`termsOf: no ${form} rows of ${layer} for ${role}`)
    return {
      kind: form === 'raw' ? 'kernel' : 'vector',
      rows: r.rows,
      rowLength: r.rowLength,
      positions: r.positions,
      weight: 1,
      layer,
    }
  })
}

/**
 * Every image's rows of each layer, in each form that `roles` need, from one pass of the
 * extractor (sketches seeded by o.seed and o.sketchDims as in projected mining).
 */
export async function styleRows(
  images: StyleImages,
  extractor: FeatureExtractor,
  roles: readonly ('exact' | 'rerank' | 'sketch')[],
  o: Pick<MiningOptions, 'sketchDims' | 'seed' | 'batchSize' | 'signal' | 'onProgress'>,
  range: { from?: number; to?: number } = {},
): Promise<LayerRows[]> {
  const batchSize = o.batchSize ?? 16
  const from = range.from ?? 0
  const n = (range.to ?? images.count) - from
  const exact = new ExactStyleVectors()
  const sketches: GramSketch[] = []
  const drafts = new Map<string, LayerRows>()
  try {
    for (let i0 = 0; i0 < n; i0 += batchSize) {
      await yieldToEvents()
      o.signal?.throwIfAborted()
      const idx = Array.from({ length: Math.min(batchSize, n - i0) }, (_, k) => from + i0 + k)
      const batch = await images.batch(idx)
      const out: { l: number; form: TermForm; row: tf.Tensor2D; hw: number; c: number }[] = []
      tf.tidy(() => {
        for (const [l, a] of extractor.extract(batch).entries()) {
          const [b, h, w, c] = a.shape
          const hw = h * w
          const forms = new Set(roles.map((role) => termForm(role, hw, c)))
          for (const form of forms) {
            let row: tf.Tensor2D
            if (form === 'raw') row = tf.reshape<tf.Rank.R2>(a, [b, hw * c])
            else if (form === 'gram') row = exact.compute([a])
            else {
              sketches[l] ??= new GramSketch(
                [c],
                o.sketchDims ?? 1024,
                deriveSeed(o.seed, 'sketch', l),
              )
              row = sketches[l].compute([a])
            }
            out.push({ l, form, row: tf.keep(row), hw, c })
          }
        }
      })
      batch.dispose()
      for (const { l, form, row, hw, c } of out) {
        const layer = extractor.layers[l] ?? `layer${l}`
        const rowLength = row.shape[1] ?? 0
        const key = `${l}/${form}`
        let t = drafts.get(key)
        if (!t) {
          t = {
            layer,
            form,
            rows: new Float32Array(n * rowLength),
            rowLength,
            positions: hw,
            channels: c,
          }
          drafts.set(key, t)
        }
        t.rows.set(await row.data(), i0 * t.rowLength)
        row.dispose()
      }
      o.onProgress?.('features', i0 + idx.length, n)
    }
  } finally {
    exact.dispose()
    for (const s of sketches) s.dispose()
  }
  return [...drafts.values()]
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
  const withRerank = o.mode === 'projected' && rerankCount(o) > 0
  const main = o.mode === 'exact' ? 'exact' : 'sketch'
  const rows = await styleRows(images, extractor, withRerank ? [main, 'rerank'] : [main], o)
  return { terms: termsOf(rows, main), rerank: withRerank ? termsOf(rows, 'rerank') : null }
}

/** Candidates re-ranked per row in projected mode (0 = no re-ranking). */
function rerankCount(o: Pick<MiningOptions, 'rerank'>): number {
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
  const t1 = performance.now()
  const lists = await neighboursOfStyleTerms(terms, rerank, o)
  const t2 = performance.now()
  await o.cache?.save(key, lists)
  return {
    lists,
    key,
    cached: false,
    featureSeconds: (t1 - t0) / 1000,
    neighbourSeconds: (t2 - t1) / 1000,
    dims: terms.reduce((s, t) => s + t.rowLength, 0),
    weights: (rerank ?? terms).map((t) => ({ layer: t.layer, kind: t.kind, weight: t.weight })),
  }
}

/**
 * The neighbour phase of mining from per-image terms (styleTerms): norms, layer balancing, all
 * pairs (exact terms, or sketches), then re-ranking with `rerank` terms when given. Sets the
 * terms' weights.
 */
export async function neighboursOfStyleTerms(
  terms: DistanceTerm[],
  rerank: DistanceTerm[] | null,
  o: Pick<
    MiningOptions,
    'mode' | 'rerank' | 'kNear' | 'kFar' | 'balance' | 'signal' | 'onProgress'
  >,
): Promise<NeighbourLists> {
  // exact mode: the mean pairwise distances as in v1 (exact lists unchanged); projected: the
  // same means from moments (the pairs of a kernel term cost (256 HW)^2 C, ~275 GFLOP)
  const method = o.mode === 'exact' ? 'pairs' : 'moments'
  const balanced = async (ts: DistanceTerm[]) => {
    const norms = await Promise.all(ts.map((t) => termNorms(t)))
    if (o.balance !== false) await balanceWeights(ts, norms, 256, method)
    return norms
  }
  const norms = await balanced(terms)
  const kNear = o.kNear ?? 16
  const progress = (done: number, total: number) => o.onProgress?.('neighbours', done, total)
  const signal = o.signal ? { signal: o.signal } : {}
  const allPairs = o.mode === 'exact' ? neighboursOfTerms : neighboursOfVectors
  const lists = await allPairs(terms, {
    norms,
    kNear: rerank ? Math.max(kNear, rerankCount(o)) : kNear,
    kFar: o.kFar ?? 32,
    ...signal,
    onProgress: rerank ? undefined : progress,
  })
  if (!rerank) return lists
  const exactNorms = await balanced(rerank)
  return rerankNeighbours(lists, rerank, exactNorms, { kNear, ...signal, onProgress: progress })
}
