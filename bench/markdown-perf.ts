/**
 * The performance tables of bench/results/latest.md: Generate per backend / config / threads,
 * ours / PyTorch at equal threads (Generate and training steps), the training steps, the
 * parameter check of the PyTorch generator and the webgpu rows.
 */
import type { GenerateRow } from './generate.js'
import type { TorchRow, TorchTrainRow } from './peers/torch.js'
import type { Ratios } from './ratios.js'
import type { TrainStepRow } from './train-steps.js'
import type { WebGpuResult } from './webgpu-spawn.js'

/** A table cell; null and undefined print empty. */
export type Cell = string | number | boolean | null | undefined

/** A markdown table (header, rule, rows). */
export function table(head: readonly string[], rows: readonly (readonly Cell[])[]): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map(
      (r) => `| ${r.map((v) => (v === null || v === undefined ? '' : String(v))).join(' | ')} |`,
    ),
  ]
}

/** What the performance tables read. */
export interface PerfSummary {
  readonly generate: readonly GenerateRow[]
  readonly training: readonly TrainStepRow[]
  readonly peers: {
    readonly torch: readonly TorchRow[]
    readonly torch_train: readonly TorchTrainRow[]
    readonly params_check: readonly {
      config: string
      ours: number
      torch: number
      match: boolean
    }[]
  }
  readonly ratios: Ratios
  readonly webgpu: WebGpuResult | null
}

/** Generate: every row with its PyTorch time and ours / PyTorch at the same threads. */
export function generateTable(r: PerfSummary): string[] {
  const peer = (g: GenerateRow) =>
    g.backend === 'wasm'
      ? r.ratios.generate.find(
          (t) =>
            t.config === g.config &&
            t.size === g.size &&
            t.batch === g.batch &&
            t.threads === g.threads,
        )
      : undefined
  return [
    '**Generate** (G forward, split z, prepared weights; median after 2 warm-up calls; PyTorch CPU at the same thread count)',
    '',
    ...table(
      [
        'backend',
        'config',
        'threads',
        'size',
        'batch',
        'ms',
        'GFLOP/s',
        'PyTorch ms',
        'ours / PyTorch',
      ],
      r.generate.map((g) => {
        const p = peer(g)
        return [
          g.backend,
          g.config,
          g.threads,
          `${g.size}²`,
          g.batch,
          g.median_ms,
          g.gflops,
          p?.torch_ms,
          p?.ratio,
        ]
      }),
    ),
    '',
  ]
}

/** Ours / PyTorch at equal threads, Generate and training side by side. */
export function ratioTable(r: PerfSummary): string[] {
  if (r.ratios.generate.length + r.ratios.training.length === 0) return []
  return [
    '**Ours / PyTorch at equal threads** (below 1: ours is faster; training: `small`, 64², batch 8; stage 2 with ResNet50 on 3 taps, the fixed reference)',
    '',
    ...table(
      ['what', 'threads', 'ours ms', 'PyTorch ms', 'ours / PyTorch'],
      [
        ...r.ratios.generate.map((g) => [
          `Generate ${g.config} ${g.size}² b${g.batch}`,
          g.threads,
          g.ours_ms,
          g.torch_ms,
          g.ratio,
        ]),
        ...r.ratios.training.map((t) => [
          `${t.stage === 'encoder' ? 'stage 1' : 'stage 2'} step (${t.stage}${t.parallel === 'batch' ? ', batch split over threads' : ''})`,
          t.threads,
          t.ours_ms,
          t.torch_ms,
          t.ratio,
        ]),
      ],
    ),
    '',
  ]
}

/** The training steps on every backend and thread count. */
export function trainingTable(r: PerfSummary): string[] {
  return [
    '**Training step** (`small`, 64², batch 8; stages 2/3 with ResNet50 on 3 taps)',
    '',
    ...table(
      ['stage', 'backend', 'threads', 'threads used for', 'ms / step', 'items / s'],
      r.training.map((t) => [
        t.stage,
        t.backend,
        t.threads,
        t.parallel === 'batch' ? 'batch shards' : 'kernels',
        t.median_ms,
        t.items_per_s,
      ]),
    ),
    '',
  ]
}

/** The PyTorch generator's parameter count against ours. */
export function paramsLine(r: PerfSummary): string[] {
  if (r.peers.params_check.length === 0) return []
  const parts = r.peers.params_check.map(
    (p) => `${p.config} ${p.ours} / ${p.torch}${p.match ? '' : ' **MISMATCH**'}`,
  )
  return [`PyTorch generator parameters (ours / PyTorch): ${parts.join(', ')}.`, '']
}

/** The webgpu rows (with `--webgpu`), or why they are missing. */
export function webgpuTable(r: PerfSummary): string[] {
  const w = r.webgpu
  if (!w) return []
  const rows = [
    ...w.generate.map((g) => [
      `Generate ${g.config} ${g.size}² b${g.batch}`,
      g.median_ms,
      g.gflops,
      g.runs,
      g.first_call_ms,
    ]),
    ...w.training.map((t) => [`${t.stage} step`, t.median_ms, '', t.runs, t.first_call_ms]),
  ]
  return [
    `**WebGPU** (${w.adapter ?? 'no adapter'}; first call includes shader compilation)`,
    '',
    ...(rows.length > 0 ? table(['what', 'ms', 'GFLOP/s', 'runs', 'first call ms'], rows) : []),
    ...(w.skipped ? ['', `Skipped: ${w.skipped}.`] : []),
    '',
  ]
}
