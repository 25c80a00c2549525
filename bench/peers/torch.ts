/**
 * The PyTorch CPU peers: installs Debian's python3-torch and python3-torchvision when missing
 * (bench/peers/setup.sh), then runs the same generator (bench/peers/torch_generator.py) or the
 * same training steps (bench/peers/torch_train.py) with `threads` threads and returns their rows.
 * Null, with the reason printed, when PyTorch cannot be had.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** One PyTorch case, as the script prints it. */
export interface TorchRow {
  /** The preset whose G it built (torch_generator.py --config). */
  readonly config: 'small' | 'paper'
  readonly size: number
  readonly batch: number
  readonly threads: number
  readonly median_ms: number
  readonly runs: number
  readonly torch: string
  /** G's scalar parameter count in PyTorch (equal to ours when the architectures match). */
  readonly params: number
}

/** What the peer measured: its matMul peak and one row per case. */
export interface TorchResult {
  readonly peak_gflops: number
  readonly rows: TorchRow[]
}

/** A training stage the PyTorch peer reproduces (bench/train-steps.ts names). */
export type TorchTrainStage = 'encoder' | 'generator' | 'finetune'

/** One PyTorch training step, as torch_train.py prints it. */
export interface TorchTrainRow {
  readonly stage: TorchTrainStage
  readonly threads: number
  readonly median_ms: number
  readonly runs: number
  readonly torch: string
  /** Scalar parameter counts of the networks in the step (G, D, E, ResNet50 trunk). */
  readonly params: Readonly<Record<string, number>>
}

/** Whether PyTorch is usable (asked once per process). */
let available: Promise<boolean> | null = null

/** True when PyTorch is there or was installed; otherwise prints why (once) and returns false. */
function ensureTorch(): Promise<boolean> {
  available ??= run('bash', ['bench/peers/setup.sh']).then(
    () => true,
    (err: unknown) => {
      console.error(`bench: PyTorch peer skipped (${(err as { stderr?: string }).stderr?.trim()})`)
      return false
    },
  )
  return available
}

/** The JSON objects a peer script printed, one per line. */
async function peerLines(script: string, args: readonly string[]): Promise<unknown[]> {
  const { stdout } = await run('/usr/bin/python3', [script, ...args], { maxBuffer: 1 << 20 })
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown)
}

function isGenerateRow(v: unknown): v is TorchRow {
  if (typeof v !== 'object' || v === null) return false
  const r = v as Record<string, unknown>
  return (
    (r.config === 'small' || r.config === 'paper') &&
    typeof r.size === 'number' &&
    typeof r.batch === 'number' &&
    typeof r.threads === 'number' &&
    typeof r.median_ms === 'number' &&
    typeof r.params === 'number'
  )
}

/**
 * Runs the generator peer of `config` on `cases` ([size, batch]) at `threads` threads; null when
 * PyTorch is unavailable.
 */
export async function torchPeer(
  config: 'small' | 'paper',
  cases: readonly (readonly [number, number])[],
  threads: number,
  runs: number,
): Promise<TorchResult | null> {
  if (!(await ensureTorch())) return null
  const [probe, ...rows] = await peerLines('bench/peers/torch_generator.py', [
    '--config',
    config,
    '--threads',
    String(threads),
    '--runs',
    String(runs),
    '--cases',
    cases.map(([s, b]) => `${s}x${b}`).join(','),
  ])
  return {
    peak_gflops: (probe as { gflops: number }).gflops,
    rows: rows.map((line) => {
      if (!isGenerateRow(line))
        throw new Error(`torch_generator.py: unexpected line ${JSON.stringify(line)}`)
      return line
    }),
  }
}

function isTrainRow(v: unknown): v is TorchTrainRow {
  if (typeof v !== 'object' || v === null) return false
  const r = v as Record<string, unknown>
  return (
    typeof r.stage === 'string' &&
    typeof r.threads === 'number' &&
    typeof r.median_ms === 'number' &&
    typeof r.params === 'object'
  )
}

/**
 * Times one training step of each of `stages` in PyTorch at `threads` threads (median of `runs`
 * after `warmup` steps; bench/peers/torch_train.py); null when PyTorch is unavailable.
 */
export async function torchTrainPeer(
  stages: readonly TorchTrainStage[],
  threads: number,
  runs: number,
  warmup = 2,
): Promise<TorchTrainRow[] | null> {
  if (!(await ensureTorch())) return null
  const lines = await peerLines('bench/peers/torch_train.py', [
    '--threads',
    String(threads),
    '--runs',
    String(runs),
    '--warmup',
    String(warmup),
    '--stages',
    stages.join(','),
  ])
  return lines.map((line) => {
    if (!isTrainRow(line))
      throw new Error(`torch_train.py: unexpected line ${JSON.stringify(line)}`)
    return line
  })
}
