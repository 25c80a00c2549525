/** The markdown tables of bench/results/latest.md (and the README's Performance section). */
import {
  generateTable,
  paramsLine,
  ratioTable,
  table,
  trainingTable,
  webgpuTable,
  type PerfSummary,
} from './markdown-perf.js'
import type { PreparedRow } from './prepared.js'
import type { SweepBackend } from './wasm-sweep.js'
import type { ZSplitRow } from './zsplit.js'

/** What bench/run.ts measured (the fields the tables show). */
export interface BenchSummary extends PerfSummary {
  readonly machine: Record<string, unknown>
  /** The wasm backend at each thread count (describeBackend). */
  readonly backends: readonly SweepBackend[]
  readonly quick: boolean
  readonly seconds: number
  /** matMul probe by "wasm t<threads>" and "cpu". */
  readonly peak_gflops_by_backend: Record<string, number>
  readonly z_injection: readonly (ZSplitRow & { threads: number })[]
  readonly prepared_weights?: readonly (PreparedRow & { threads: number })[]
  readonly peers: PerfSummary['peers'] & {
    /** PyTorch's matMul probe by thread count. */
    readonly torch_peak_gflops: Record<string, number>
  }
  readonly mining: readonly unknown[]
  readonly executor: {
    preset: string
    nodes: number
    cached_rerun_ms: number
    overhead_per_node_ms: number
  }
}

function zInjectionTable(r: BenchSummary): string[] {
  const threads = r.z_injection[0]?.threads ?? ''
  return [
    `**Split vs tiled z injection** (wasm, ${threads} threads, timed alternately; max abs output difference)`,
    '',
    ...table(
      [
        'size',
        'batch',
        'G tiled ms',
        'G split ms',
        'G speed-up',
        'decoder tiled ms',
        'decoder split ms',
        'decoder speed-up',
        'max abs diff',
      ],
      r.z_injection.map((z) => [
        `${z.size}²`,
        z.batch,
        z.tiled_ms,
        z.split_ms,
        `${z.speedup}×`,
        z.decoder_tiled_ms,
        z.decoder_split_ms,
        `${z.decoder_speedup}×`,
        z.max_abs_diff.toExponential(1),
      ]),
    ),
    '',
  ]
}

function preparedTable(r: BenchSummary): string[] {
  const rows = r.prepared_weights
  if (!rows) return []
  return [
    `**Prepared weights** (wasm, ${rows[0]?.threads ?? ''} threads, G split z; kernels scaled / split once and reused vs on every call, timed alternately)`,
    '',
    ...table(
      ['size', 'batch', 'per call ms', 'prepared ms', 'speed-up', 'max abs diff'],
      rows.map((p) => [
        `${p.size}²`,
        p.batch,
        p.per_call_ms,
        p.prepared_ms,
        `${p.speedup}×`,
        p.max_abs_diff.toExponential(1),
      ]),
    ),
    '',
  ]
}

/** latest.md: one table per section, the machine on top. */
export function benchMarkdown(r: BenchSummary): string {
  const m = r.machine
  const probe = (rec: Record<string, number>, prefix = '') =>
    Object.entries(rec)
      .map(([k, v]) => `${prefix}${k} ${v}`)
      .join(', ')
  const torchPeaks = probe(r.peers.torch_peak_gflops, 'PyTorch t')
  return [
    `Machine: ${String(m.cpu)}, ${String(m.cores)} cores, Node ${String(m.node)}; ` +
      `wasm as run: ${r.backends.map((b) => b.description).join('; ')}. ` +
      `fp32 matMul probe (512³, GFLOP/s): ${probe(r.peak_gflops_by_backend)}${torchPeaks ? `, ${torchPeaks}` : ''}. ` +
      `${r.quick ? 'Quick run' : 'Full run'}: ${r.seconds} s.`,
    '',
    ...generateTable(r),
    ...ratioTable(r),
    ...paramsLine(r),
    ...trainingTable(r),
    ...webgpuTable(r),
    ...zInjectionTable(r),
    ...preparedTable(r),
    `**Executor**: fully cached re-run of the default preset (${r.executor.nodes} nodes): ${r.executor.cached_rerun_ms} ms (${r.executor.overhead_per_node_ms} ms per node).`,
    '',
  ].join('\n')
}
