/** The markdown tables of bench/results/latest.md (and the README's Performance section). */
import type { TorchRow } from './peers/torch.js'
import type { TrainStepRow } from './train-steps.js'
import type { PreparedRow } from './prepared.js'
import type { ZSplitRow } from './zsplit.js'

/** What bench/run.ts measured (the fields the tables show). */
export interface BenchSummary {
  readonly machine: Record<string, unknown>
  readonly quick: boolean
  readonly seconds: number
  readonly peak_gflops_by_backend: Record<string, number>
  readonly generate: readonly {
    backend: string
    size: number
    batch: number
    median_ms: number
    gflops: number
  }[]
  readonly z_injection: readonly ZSplitRow[]
  readonly prepared_weights?: readonly PreparedRow[]
  readonly training: readonly TrainStepRow[]
  readonly peers: {
    readonly torch: readonly TorchRow[]
    readonly torch_peak_gflops: number | null
    /** PyTorch CPU training steps (bench/peers/torch_train.py) at 1 thread and at all cores. */
    readonly torch_train: readonly { stage: string; threads: number; median_ms: number }[]
    readonly ratio_ours_over_torch: readonly {
      size: number
      batch: number
      threads: number
      ratio: number | null
    }[]
  }
  readonly mining: readonly unknown[]
  readonly executor: { nodes: number; cached_rerun_ms: number; overhead_per_node_ms: number }
}

function table(head: readonly string[], rows: readonly (readonly unknown[])[]): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(String).join(' | ')} |`),
  ]
}

/** The "Training step vs PyTorch" table (empty when the peer did not run). */
function trainingVsTorch(r: BenchSummary): string[] {
  if (r.peers.torch_train.length === 0) return []
  return [
    '**Training step vs PyTorch** (`small`, 64², batch 8; stage 2 with ResNet50 on 3 taps; ' +
      'PyTorch CPU at 1 thread and at all cores, ours where we ran at that thread count)',
    '',
    ...table(
      ['stage', 'threads', 'ours ms', 'PyTorch ms', 'ours / PyTorch'],
      r.peers.torch_train.map((t) => {
        const ours = r.training.find((o) => o.stage === t.stage && o.threads === t.threads)
        const ratio = ours ? (ours.median_ms / t.median_ms).toFixed(2) : ''
        return [t.stage, t.threads, ours?.median_ms ?? '', t.median_ms, ratio]
      }),
    ),
    '',
  ]
}

/** latest.md: one table per section, the machine on top. */
export function benchMarkdown(r: BenchSummary): string {
  const m = r.machine
  const peaks = Object.entries(r.peak_gflops_by_backend)
    .map(([b, v]) => `${b} ${v}`)
    .join(', ')
  const torchMs = (size: number, batch: number) =>
    r.peers.torch.find((t) => t.size === size && t.batch === batch)?.median_ms ?? ''
  const ratio = (size: number, batch: number) =>
    r.peers.ratio_ours_over_torch.find((t) => t.size === size && t.batch === batch)?.ratio ?? ''
  return [
    `Machine: ${String(m.cpu)}, ${String(m.cores)} cores, Node ${String(m.node)}, wasm threads ${String(m.wasm_threads)}; ` +
      `fp32 matMul peak (512³ probe, GFLOP/s): ${peaks}, PyTorch ${r.peers.torch_peak_gflops ?? 'n/a'}. ` +
      `${r.quick ? 'Quick run' : 'Full run'}: ${r.seconds} s.`,
    '',
    '**Generate** (G forward, `small` config, split z; median, warm-up excluded; PyTorch CPU at the same thread count)',
    '',
    ...table(
      ['backend', 'size', 'batch', 'ms', 'GFLOP/s', 'PyTorch ms', 'ours / PyTorch'],
      r.generate.map((g) => [
        g.backend,
        `${g.size}²`,
        g.batch,
        g.median_ms,
        g.gflops,
        g.backend === 'wasm' ? torchMs(g.size, g.batch) : '',
        g.backend === 'wasm' ? ratio(g.size, g.batch) : '',
      ]),
    ),
    '',
    '**Split vs tiled z injection** (wasm, timed alternately; max abs output difference)',
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
    ...(r.prepared_weights
      ? [
          '**Prepared weights** (wasm, G split z; kernels scaled / split once and reused vs on every call, timed alternately)',
          '',
          ...table(
            ['size', 'batch', 'per call ms', 'prepared ms', 'speed-up', 'max abs diff'],
            r.prepared_weights.map((p) => [
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
      : []),
    '**Training step** (wasm, `small`, 64², batch 8)',
    '',
    ...table(
      ['stage', 'ms / step', 'items / s'],
      r.training.map((t) => [t.stage, t.median_ms, t.items_per_s]),
    ),
    '',
    ...trainingVsTorch(r),
    `**Executor**: fully cached re-run of the default preset (${r.executor.nodes} nodes): ${r.executor.cached_rerun_ms} ms (${r.executor.overhead_per_node_ms} ms per node).`,
    '',
  ].join('\n')
}
