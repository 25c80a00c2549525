import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { createRng } from '../../core/rng.js'
import { gramMatrix } from '../../models/ops.js'
import { computeNeighbours, recallAtK, type NeighbourLists } from './neighbours.js'
import { ExactStyleVectors, GramSketch } from './style-vectors.js'
import { balanceWeights, blockDistances, termNorms, type DistanceTerm } from './terms.js'
import { tripletBatch } from './triplets.js'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { folderStore } from '../../data/folder-store.node.js'
import { openPairedDataset } from '../../data/paired.js'
import { writeSynthDataset } from '../../data/synth/write.node.js'
import { loadFeatureExtractor } from '../../models/features/index.js'
import { StyleImages } from '../style-images.js'
import { mineNeighbours, miningKey } from './mine.js'
import { rerankNeighbours } from './rerank.js'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

function randomActivations(seed: number, b: number, shapes: [number, number][]): tf.Tensor4D[] {
  const rng = createRng(seed)
  return shapes.map(([hw, c]) =>
    tf.tensor4d(
      Float32Array.from({ length: b * hw * hw * c }, () => Math.max(0, rng.normal())),
      [b, hw, hw, c],
    ),
  )
}

/** The spec's distance computed directly: sum_l mean((G_i - G_j)^2). */
async function specDistance(acts: tf.Tensor4D[], i: number, j: number): Promise<number> {
  let total = 0
  for (const a of acts) {
    const g = gramMatrix(a)
    const [gi, gj] = [tf.gather(g, i), tf.gather(g, j)]
    total += (await tf.mean(tf.square(tf.sub(gi, gj))).data())[0] ?? NaN
    tf.dispose([g, gi, gj])
  }
  return total
}

function sqDist(
  v: Float32Array | Int32Array | Uint8Array,
  d: number,
  i: number,
  j: number,
): number {
  let s = 0
  for (let k = 0; k < d; k++) s += ((v[i * d + k] ?? 0) - (v[j * d + k] ?? 0)) ** 2
  return s
}

describe('style vectors', () => {
  const shapes: [number, number][] = [
    [6, 4],
    [3, 12],
  ]

  it('exact vectors reproduce the Gram distance of the paper', async () => {
    const acts = randomActivations(1, 5, shapes)
    const ev = new ExactStyleVectors()
    const x = ev.compute(acts)
    expect(x.shape).toEqual([5, ExactStyleVectors.dims([4, 12])])
    expect(ExactStyleVectors.dims([4, 12])).toBe(10 + 78)
    const host = (await x.data()) as Float32Array
    for (const [i, j] of [
      [0, 1],
      [2, 4],
      [3, 0],
    ] as const) {
      const want = await specDistance(acts, i, j)
      expect(want).toBeGreaterThan(0)
      expect(sqDist(host, x.shape[1], i, j)).toBeCloseTo(want, 6)
    }
    tf.dispose([x, ...acts])
    ev.dispose()
  })

  it('the sketch estimates the same distances without bias', async () => {
    const acts = randomActivations(2, 6, shapes)
    const exact = new ExactStyleVectors()
    const xe = (await exact.compute(acts).data()) as Float32Array
    const de = ExactStyleVectors.dims([4, 12])
    const ratios: number[] = []
    for (let seed = 0; seed < 6; seed++) {
      const sketch = new GramSketch([4, 12], 512, seed)
      const xs = sketch.compute(acts)
      expect(xs.shape).toEqual([6, 2 * 512])
      const hs = (await xs.data()) as Float32Array
      for (const [i, j] of [
        [0, 1],
        [2, 3],
        [4, 5],
      ] as const)
        ratios.push(sqDist(hs, 1024, i, j) / sqDist(xe, de, i, j))
      xs.dispose()
      sketch.dispose()
    }
    const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length
    expect(Math.abs(mean - 1)).toBeLessThan(0.08)
    for (const r of ratios) expect(Math.abs(r - 1)).toBeLessThan(0.4)
    tf.dispose(acts)
    exact.dispose()
  })
})

describe('neighbour lists', () => {
  it('match a brute-force sort, across block boundaries, excluding self', async () => {
    const rng = createRng(5)
    const n = 37
    const d = 6
    const x = Float32Array.from({ length: n * d }, () => rng.normal())
    const lists = await computeNeighbours(x, d, { kNear: 4, kFar: 3, rowBlock: 8, colBlock: 10 })
    for (let i = 0; i < n; i++) {
      const order = Array.from({ length: n }, (_, j) => j)
        .filter((j) => j !== i)
        .sort((a, b) => sqDist(x, d, i, a) - sqDist(x, d, i, b))
      expect(Array.from(lists.near.subarray(i * 4, i * 4 + 4))).toEqual(order.slice(0, 4))
      expect(Array.from(lists.far.subarray(i * 3, i * 3 + 3))).toEqual(order.slice(-3).reverse())
    }
    expect(recallAtK(lists, lists, 4)).toBe(1)
  })

  it('recall counts the overlap of the first k', () => {
    const a: NeighbourLists = {
      n: 2,
      kNear: 2,
      kFar: 1,
      near: Int32Array.from([1, 2, 0, 2]),
      far: Int32Array.from([2, 2]),
    }
    const b: NeighbourLists = { ...a, near: Int32Array.from([2, 3, 0, 3]) }
    expect(recallAtK(a, b, 2)).toBe(0.5)
    expect(recallAtK(a, b, 1)).toBe(0.5)
  })
})

describe('triplets', () => {
  /** 4 tight clusters of 10 points on a line, plus one outlier far from everything. */
  async function clustered(): Promise<NeighbourLists> {
    const rng = createRng(3)
    const xs: number[] = []
    for (let c = 0; c < 4; c++) for (let k = 0; k < 10; k++) xs.push(c * 10 + rng.normal() * 0.3)
    xs.push(1000)
    return computeNeighbours(Float32Array.from(xs), 1, { kNear: 8, kFar: 16 })
  }

  it('draws positives from the close set and negatives from the far set, repeatably per step', async () => {
    const lists = await clustered()
    const t = tripletBatch(lists, 3, { batchSize: 12, seed: 9 })
    expect(tripletBatch(lists, 3, { batchSize: 12, seed: 9 })).toEqual(t)
    expect(tripletBatch(lists, 4, { batchSize: 12, seed: 9 })).not.toEqual(t)
    t.anchor.forEach((a, b) => {
      expect(t.positive[b]).not.toBe(a)
      expect(Array.from(lists.near.subarray(a * 8, a * 8 + 5))).toContain(t.positive[b])
      expect(Array.from(lists.far.subarray(a * 16, a * 16 + 13))).toContain(t.negative[b])
    })
    // one epoch of anchors visits every image exactly once
    const epoch = Array.from(
      { length: 41 },
      (_, s) => tripletBatch(lists, s, { batchSize: 1, seed: 9 }).anchor[0],
    )
    expect(new Set(epoch).size).toBe(41)
  })

  it('random and mixed negatives avoid the close set; mixed alternates hard and far ones', async () => {
    const lists = await clustered()
    for (let s = 0; s < 20; s++) {
      const r = tripletBatch(lists, s, { batchSize: 10, seed: 2, negatives: 'random' })
      r.anchor.forEach((a, b) => {
        expect(r.negative[b]).not.toBe(a)
        expect(Array.from(lists.near.subarray(a * 8, a * 8 + 5))).not.toContain(r.negative[b])
      })
      const m = tripletBatch(lists, s, { batchSize: 10, seed: 2, negatives: 'mixed' })
      m.anchor.forEach((a, b) => {
        const pool =
          b % 2 === 1
            ? lists.near.subarray(a * 8 + 5, a * 8 + 8)
            : lists.far.subarray(a * 16, a * 16 + 13)
        expect(Array.from(pool)).toContain(m.negative[b])
      })
    }
  })

  it('a larger far set makes a style outlier a rare negative (the reason k_f > k_c)', async () => {
    const lists = await clustered()
    const outlierRate = (kFar: number): number => {
      let hits = 0
      let total = 0
      for (let s = 0; s < 400; s++) {
        const t = tripletBatch(lists, s, { batchSize: 10, seed: 1, kFar })
        t.negative.forEach((neg, b) => {
          if (t.anchor[b] === 40) return
          total++
          if (neg === 40) hits++
        })
      }
      return hits / total
    }
    const small = outlierRate(5)
    const paper = outlierRate(13)
    expect(small).toBeGreaterThan(0.15) // ~1/5 of all negatives would be the one outlier
    expect(paper).toBeLessThan(0.1) // ~1/13 with the paper's k_f
    expect(paper).toBeLessThan(small * 0.6)
  })
})

describe('distance terms', () => {
  it('a kernel term (raw activations) gives the same Gram distances as exact vectors', async () => {
    const [a] = randomActivations(8, 6, [[2, 40]]) as [tf.Tensor4D] // 4 positions, 40 channels
    const ev = new ExactStyleVectors()
    const vec = ev.compute([a])
    const raw = tf.reshape(a, [6, 4 * 40])
    const vTerm: DistanceTerm = {
      kind: 'vector',
      rows: (await vec.data()) as Float32Array,
      rowLength: vec.shape[1],
      weight: 1,
      layer: 'v',
    }
    const kTerm: DistanceTerm = {
      kind: 'kernel',
      rows: (await raw.data()) as Float32Array,
      rowLength: 160,
      positions: 4,
      weight: 1,
      layer: 'k',
    }
    const [nv, nk] = [await termNorms(vTerm), await termNorms(kTerm)]
    for (let i = 0; i < 6; i++) expect(nk[i]).toBeCloseTo(nv[i] ?? NaN, 8)
    const dv = blockDistances([vTerm], [nv], 0, 6, 0, 6)
    const dk = blockDistances([kTerm], [nk], 0, 6, 0, 6)
    const [hv, hk] = [await dv.data(), await dk.data()]
    expect(hv[1]).toBeGreaterThan(0)
    for (let i = 0; i < 36; i++)
      expect(Math.abs((hk[i] ?? NaN) - (hv[i] ?? NaN))).toBeLessThan(1e-6 * Math.max(...hv) + 1e-12)
    expect(await specDistance([a], 0, 1)).toBeCloseTo(hk[1] ?? NaN, 6)
    tf.dispose([a, vec, raw, dv, dk])
    ev.dispose()
  })

  it('balancing gives every layer the same mean distance', async () => {
    const rng = createRng(2)
    const big: DistanceTerm = {
      kind: 'vector',
      rows: Float32Array.from({ length: 40 * 3 }, () => rng.normal() * 100),
      rowLength: 3,
      weight: 1,
      layer: 'big',
    }
    const small: DistanceTerm = {
      kind: 'vector',
      rows: Float32Array.from({ length: 40 * 5 }, () => rng.normal() * 0.01),
      rowLength: 5,
      weight: 1,
      layer: 'small',
    }
    const terms = [big, small]
    const norms = await Promise.all(terms.map((t) => termNorms(t)))
    const means = await balanceWeights(terms, norms)
    expect((means[0] ?? 0) / (means[1] ?? 1)).toBeGreaterThan(1e6)
    for (const t of terms) {
      const d = blockDistances([t], [norms[terms.indexOf(t)] as Float32Array], 0, 40, 0, 40)
      const m = tf.mean(d)
      // mean over all pairs including the zero diagonal: (N - 1) / N of the off-diagonal mean
      expect((await m.data())[0]).toBeCloseTo(1, 5)
      tf.dispose([d, m])
    }
  })
})

describe('balancing from moments', () => {
  it('gives the same mean pairwise distances as the pairs, for vector and kernel terms', async () => {
    const rng = createRng(9)
    const pos = (len: number) => Float32Array.from({ length: len }, () => Math.abs(rng.normal()))
    const terms: DistanceTerm[] = [
      { kind: 'vector', rows: pos(30 * 7), rowLength: 7, weight: 1, layer: 'v' },
      { kind: 'kernel', rows: pos(30 * 4 * 6), rowLength: 24, positions: 4, weight: 1, layer: 'k' },
    ]
    const norms = await Promise.all(terms.map((t) => termNorms(t)))
    const pairs = await balanceWeights(terms, norms, 20, 'pairs')
    const moments = await balanceWeights(terms, norms, 20, 'moments')
    for (const [k, mean] of pairs.entries()) expect((moments[k] ?? 0) / mean).toBeCloseTo(1, 4)
  })
})

describe('exact re-ranking of sketch candidates', () => {
  it('orders each row’s candidates by the exact distance, for vector and kernel terms', async () => {
    const [a, b] = randomActivations(11, 30, [
      [2, 24],
      [3, 5],
    ]) as [tf.Tensor4D, tf.Tensor4D]
    const kernel: DistanceTerm = {
      kind: 'kernel',
      rows: (await tf.reshape(a, [30, 4 * 24]).data()) as Float32Array,
      rowLength: 96,
      positions: 4,
      weight: 2,
      layer: 'k',
    }
    const ev = new ExactStyleVectors()
    const vb = ev.compute([b])
    const vector: DistanceTerm = {
      kind: 'vector',
      rows: (await vb.data()) as Float32Array,
      rowLength: vb.shape[1],
      weight: 0.5,
      layer: 'v',
    }
    const terms = [kernel, vector]
    const norms = await Promise.all(terms.map((t) => termNorms(t)))
    const full = blockDistances(terms, norms, 0, 30, 0, 30)
    const d = await full.data()
    // candidates: 8 arbitrary other rows per row, in a scrambled order
    const rng = createRng(4)
    const cands = 8
    const near = new Int32Array(30 * cands)
    for (let i = 0; i < 30; i++) {
      const others = rng.shuffled(Array.from({ length: 30 }, (_, j) => j).filter((j) => j !== i))
      near.set(others.slice(0, cands), i * cands)
    }
    const far = new Int32Array(30).fill(7)
    const lists = { n: 30, kNear: cands, kFar: 1, near, far }
    const out = await rerankNeighbours(lists, terms, norms, { kNear: 5, blockFloats: 2000 })
    expect(out.kNear).toBe(5)
    expect(Array.from(out.far)).toEqual(Array.from(far))
    for (let i = 0; i < 30; i++) {
      const expected = Array.from(near.subarray(i * cands, (i + 1) * cands))
        .sort((x, y) => (d[i * 30 + x] ?? 0) - (d[i * 30 + y] ?? 0))
        .slice(0, 5)
      expect(Array.from(out.near.subarray(i * 5, i * 5 + 5))).toEqual(expected)
    }
    tf.dispose([a, b, vb, full])
    ev.dispose()
  })

  it('projected mining with re-ranking finds the exact neighbours that the sketch alone misses', async () => {
    const extractor = await loadFeatureExtractor('random', { inputSize: 16 })
    const dir = await mkdtemp(join(tmpdir(), 'step-rerank-'))
    try {
      await writeSynthDataset({ out: dir, count: 48, size: 16, seed: 3 })
      const dataset = await openPairedDataset(folderStore(dir), { valFraction: 0 })
      const images = new StyleImages(dataset, 'all', 16)
      const fp = await dataset.fingerprint('all')
      const base = { seed: 1, kNear: 5, kFar: 4 }
      const exact = await mineNeighbours(images, extractor, fp, { ...base, mode: 'exact' })
      const sketch = { ...base, mode: 'projected' as const, sketchDims: 16 }
      const plain = await mineNeighbours(images, extractor, fp, { ...sketch, rerank: 0 })
      const reranked = await mineNeighbours(images, extractor, fp, { ...sketch, rerank: 24 })
      const rPlain = recallAtK(exact.lists, plain.lists, 5)
      const rRerank = recallAtK(exact.lists, reranked.lists, 5)
      expect(rPlain).toBeLessThan(0.95) // a 16-entry sketch is visibly approximate
      expect(rRerank).toBeGreaterThan(rPlain)
      expect(rRerank).toBeGreaterThanOrEqual(0.98)
      expect(miningKey(fp, extractor, 16, { ...sketch, rerank: 0 })).not.toBe(
        miningKey(fp, extractor, 16, { ...sketch, rerank: 24 }),
      )
    } finally {
      extractor.dispose()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
