/**
 * Evaluation of a trained StEP model (docs/method.md, "Evaluation"), for `step eval` and later the
 * nodes. Over the pairs (A, B) of a dataset, every image fitted (scale + centre crop) to the
 * model's square size:
 *   reconstruction   G(A, E(B)) vs B: PSNR, SSIM (metrics.ts, [0, 1] scale) and the perceptual
 *                    distance named for its extractor (`percept_<id>`, NOT LPIPS);
 *   ablation         the same PSNR / SSIM with z = 0, z ~ N(0, I) (seeded) and z = M(e) (the
 *                    first of the K mapper samples below) in place of E(B);
 *   diversity        mean pairwise perceptual distance of K mapper samples G(A, M(e)) per A,
 *                    averaged over the A's (null without a mapper);
 *   transfer error   with a restyle set (`step dataset synth --restyle-of`): for each of its
 *                    samples, G(A of the content source, E(B of the style source)) against the
 *                    restyled ground truth B: mean squared error on the [0, 1] scale, averaged
 *                    over samples; also with z = 0 and random z (the ablation);
 *   style fidelity   with cluster ids: how often E(B) and E(G(A, E(B))) are nearest to the mean
 *                    code E(B) of B's own cluster, also per factor of the cluster id
 *                    (style-fidelity.ts); with `clusterFactors`, e.g. time of day and texture;
 *   mapper coverage  with a mapper and cluster ids: the mean code E(B) of each cluster over the
 *                    evaluated pairs; `coverageSamples` (64) outputs G(A_i, M(e)) cycling through
 *                    the A's are encoded with E; each lands in the cluster of its nearest mean.
 * Work runs in chunks of INFERENCE_CHUNK pairs; every tensor is disposed before returning.
 * Seeds: z random uses `seed`, the mapper samples `seed + 1`, the transfer ablation `seed + 2`,
 * the coverage samples `seed + 3` (mod 2^32); results do not depend on the chunk size.
 */
import * as tf from '@tensorflow/tfjs'
import { StepError } from '../../core/errors.js'
import { fitImage } from '../../core/image/resize.js'
import { imagesToBatch } from '../../core/image/tensor.js'
import type { RgbImage } from '../../core/image/types.js'
import { assertSeed } from '../../core/rng.js'
import type { PairedDataset } from '../../data/paired.js'
import type { FeatureExtractor } from '../../models/features/types.js'
import { normalNoise } from '../../inference/noise.js'
import { coverageOf } from '../mapper/imle-search.js'
import { encode, generate, INFERENCE_CHUNK } from '../../inference/model.js'
import type { TranslationModel } from '../../models/translator.js'
import { diversity, perceptualDistance, perceptualMetricName, psnr, ssim } from './metrics.js'
import {
  clusterMeans,
  styleFidelity,
  type ClusterFactor,
  type StyleFidelity,
} from './style-fidelity.js'

/** One sample of a restyle set: its name there and its content and style sources' names. */
export interface RestyleSample {
  readonly name: string
  readonly content: string
  readonly style: string
}

/** Phases reported to onProgress, in order. */
export type EvalPhase = 'reconstruction' | 'transfer' | 'coverage'

/** Options of evaluateModel. */
export interface EvaluateOptions {
  /** Any family's model (the common interface, docs/decisions/0025). */
  readonly model: TranslationModel
  /** The pairs (A, B); also the content and style sources of `restyle`. */
  readonly dataset: PairedDataset
  /** Which pairs of `dataset` are evaluated (at least 1). */
  readonly names: readonly string[]
  /** Side every image is fitted to (the model's training size; a multiple of 8, >= 11). */
  readonly size: number
  /** Features of the perceptual distance and the diversity. */
  readonly extractor: FeatureExtractor
  /** Mapper samples per A for the diversity, >= 2 (default 4). */
  readonly samples?: number
  /** Seed of every random draw (default 1); see the module comment. */
  readonly seed?: number
  /** Cluster id per pair name (e.g. from styles.json), for the mapper coverage; null = none. */
  readonly clusters?: ReadonlyMap<string, number> | null
  /** Factors of a cluster id checked apart in the style fidelity, e.g. { texture: c => c % 4 }. */
  readonly clusterFactors?: Readonly<Record<string, ClusterFactor>>
  /** A restyle set whose sources are pairs of `dataset`, for the transfer error; null = none. */
  readonly restyle?: {
    readonly dataset: PairedDataset
    readonly samples: readonly RestyleSample[]
  } | null
  /** Mapper outputs drawn for the coverage (default 64). */
  readonly coverageSamples?: number
  /** Called after each chunk. */
  readonly onProgress?: (phase: EvalPhase, done: number, total: number) => void
  /** Aborts between chunks. */
  readonly signal?: AbortSignal
}

/** PSNR (dB) and SSIM means. */
export interface QualityFigures {
  readonly psnr: number
  readonly ssim: number
}

/** The evaluation, shaped as `step eval` prints it (snake_case keys). */
export interface EvaluationReport {
  /** Pairs evaluated. */
  readonly n: number
  /** Mean PSNR of G(A, E(B)) vs B, dB. */
  readonly psnr: number
  /** Mean SSIM of G(A, E(B)) vs B. */
  readonly ssim: number
  /** Mean perceptual distance of G(A, E(B)) vs B, under the key percept_<extractor>. */
  readonly [percept: `percept_${string}`]: number
  /** Mean pairwise perceptual distance of K mapper samples per A; null without a mapper. */
  readonly diversity: number | null
  /** Mean squared error ([0, 1] scale) of G(A_content, E(B_style)) vs the restyled B; or null. */
  readonly transfer_error: number | null
  /** Restyle samples evaluated (0 without a restyle set). */
  readonly transfer_n: number
  readonly ablation: {
    readonly z0: QualityFigures & { readonly transfer_error: number | null }
    readonly zrandom: QualityFigures & { readonly transfer_error: number | null }
    /** z = M(e); null without a mapper. */
    readonly mapper: QualityFigures | null
  }
  /** PSNR of G(A, E(B)) minus the z = 0 ablation's, dB: how much the style code adds. */
  readonly psnr_over_z0: number
  /** E(B) and E(G(A, E(B))) in B's cluster (style-fidelity.ts); null without cluster ids. */
  readonly style_fidelity: StyleFidelity | null
  /** Which clusters E(G(A, M(e))) lands in; null without a mapper or cluster ids. */
  readonly mapper_coverage: {
    readonly samples: number
    readonly clusters: number
    readonly hit: number
    readonly missed: number[]
    /** Per sample, the cluster of its nearest cluster mean. */
    readonly sample_clusters: number[]
  } | null
  /** Mapper samples per A behind the diversity (0 without a mapper). */
  readonly samples: number
  readonly seed: number
  /** The perceptual features' id. */
  readonly features: string
  /** Side the images were fitted to. */
  readonly size: number
}

/** Sums of per-image values, reported as means. */
class Means {
  private readonly sums = new Map<string, number>()
  private readonly counts = new Map<string, number>()

  /** Adds every value of a [B] tensor (read asynchronously, then disposed) under `key`. */
  async add(key: string, values: tf.Tensor): Promise<void> {
    let v: Awaited<ReturnType<tf.Tensor['data']>>
    try {
      v = await values.data()
    } finally {
      values.dispose()
    }
    let s = this.sums.get(key) ?? 0
    for (const x of v) s += x
    this.sums.set(key, s)
    this.counts.set(key, (this.counts.get(key) ?? 0) + v.length)
  }

  /** The mean under `key` (NaN when nothing was added). */
  mean(key: string): number {
    return (this.sums.get(key) ?? NaN) / (this.counts.get(key) ?? 0)
  }
}

/** Seed `seed + k` wrapped to 32 bits. */
const derived = (seed: number, k: number): number => (seed + k) % 4294967296

/** Evaluates the model; see the module comment. */
export async function evaluateModel(o: EvaluateOptions): Promise<EvaluationReport> {
  const { model, dataset, names, size, extractor, signal } = o
  const k = o.samples ?? 4
  const seed = assertSeed(o.seed ?? 1, 'evaluate: seed')
  const coverageCount = o.coverageSamples ?? 64
  if (names.length === 0) throw new RangeError('evaluate: no pairs to evaluate')
  if (!Number.isInteger(k) || k < 2)
    throw new RangeError(`evaluate: samples must be an integer >= 2, got ${k}`)
  if (!Number.isInteger(coverageCount) || coverageCount < 1)
    throw new RangeError(
      `evaluate: coverageSamples must be a positive integer, got ${coverageCount}`,
    )
  if (o.restyle) checkRestyle(dataset, o.restyle)
  const zDim = model.encoder.config.zDim
  const mapper = model.mapper
  const n = names.length
  const m = new Means()
  const fit = (img: RgbImage): RgbImage => fitImage(img, size, size, 'cover')
  const codes = new Float32Array(n * zDim) // E(B) of every evaluated pair
  const clusters = o.clusters ?? null
  const reencoded = clusters ? new Float32Array(n * zDim) : null // E(G(A, E(B)))
  const zRandom = normalNoise(seed, n, zDim)
  const mapperNoise = mapper ? normalNoise(derived(seed, 1), n * k, zDim) : null

  for (let i0 = 0; i0 < n; i0 += INFERENCE_CHUNK) {
    signal?.throwIfAborted()
    const c = Math.min(INFERENCE_CHUNK, n - i0)
    const pairs = await Promise.all(names.slice(i0, i0 + c).map((name) => dataset.load(name)))
    const a = imagesToBatch(pairs.map((p) => fit(p.input)))
    const b = imagesToBatch(pairs.map((p) => fit(p.output)))
    const held: tf.Tensor[] = [a, b]
    try {
      const z = encode(model, b)
      held.push(z)
      codes.set(await z.data(), i0 * zDim)
      const quality = async (key: string, zz: tf.Tensor2D, percept: boolean): Promise<void> => {
        const out = generate(model, a, zz)
        try {
          if (percept && reencoded) {
            const re = encode(model, out)
            reencoded.set(await re.data(), i0 * zDim)
            re.dispose()
          }
          await m.add(
            `${key}.psnr`,
            tf.tidy(() => psnr(out, b)),
          )
          await m.add(
            `${key}.ssim`,
            tf.tidy(() => ssim(out, b)),
          )
          if (percept) await m.add(`${key}.percept`, perceptualDistance(extractor, out, b))
        } finally {
          out.dispose()
        }
      }
      await quality('recon', z, true)
      const z0 = tf.zeros<tf.Rank.R2>([c, zDim])
      held.push(z0)
      await quality('z0', z0, false)
      const zr = tf.tensor2d(zRandom.subarray(i0 * zDim, (i0 + c) * zDim), [c, zDim])
      held.push(zr)
      await quality('zrandom', zr, false)
      if (mapper && mapperNoise) {
        // K samples per A, rows a0 s0..s(K-1), a1 s0..; sample 0 of each A is the ablation.
        const rows = mapperNoise.subarray(i0 * k * zDim, (i0 + c) * k * zDim)
        const out = tf.tidy(() => {
          const zm = mapper.apply(tf.tensor2d(rows, [c * k, zDim]))
          const reps = tf.reshape<tf.Rank.R4>(tf.tile(tf.expandDims(a, 1), [1, k, 1, 1, 1]), [
            c * k,
            size,
            size,
            3,
          ])
          return generate(model, reps, zm)
        })
        held.push(out)
        const first = tf.gather(
          out,
          Array.from({ length: c }, (_, i) => i * k),
        )
        held.push(first)
        await m.add(
          'mapper.psnr',
          tf.tidy(() => psnr(first, b)),
        )
        await m.add(
          'mapper.ssim',
          tf.tidy(() => ssim(first, b)),
        )
        for (let i = 0; i < c; i++) {
          await m.add(
            'diversity',
            tf.tidy(() => diversity(extractor, tf.slice(out, i * k, k))),
          )
        }
      }
    } finally {
      tf.dispose(held)
    }
    o.onProgress?.('reconstruction', i0 + c, n)
  }

  const transfer = o.restyle ? await transferErrors(o, o.restyle, seed) : null
  const coverage = mapper && clusters ? await mapperCoverageOf(o, codes, coverageCount) : null
  const fidelity = reencoded
    ? await styleFidelity(
        codes,
        reencoded,
        names.map((name) => clusterOf(clusters, name, dataset.label)),
        zDim,
        o.clusterFactors,
      )
    : null

  const report: EvaluationReport = {
    n,
    psnr: m.mean('recon.psnr'),
    ssim: m.mean('recon.ssim'),
    ...({ [perceptualMetricName(extractor)]: m.mean('recon.percept') } as Record<
      `percept_${string}`,
      number
    >),
    diversity: mapper ? m.mean('diversity') : null,
    transfer_error: transfer?.encoded ?? null,
    transfer_n: transfer?.n ?? 0,
    ablation: {
      z0: {
        psnr: m.mean('z0.psnr'),
        ssim: m.mean('z0.ssim'),
        transfer_error: transfer?.z0 ?? null,
      },
      zrandom: {
        psnr: m.mean('zrandom.psnr'),
        ssim: m.mean('zrandom.ssim'),
        transfer_error: transfer?.zrandom ?? null,
      },
      mapper: mapper ? { psnr: m.mean('mapper.psnr'), ssim: m.mean('mapper.ssim') } : null,
    },
    psnr_over_z0: m.mean('recon.psnr') - m.mean('z0.psnr'),
    style_fidelity: fidelity,
    mapper_coverage: coverage,
    samples: mapper ? k : 0,
    seed,
    features: extractor.id,
    size,
  }
  return report
}

/** The cluster id of pair `name`; a clear error when the labels lack it. */
function clusterOf(
  clusters: ReadonlyMap<string, number> | null,
  name: string,
  label: string,
): number {
  const id = clusters?.get(name)
  if (id === undefined) throw new StepError('eval/labels', `pair ${name} has no cluster id`, label)
  return id
}

/** Checks that every restyle sample's sources are pairs of the dataset (before any work). */
function checkRestyle(dataset: PairedDataset, restyle: NonNullable<EvaluateOptions['restyle']>) {
  if (restyle.samples.length === 0)
    throw new StepError(
      'eval/restyle-empty',
      'the restyle set has no samples',
      restyle.dataset.label,
    )
  const known = new Set(dataset.names)
  for (const s of restyle.samples) {
    for (const [role, src] of [
      ['content', s.content],
      ['style', s.style],
    ] as const) {
      if (!known.has(src))
        throw new StepError(
          'eval/restyle-source',
          `sample ${s.name}: ${role} source ${src} is not a pair of ${dataset.label} (was the restyle set made with --restyle-of that folder?)`,
          restyle.dataset.label,
        )
    }
  }
}

/** Transfer errors with z = E(style source), 0 and random (see the module comment). */
async function transferErrors(
  o: EvaluateOptions,
  restyle: NonNullable<EvaluateOptions['restyle']>,
  seed: number,
): Promise<{ n: number; encoded: number; z0: number; zrandom: number }> {
  const { model, dataset, size, signal } = o
  const zDim = model.encoder.config.zDim
  const samples = restyle.samples
  const total = samples.length
  const fit = (img: RgbImage): RgbImage => fitImage(img, size, size, 'cover')
  const noise = normalNoise(derived(seed, 2), total, zDim)
  const m = new Means()
  for (let i0 = 0; i0 < total; i0 += INFERENCE_CHUNK) {
    signal?.throwIfAborted()
    const chunk = samples.slice(i0, i0 + INFERENCE_CHUNK)
    const c = chunk.length
    const [contents, styles, truths] = await Promise.all([
      Promise.all(chunk.map(async (s) => fit((await dataset.load(s.content)).input))),
      Promise.all(chunk.map(async (s) => fit((await dataset.load(s.style)).output))),
      Promise.all(chunk.map(async (s) => fit((await restyle.dataset.load(s.name)).output))),
    ])
    const a = imagesToBatch(contents)
    const st = imagesToBatch(styles)
    const gt = imagesToBatch(truths)
    const held: tf.Tensor[] = [a, st, gt]
    try {
      const zs: [string, tf.Tensor2D][] = [
        ['encoded', encode(model, st)],
        ['z0', tf.zeros([c, zDim])],
        ['zrandom', tf.tensor2d(noise.subarray(i0 * zDim, (i0 + c) * zDim), [c, zDim])],
      ]
      held.push(...zs.map(([, z]) => z))
      for (const [key, z] of zs) {
        const mse = tf.tidy(() => {
          const out = generate(model, a, z)
          return tf.mean(tf.square(tf.mul(tf.sub(out, gt), 0.5)), [1, 2, 3])
        })
        await m.add(key, mse)
      }
    } finally {
      tf.dispose(held)
    }
    o.onProgress?.('transfer', i0 + c, total)
  }
  return { n: total, encoded: m.mean('encoded'), z0: m.mean('z0'), zrandom: m.mean('zrandom') }
}

/** Coverage of the clusters' mean codes by E(G(A_i, M(e))) (see the module comment). */
async function mapperCoverageOf(
  o: EvaluateOptions,
  codes: Float32Array,
  count: number,
): Promise<NonNullable<EvaluationReport['mapper_coverage']>> {
  const { model, dataset, names, size, signal } = o
  const mapper = model.mapper
  const clusters = o.clusters
  if (!mapper || !clusters) throw new RangeError('evaluate: coverage needs a mapper and clusters')
  const zDim = model.encoder.config.zDim
  const labels = names.map((name) => clusterOf(clusters, name, dataset.label))
  const { ids, means } = clusterMeans(codes, labels, zDim)
  const noise = normalNoise(derived(o.seed ?? 1, 3), count, zDim)
  const sampleCodes = new Float32Array(count * zDim)
  const fit = (img: RgbImage): RgbImage => fitImage(img, size, size, 'cover')
  for (let j0 = 0; j0 < count; j0 += INFERENCE_CHUNK) {
    signal?.throwIfAborted()
    const c = Math.min(INFERENCE_CHUNK, count - j0)
    const pairs = await Promise.all(
      Array.from({ length: c }, (_, j) => dataset.load(names[(j0 + j) % names.length] ?? '')),
    )
    const a = imagesToBatch(pairs.map((p) => fit(p.input)))
    try {
      const z = tf.tidy(() => {
        const zm = mapper.apply(tf.tensor2d(noise.subarray(j0 * zDim, (j0 + c) * zDim), [c, zDim]))
        return encode(model, generate(model, a, zm))
      })
      sampleCodes.set(await z.data(), j0 * zDim)
      z.dispose()
    } finally {
      a.dispose()
    }
    o.onProgress?.('coverage', j0 + c, count)
  }
  const report = await coverageOf(sampleCodes, means, ids, zDim)
  return {
    samples: count,
    clusters: ids.length,
    hit: report.clustersHit.length,
    missed: report.clustersMissed,
    sample_clusters: report.sampleClusters,
  }
}
