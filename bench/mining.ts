/**
 * Mining benchmark (issue 7): exact vs projected neighbour lists at N = 1k, 2k, 4k, 10k from
 * cached per-image style rows (bench/mining-terms.ts: ResNet50 taps of the synthetic dataset,
 * seed 7, 64 px, extracted once and kept on disk), timing only the neighbour phase (norms, layer
 * balancing, all-pairs distances + top-k, and for projected the exact re-ranking).
 *
 * Exact over all N^2 pairs takes hours at 10k on 2 cores, so it runs on a seeded random subset
 * of q query rows against all N (cost is linear in query rows) and is extrapolated:
 *   exact_seconds_est = setup + measured_query_seconds * N / q
 * (setup = norms + balancing, measured; the q rows use the library's own blocks, so the column
 * blocks' upload/transpose is amortised over q rows instead of the full run's 175: a slight
 * over-estimate of exact). recall@5 is projected's 5 nearest vs exact's on those q rows. Both
 * modes run side by side in one process (the machine is shared; timings are noisy).
 *
 * Run: npm run bench:mining [-- --quick] [--n 1000,2000,4000,10000] [--q 64]
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { pathToFileURL } from 'node:url'
import { createRng } from '../src/core/rng.js'
import { loadFeatureExtractor } from '../src/models/features/index.js'
import { initBackend } from '../src/runtime/backend.js'
import {
  DEFAULT_RERANK,
  neighboursOfStyleTerms,
  termForm,
  termsOf,
  type LayerRows,
} from '../src/train/mining/mine.js'
import { neighboursOfTerms, type NeighbourLists } from '../src/train/mining/neighbours.js'
import { balanceWeights, termNorms } from '../src/train/mining/terms.js'
import { benchRows, cacheRoot, type RowSource } from './mining-terms.js'
import { machine, writeResult } from './common.js'

/** One measured (or extrapolated) mode at one N. */
export interface MiningBenchRow {
  readonly n: number
  readonly mode: 'exact' | 'projected'
  /** Neighbour-phase seconds for all N rows (extrapolated for exact: see `rule`). */
  readonly seconds: number
  /** Projected's recall@5 against exact on the query rows (null for exact rows). */
  readonly recall_at_5: number | null
  /** Rows actually computed (N for projected, q for exact). */
  readonly query_rows: number
  readonly extrapolated: boolean
  /** Seconds actually measured (q rows + setup for exact). */
  readonly measured_seconds: number
  /** exact seconds / projected seconds (projected rows only). */
  readonly speedup?: number
}

/** What runMiningBench returns (and bench/results/mining.json holds). */
export interface MiningBenchResult {
  readonly quick: boolean
  readonly features: string
  readonly source: string
  readonly rule: string
  readonly sketch_dims: number
  readonly rerank: number
  readonly mining: MiningBenchRow[]
  /** Log-log slope of seconds vs N per mode (null with fewer than 2 sizes). */
  readonly exponents: { exact: number | null; projected: number | null }
  readonly cache: {
    dir: string
    /** Images extracted by this run, and seconds spent (0 = warm cache). */
    extracted_now: number
    extract_seconds_now: number
    seconds_per_image: number
    /** Cold cost of the largest N's rows: seconds_per_image * max N. */
    cold_seconds_est: number
  }
  readonly wall_seconds: number
}

export interface MiningBenchOptions {
  /** N = 1000 only (for `npm run bench -- --quick`). */
  readonly quick?: boolean
  readonly sizes?: readonly number[]
  /** Exact query rows per N (default 64). */
  readonly queryRows?: number
  readonly log?: (line: string) => void
}

const SOURCE: RowSource = { size: 64, dataSeed: 7, sketchDims: 1024, sketchSeed: 1 }

/** Least-squares slope of log(seconds) against log(n). */
export function growthExponent(points: readonly { n: number; seconds: number }[]): number | null {
  if (points.length < 2) return null
  const xs = points.map((p) => Math.log(p.n))
  const ys = points.map((p) => Math.log(p.seconds))
  const mx = xs.reduce((s, x) => s + x, 0) / xs.length
  const my = ys.reduce((s, y) => s + y, 0) / ys.length
  let sxy = 0
  let sxx = 0
  for (const [i, x] of xs.entries()) {
    sxy += (x - mx) * ((ys[i] ?? 0) - my)
    sxx += (x - mx) ** 2
  }
  return Number((sxy / sxx).toFixed(3))
}

/** Fraction of exact's first k found among approx's first k, rows matched by `rows`. */
function recallOnRows(exact: NeighbourLists, approx: NeighbourLists, rows: Int32Array, k: number) {
  let hits = 0
  for (const [p, r] of rows.entries()) {
    const truth = new Set(exact.near.subarray(p * exact.kNear, p * exact.kNear + k))
    for (const j of approx.near.subarray(r * approx.kNear, r * approx.kNear + k))
      if (truth.has(j)) hits++
  }
  return hits / (rows.length * k)
}

const seconds = (t0: number) => Number(((performance.now() - t0) / 1000).toFixed(2))

/** Runs the mining benchmark (the caller initialises nothing: the wasm backend is set here). */
export async function runMiningBench(o: MiningBenchOptions = {}): Promise<MiningBenchResult> {
  const log = o.log ?? ((line: string) => console.error(line))
  const wall = performance.now()
  const quick = o.quick ?? false
  const sizes = o.sizes ?? (quick ? [1000] : [1000, 2000, 4000, 10000])
  const q = o.queryRows ?? 64
  await initBackend({ prefer: 'wasm' })
  const extractor = await loadFeatureExtractor('resnet50')
  const maxN = Math.max(...sizes)
  // extract (or find cached) rows for the largest N first; smaller N read prefixes
  const warm = await benchRows(maxN, extractor, SOURCE, { forms: () => false, log })
  const rows: MiningBenchRow[] = []
  try {
    for (const n of sizes) {
      // projected: sketch rows + re-ranking rows
      const want =
        (role: 'exact' | 'sketch' | 'rerank') =>
        (l: Pick<LayerRows, 'form' | 'positions' | 'channels'>) =>
          termForm(role, l.positions, l.channels) === l.form
      const p = await benchRows(n, extractor, SOURCE, {
        forms: (l) => want('sketch')(l) || want('rerank')(l),
      })
      const t0 = performance.now()
      const projected = await neighboursOfStyleTerms(
        termsOf(p.rows, 'sketch'),
        termsOf(p.rows, 'rerank'),
        { mode: 'projected', rerank: DEFAULT_RERANK },
      )
      const projectedSeconds = seconds(t0)
      p.rows.length = 0 // free before exact's rows
      // exact: q seeded query rows against all n
      const e = await benchRows(n, extractor, SOURCE, { forms: want('exact') })
      const exactTerms = termsOf(e.rows, 'exact')
      const rng = createRng(n)
      const query = Int32Array.from(
        rng.shuffled(Array.from({ length: n }, (_, i) => i)).slice(0, q),
      )
      const t1 = performance.now()
      const norms = await Promise.all(exactTerms.map((t) => termNorms(t)))
      await balanceWeights(exactTerms, norms)
      const setup = seconds(t1)
      const t2 = performance.now()
      const exact = await neighboursOfTerms(exactTerms, {
        norms,
        kNear: 16,
        kFar: 32,
        queryRows: query,
      })
      const measured = seconds(t2)
      e.rows.length = 0
      const exactSeconds = Number((setup + (measured * n) / q).toFixed(2))
      const recall = Number(recallOnRows(exact, projected, query, 5).toFixed(4))
      rows.push({
        n,
        mode: 'exact',
        seconds: exactSeconds,
        recall_at_5: null,
        query_rows: q,
        extrapolated: true,
        measured_seconds: Number((setup + measured).toFixed(2)),
      })
      rows.push({
        n,
        mode: 'projected',
        seconds: projectedSeconds,
        recall_at_5: recall,
        query_rows: n,
        extrapolated: false,
        measured_seconds: projectedSeconds,
        speedup: Number((exactSeconds / projectedSeconds).toFixed(1)),
      })
      log(JSON.stringify(rows.at(-2)))
      log(JSON.stringify(rows.at(-1)))
    }
  } finally {
    extractor.dispose()
  }
  const fit = (mode: string) =>
    growthExponent(rows.filter((r) => r.mode === mode).map((r) => ({ n: r.n, seconds: r.seconds })))
  return {
    quick,
    features: extractor.description,
    source:
      `synthetic dataset (seed ${SOURCE.dataSeed}, ${SOURCE.size} px; image i is the same for every N, ` +
      `so N images are the first N) -> ResNet50 rows (Gram upper triangles, raw kernel taps, Gram ` +
      `sketches) extracted once on wasm and cached under ${cacheRoot()}, keyed by (format, size, ` +
      `seed, extractor fingerprint, sketch dims, sketch seed); timings exclude extraction`,
    rule: `exact_seconds_est = setup + measured_query_seconds * N / q (q = ${q} seeded random rows)`,
    sketch_dims: SOURCE.sketchDims,
    rerank: DEFAULT_RERANK,
    mining: rows,
    exponents: { exact: fit('exact'), projected: fit('projected') },
    cache: {
      dir: warm.dir,
      extracted_now: warm.extractedNow,
      extract_seconds_now: Number(warm.extractSecondsNow.toFixed(1)),
      seconds_per_image: Number(warm.secondsPerImage.toFixed(3)),
      cold_seconds_est: Number((warm.secondsPerImage * maxN).toFixed(0)),
    },
    wall_seconds: seconds(wall),
  }
}

/** A markdown section of the result. */
export function miningMarkdown(r: MiningBenchResult): string {
  return [
    `Mining (${r.quick ? 'quick' : 'full'}): ${r.features}; source: ${r.source}.`,
    `Projected = Gram sketch ${r.sketch_dims}/tap all pairs + exact re-ranking of ${r.rerank} candidates. Rule: ${r.rule}.`,
    '',
    '| N | mode | seconds | measured s | query rows | extrapolated | recall@5 | speed-up |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...r.mining.map(
      (m) =>
        `| ${m.n} | ${m.mode} | ${m.seconds} | ${m.measured_seconds} | ${m.query_rows} | ${m.extrapolated} | ${m.recall_at_5 ?? ''} | ${m.speedup ?? ''} |`,
    ),
    '',
    `Growth exponent (log-log slope of seconds vs N): exact ${r.exponents.exact ?? 'n/a'}, projected ${r.exponents.projected ?? 'n/a'}.`,
    `Feature cache: ${r.cache.extracted_now} images extracted this run (${r.cache.extract_seconds_now} s); ${r.cache.seconds_per_image} s/image, cold cost for the largest N ≈ ${r.cache.cold_seconds_est} s. Mining wall time ${r.wall_seconds} s.`,
    '',
  ].join('\n')
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      n: { type: 'string' },
      q: { type: 'string' },
    },
  })
  const result = await runMiningBench({
    quick: values.quick ?? false,
    ...(values.n ? { sizes: values.n.split(',').map(Number) } : {}),
    ...(values.q ? { queryRows: Number(values.q) } : {}),
  })
  await writeResult('mining', { machine: machine(), ...result })
  await writeFile(join('bench', 'results', 'mining.md'), miningMarkdown(result))
}
