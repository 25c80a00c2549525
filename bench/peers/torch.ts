/**
 * The PyTorch CPU peer (bench/peers/torch_generator.py): installs Debian's python3-torch when
 * missing (bench/peers/setup.sh), runs the same generator at the same sizes with `threads`
 * threads, and returns its rows. Null, with the reason printed, when PyTorch cannot be had.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** One PyTorch case, as the script prints it. */
export interface TorchRow {
  readonly size: number
  readonly batch: number
  readonly threads: number
  readonly median_ms: number
  readonly runs: number
  readonly torch: string
}

/** What the peer measured: its matMul peak and one row per case. */
export interface TorchResult {
  readonly peak_gflops: number
  readonly rows: TorchRow[]
}

/** Runs the peer on `cases` ([size, batch]); null when PyTorch is unavailable. */
export async function torchPeer(
  cases: readonly (readonly [number, number])[],
  threads: number,
  runs: number,
): Promise<TorchResult | null> {
  try {
    await run('bash', ['bench/peers/setup.sh'])
  } catch (err) {
    console.error(`bench: PyTorch peer skipped (${(err as { stderr?: string }).stderr?.trim()})`)
    return null
  }
  const { stdout } = await run(
    '/usr/bin/python3',
    [
      'bench/peers/torch_generator.py',
      '--threads',
      String(threads),
      '--runs',
      String(runs),
      '--cases',
      cases.map(([s, b]) => `${s}x${b}`).join(','),
    ],
    { maxBuffer: 1 << 20 },
  )
  const [probe, ...rows] = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown)
  return {
    peak_gflops: (probe as { gflops: number }).gflops,
    rows: rows as TorchRow[],
  }
}
