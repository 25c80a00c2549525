/** Shared helpers of the benchmark scripts (not tests): datasets on disk, timing, JSON output. */
import { mkdir, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { availableParallelism, cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type * as tf from '@tensorflow/tfjs'
import { writeSynthDataset } from '../src/data/synth/write.node.js'
import { initBackend } from '../src/runtime/backend.js'

/** Folder for generated benchmark data (reused between runs). */
export const BENCH_DATA = process.env.STEP_BENCH_DATA ?? join(process.cwd(), 'out', 'bench-data')

/** A synthetic dataset of `count` images at `size` px with `seed`, generated once. */
export async function synthData(count: number, size: number, seed: number): Promise<string> {
  const dir = join(BENCH_DATA, `synth-${count}-${size}-${seed}`)
  if (!existsSync(join(dir, 'styles.json')))
    await writeSynthDataset({ out: dir, count, size, seed })
  return dir
}

/** The machine a figure was measured on. */
export function machine(): Record<string, unknown> {
  const cpu = cpus()
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  }
}

/** Thread counts a CPU peer runs at: 1 and all cores (os.availableParallelism()), each once. */
export function peerThreadCounts(): number[] {
  return [...new Set([1, availableParallelism()])]
}

/** Writes bench/results/<name>.json; returns the text written. */
export async function saveResult(name: string, result: unknown): Promise<string> {
  const dir = join(process.cwd(), 'bench', 'results')
  await mkdir(dir, { recursive: true })
  const text = `${JSON.stringify(result, null, 2)}\n`
  await writeFile(join(dir, `${name}.json`), text)
  return text
}

/** Writes bench/results/<name>.json and prints it. */
export async function writeResult(name: string, result: unknown): Promise<void> {
  process.stdout.write(await saveResult(name, result))
}

/** Seconds since `t0` (from performance.now()). */
export function since(t0: number): number {
  return Number(((performance.now() - t0) / 1000).toFixed(2))
}

/** The median of `t` (NaN when empty). */
export function median(t: readonly number[]): number {
  return [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)] ?? NaN
}

/** Wall ms of one call of `f`, its result read back and disposed. */
export async function timeOnce(f: () => tf.Tensor): Promise<number> {
  const t0 = performance.now()
  const y = f()
  await y.data()
  y.dispose()
  return performance.now() - t0
}

/**
 * Median ms of `a` and of `b`, timed alternately (the order flipped each round) after 2 warm-up
 * rounds, so that a noisy machine slows both alike (timing one after the other favoured the
 * second variant by up to 20 % here).
 */
export async function alternateMedians(
  a: () => tf.Tensor,
  b: () => tf.Tensor,
  runs: number,
): Promise<[number, number]> {
  for (let i = 0; i < 2; i++) {
    await timeOnce(a)
    await timeOnce(b)
  }
  const ta: number[] = []
  const tb: number[] = []
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      ta.push(await timeOnce(a))
      tb.push(await timeOnce(b))
    } else {
      tb.push(await timeOnce(b))
      ta.push(await timeOnce(a))
    }
  }
  return [median(ta), median(tb)]
}

/** The size / batch cases of the Generate comparisons when a script runs on its own. */
export const GENERATE_CASES: readonly (readonly [number, number])[] = [
  [64, 1],
  [64, 8],
  [256, 1],
  [256, 8],
]

/**
 * Runs a Generate comparison as a script of its own: `--backend` (default wasm) and `--runs`,
 * over GENERATE_CASES, written to bench/results/<name>.json.
 */
export async function runComparison(
  name: string,
  compare: (cases: typeof GENERATE_CASES, runs: number) => Promise<unknown[]>,
  defaultRuns: number,
): Promise<void> {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string', default: 'wasm' },
      runs: { type: 'string', default: String(defaultRuns) },
    },
  })
  const info = await initBackend({ prefer: values.backend as 'wasm' })
  const runs = Number(values.runs)
  const rows = await compare(GENERATE_CASES, runs)
  await writeResult(name, { machine: machine(), backend: info.backend, runs, rows })
}
