/**
 * The wasm rows of `npm run bench` at each thread count (1 and every core): for each count the
 * backend is started with that many XNNPACK threads (a switch re-creates it, so every model and
 * tensor is made after it), then the matMul probe, Generate (`small` and `paper`) and the training
 * steps run, and only then the PyTorch peers at the same count, so the peers never run while our
 * kernels do (the wasm pool's workers sit idle between kernels).
 */
import { initBackend, describeBackend } from '../src/runtime/backend.js'
import { peakGflops, timeGenerate, type GenerateCase, type GenerateRow } from './generate.js'
import {
  torchPeer,
  torchTrainPeer,
  type TorchRow,
  type TorchTrainRow,
  type TorchTrainStage,
} from './peers/torch.js'
import { timeTrainingSteps, type TrainStage, type TrainStepRow } from './train-steps.js'

/** What to run at each thread count. */
export interface SweepPlan {
  /** Thread counts asked for, in order (the last one stays active afterwards). */
  readonly threadCounts: readonly number[]
  /** `small` Generate cases (at every count). */
  readonly smallCases: readonly GenerateCase[]
  /** `paper` Generate cases at a count (`all`: it is the last, every-core count). */
  readonly paperCases: (threads: number, all: boolean) => readonly GenerateCase[]
  /** Timed calls per Generate case (small; paper). */
  readonly runs: { readonly small: number; readonly paper: number }
  /** Training stages, timed steps and warm-up steps. */
  readonly training: {
    readonly stages: readonly TrainStage[]
    readonly runs: number
    readonly warmup: number
  }
  /** PyTorch: generator runs per case; training stages, runs and warm-up. */
  readonly torch: {
    readonly runs: number
    readonly stages: readonly TorchTrainStage[]
    readonly trainRuns: number
    readonly trainWarmup: number
  }
  readonly log: (what: string) => void
}

/** One thread count's backend, as started. */
export interface SweepBackend {
  readonly requested: number
  readonly threads: number
  /** describeBackend(info), e.g. "wasm, 2 threads". */
  readonly description: string
  readonly note?: string
}

/** Everything the sweep measured. */
export interface SweepResult {
  readonly backends: SweepBackend[]
  /** matMul probe GFLOP/s by "wasm t<threads>". */
  readonly peaks: Record<string, number>
  readonly generate: GenerateRow[]
  readonly training: TrainStepRow[]
  readonly torch: TorchRow[]
  /** PyTorch's matMul probe GFLOP/s by thread count. */
  readonly torchPeaks: Record<string, number>
  readonly torchTrain: TorchTrainRow[]
}

/** Runs the plan (see the module comment). */
export async function runWasmSweep(plan: SweepPlan): Promise<SweepResult> {
  const out: SweepResult = {
    backends: [],
    peaks: {},
    generate: [],
    training: [],
    torch: [],
    torchPeaks: {},
    torchTrain: [],
  }
  const seen = new Set<number>()
  const last = plan.threadCounts.length - 1
  for (const [i, requested] of plan.threadCounts.entries()) {
    const info = await initBackend({ prefer: 'wasm', threads: requested })
    const threads = info.threads?.threads ?? 1
    if (seen.has(threads)) continue // e.g. 1 core: both counts are 1
    seen.add(threads)
    const t = info.threads
    out.backends.push({
      requested,
      threads,
      description: describeBackend(info),
      ...(t?.note ? { note: t.note } : {}),
    })
    out.peaks[`wasm t${threads}`] = await peakGflops(plan.runs.small)
    const meta = { backend: 'wasm', threads }
    out.generate.push(
      ...(await timeGenerate('small', plan.smallCases, { ...meta, runs: plan.runs.small })),
    )
    const paperCases = plan.paperCases(threads, i === last)
    out.generate.push(
      ...(await timeGenerate('paper', paperCases, { ...meta, runs: plan.runs.paper })),
    )
    plan.log(`generate, wasm ${threads} thread(s)`)
    out.training.push(...(await timeTrainingSteps({ ...plan.training, threads })))
    plan.log(`training steps, wasm ${threads} thread(s)`)
    // the PyTorch peers at the same count, after ours (never alongside)
    for (const [config, cases] of [
      ['small', plan.smallCases],
      ['paper', paperCases],
    ] as const) {
      if (cases.length === 0) continue
      const peer = await torchPeer(config, cases, threads, plan.torch.runs)
      if (!peer) break
      out.torchPeaks[String(threads)] = peer.peak_gflops
      out.torch.push(...peer.rows)
    }
    const train = await torchTrainPeer(
      plan.torch.stages,
      threads,
      plan.torch.trainRuns,
      plan.torch.trainWarmup,
    )
    if (train) out.torchTrain.push(...train)
    plan.log(`PyTorch peers at ${threads} thread(s)`)
  }
  return out
}
