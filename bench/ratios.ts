/**
 * Ours / PyTorch time ratios at EQUAL thread counts (issue 15): Generate per config, size and
 * batch, and the training steps per stage (stage 1 `encoder`, stage 2 `generator`). Below 1 we
 * are faster. Only wasm rows are compared (the peers are CPU).
 */
import type { GenerateRow } from './generate.js'
import type { TorchRow, TorchTrainRow } from './peers/torch.js'
import type { TrainStepRow } from './train-steps.js'

/** One Generate case, ours against PyTorch at the same threads. */
export interface GenerateRatio {
  readonly config: string
  readonly size: number
  readonly batch: number
  readonly threads: number
  readonly ours_ms: number
  readonly torch_ms: number
  readonly ratio: number
}

/** One training stage, ours against PyTorch at the same threads. */
export interface TrainRatio {
  readonly stage: string
  readonly threads: number
  /** How our step used the threads (TrainStepRow.parallel). */
  readonly parallel: 'kernels' | 'batch'
  readonly ours_ms: number
  readonly torch_ms: number
  readonly ratio: number
}

/** Both kinds of ratio. */
export interface Ratios {
  readonly generate: GenerateRatio[]
  readonly training: TrainRatio[]
}

const ratio = (ours: number, torch: number) => Number((ours / torch).toFixed(2))

/** Pairs each PyTorch row with our wasm row of the same case and thread count. */
export function oursOverTorch(
  ours: { readonly generate: readonly GenerateRow[]; readonly training: readonly TrainStepRow[] },
  torch: { readonly generate: readonly TorchRow[]; readonly training: readonly TorchTrainRow[] },
): Ratios {
  const generate: GenerateRatio[] = []
  for (const t of torch.generate) {
    const o = ours.generate.find(
      (r) =>
        r.backend === 'wasm' &&
        r.config === t.config &&
        r.size === t.size &&
        r.batch === t.batch &&
        r.threads === t.threads,
    )
    if (!o) continue
    const { config, size, batch, threads } = t
    generate.push({
      config,
      size,
      batch,
      threads,
      ours_ms: o.median_ms,
      torch_ms: t.median_ms,
      ratio: ratio(o.median_ms, t.median_ms),
    })
  }
  const training: TrainRatio[] = []
  for (const t of torch.training) {
    const mine = ours.training.filter(
      (r) => r.backend === 'wasm' && r.stage === t.stage && r.threads === t.threads,
    )
    for (const o of mine)
      training.push({
        stage: t.stage,
        threads: t.threads,
        parallel: o.parallel,
        ours_ms: o.median_ms,
        torch_ms: t.median_ms,
        ratio: ratio(o.median_ms, t.median_ms),
      })
  }
  return { generate, training }
}

/** Our G's parameter count against the PyTorch peer's, per config it ran. */
export function paramsCheck(
  ours: Readonly<Record<string, number>>,
  torch: readonly TorchRow[],
): { config: string; ours: number; torch: number; match: boolean }[] {
  const seen = new Map<string, number>()
  for (const t of torch) seen.set(t.config, t.params)
  return [...seen].map(([config, n]) => ({
    config,
    ours: ours[config] ?? NaN,
    torch: n,
    match: ours[config] === n,
  }))
}
