/**
 * Generate rows of `npm run bench`: G's forward time (split z, prepared weights; median after 2
 * warm-up calls, each result read back with `await data()`) and its achieved GFLOP/s on the
 * current backend, for the `small` and `paper` configs; and the backend's fp32 matMul probe.
 */
import * as tf from '@tensorflow/tfjs'
import { PAPER, SMALL, type GeneratorConfig } from '../src/models/configs.js'
import { generatorMacs } from '../src/models/flops.js'
import { createGenerator } from '../src/models/generator.js'
import { median, timeOnce } from './common.js'

/** A preset whose generator the bench times. */
export type ConfigName = 'small' | 'paper'

/** One [size, batch] case. */
export type GenerateCase = readonly [size: number, batch: number]

/** One measured Generate case. */
export interface GenerateRow {
  readonly backend: string
  readonly config: ConfigName
  readonly size: number
  readonly batch: number
  /** XNNPACK threads (wasm), 1 (cpu), null (webgpu: not a CPU thread count). */
  readonly threads: number | null
  readonly median_ms: number
  readonly gflops: number
  /** Timed calls behind the median. */
  readonly runs: number
  /** webgpu: the adapter (formatAdapter). */
  readonly adapter?: string
  /** webgpu: the first call's ms (shader compilation included). */
  readonly first_call_ms?: number
}

/** The generator config of a preset. */
export function generatorConfig(name: ConfigName): GeneratorConfig {
  return name === 'paper' ? PAPER.generator : SMALL.generator
}

/** Median ms of `f` (result read back) after 2 warm-up calls. */
export async function medianOf(f: () => tf.Tensor, runs: number): Promise<number> {
  await timeOnce(f)
  await timeOnce(f)
  const t: number[] = []
  for (let i = 0; i < runs; i++) t.push(await timeOnce(f))
  return median(t)
}

/** fp32 matMul 512 x 512 x 512 on the current backend, GFLOP/s. */
export async function peakGflops(runs: number): Promise<number> {
  const n = 512
  const a = tf.randomNormal<tf.Rank.R2>([n, n])
  const b = tf.randomNormal<tf.Rank.R2>([n, n])
  const ms = await medianOf(() => tf.matMul(a, b), runs)
  tf.dispose([a, b])
  return Number(((2 * n ** 3) / (ms / 1000) / 1e9).toFixed(2))
}

/** GFLOP/s of one G forward of `config` at `size`², `batch` images, taking `ms`. */
export function generateGflops(
  config: ConfigName,
  size: number,
  batch: number,
  ms: number,
): number {
  const flops = 2 * generatorMacs(generatorConfig(config), size, size) * batch
  return Number((flops / (ms / 1000) / 1e9).toFixed(2))
}

/** What the rows of one timeGenerate call share. */
export interface GenerateMeta {
  readonly backend: string
  readonly threads: number | null
  readonly runs: number
}

/** Times G of `config` (seed 5) on each case on the current backend. */
export async function timeGenerate(
  config: ConfigName,
  cases: readonly GenerateCase[],
  meta: GenerateMeta,
): Promise<GenerateRow[]> {
  const rows: GenerateRow[] = []
  if (cases.length === 0) return rows
  const g = createGenerator(generatorConfig(config), 5)
  try {
    for (const [size, batch] of cases) {
      const x = tf.randomUniform<tf.Rank.R4>([batch, size, size, 3], -1, 1)
      const z = tf.randomNormal<tf.Rank.R2>([batch, g.config.zDim])
      const ms = await medianOf(() => g.apply(x, z), meta.runs)
      tf.dispose([x, z])
      rows.push({
        backend: meta.backend,
        config,
        size,
        batch,
        threads: meta.threads,
        median_ms: Number(ms.toFixed(1)),
        gflops: generateGflops(config, size, batch, ms),
        runs: meta.runs,
      })
    }
  } finally {
    g.dispose()
  }
  return rows
}

/** Scalar parameter count of G of `config` (compared with the PyTorch peer's). */
export function generatorParams(config: ConfigName): number {
  const g = createGenerator(generatorConfig(config), 0)
  const n = g.params.count()
  g.dispose()
  return n
}
