/**
 * What the trainers do when a step goes wrong, shared by stage 1 (encoder/train-encoder.ts), stages 2/3
 * (gan/train-generator.ts) and the mapper (mapper/train-mapper.ts):
 *  - a non-finite loss stops the run at that step (TrainingDivergedError naming the stage, the
 *    step, the loss and the last good checkpoint); nothing computed from it is saved;
 *  - weights are checked before every save (`finiteWeightsIO`): a non-finite weight stops the run
 *    the same way instead of overwriting the last good checkpoint;
 *  - an allocation failure of the backend becomes an OutOfMemoryError suggesting half the batch.
 * `TrainingFaults` lets tests force these at a chosen step; production code never sets it.
 */
import * as tf from '@tensorflow/tfjs'
import { OutOfMemoryError, TrainingDivergedError, errorMessage } from '../core/errors.js'
import type { CheckpointIO, TensorGroup } from '../checkpoint/format.js'

/** Faults forced at chosen steps (1-based: the step being computed). For tests only. */
export interface TrainingFaults {
  /** From `step` on, the loss named `loss` (its logged name) is NaN inside the graph. */
  readonly nanFrom?: { readonly step: number; readonly loss: string }
  /** At `step`, the step throws `error` (e.g. a simulated allocation failure). */
  readonly throwAt?: { readonly step: number; readonly error: Error }
}

/** `t`, or t + NaN when `faults` poison the loss `name` at `step` (inside the tape: gradients too). */
export function poisoned<T extends tf.Tensor>(
  faults: TrainingFaults | undefined,
  step: number,
  name: string,
  t: T,
): T {
  const f = faults?.nanFrom
  return f && step >= f.step && f.loss === name ? tf.add<T>(t, NaN) : t
}

/** Throws the forced error of `step`, if any. */
export function forcedFailure(faults: TrainingFaults | undefined, step: number): void {
  const f = faults?.throwAt
  if (f && f.step === step) throw f.error
}

const STAGE_LABELS: Readonly<Record<string, string>> = {
  encoder: 'stage 1 (encoder)',
  generator: 'stage 2 (generator)',
  finetune: 'stage 3 (finetune)',
  mapper: 'mapper',
}

/** Where a run stands, for the errors below. */
export interface StepContext {
  readonly stage: string
  /** The step (mapper: epoch) that failed. */
  readonly step: number
  /** 'step', or 'epoch' for the mapper. */
  readonly unit?: string
  /** The step of the last checkpoint saved by this run or resumed from (null: none). */
  readonly lastGood: number | null
  /** The checkpoint's label (folder). */
  readonly where: string
}

function lastGoodText(c: StepContext): string {
  const unit = c.unit ?? 'step'
  return c.lastGood === null
    ? 'no checkpoint was saved yet'
    : `the last good checkpoint is ${unit} ${c.lastGood} (kept)`
}

/** Names of weighted sums of the other losses (reported only when no part is bad). */
const TOTALS = new Set(['loss', 'total'])

/**
 * The TrainingDivergedError of a step whose `losses` (logged name -> value) are not all finite,
 * or null when they are. `detail` says what happened to the weights.
 */
export function divergedLoss(
  losses: Readonly<Record<string, number>>,
  c: StepContext,
  detail: string,
): TrainingDivergedError | null {
  const keys = Object.keys(losses)
  const totals = keys.filter((k) => TOTALS.has(k))
  const parts = keys.filter((k) => !TOTALS.has(k))
  const bad = [...parts, ...totals].find((k) => !Number.isFinite(losses[k])) // the cause first
  if (bad === undefined) return null
  const all = Object.entries(losses)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')
  const unit = c.unit ?? 'step'
  return new TrainingDivergedError(
    `${STAGE_LABELS[c.stage] ?? c.stage}: loss '${bad}' became ${losses[bad]} at ${unit} ${c.step} (${all}); ${detail}; ${lastGoodText(c)}`,
    c.where,
    c.stage,
    c.step,
    bad,
    c.lastGood,
  )
}

/** The first tensor of `groups` holding a NaN or Inf, as 'group/name', or null. */
export async function nonFiniteWeight(
  groups: Readonly<Record<string, TensorGroup>>,
): Promise<string | null> {
  const named = Object.entries(groups).flatMap(([g, ts]) =>
    ts.filter((t) => t.tensor.dtype === 'float32').map((t) => ({ id: `${g}/${t.name}`, t })),
  )
  if (named.length === 0) return null
  const ok = tf.tidy(() => tf.stack(named.map(({ t }) => tf.all(tf.isFinite(t.tensor)))))
  const flags = await ok.data()
  ok.dispose()
  const i = flags.findIndex((f) => f === 0)
  return i < 0 ? null : (named[i]?.id ?? null)
}

/**
 * `io` whose save first checks every float weight: a non-finite one throws TrainingDivergedError
 * (naming the tensor) and nothing is written. `lastGood` reports the run's last good checkpoint.
 */
export function finiteWeightsIO(io: CheckpointIO, lastGood: () => number | null): CheckpointIO {
  return {
    ...io,
    save: async (draft, groups) => {
      const bad = await nonFiniteWeight(groups)
      if (bad !== null) {
        const c: StepContext = {
          stage: draft.stage,
          step: draft.step,
          unit: draft.stage === 'mapper' ? 'epoch' : 'step',
          lastGood: lastGood(),
          where: io.label,
        }
        throw new TrainingDivergedError(
          `${STAGE_LABELS[c.stage] ?? c.stage}: weights '${bad}' hold NaN or Inf at ${c.unit} ${c.step}; the checkpoint was not saved; ${lastGoodText(c)}`,
          c.where,
          c.stage,
          c.step,
          bad,
          c.lastGood,
        )
      }
      return io.save(draft, groups)
    },
  }
}

const OOM =
  /out of memory|\bOOM\b|failed to allocate|allocation failed|cannot allocate|cannot enlarge memory|memory\.grow|maximum memory|context lost|CONTEXT_LOST|GPUOutOfMemoryError|invalid typed array length|array buffer allocation/i

/** Whether `err` is a backend's allocation failure (tfjs cpu / wasm / webgl / webgpu wording). */
export function isOutOfMemory(err: unknown): boolean {
  return !(err instanceof TrainingDivergedError) && OOM.test(errorMessage(err))
}

/** `err` as an OutOfMemoryError naming the backend and half the batch, when it is one; else `err`. */
export function asOutOfMemory(err: unknown, c: StepContext, batchSize: number): unknown {
  if (!isOutOfMemory(err)) return err
  const backend = tf.getBackend()
  const half = Math.max(1, Math.floor(batchSize / 2))
  const hint =
    batchSize > 1
      ? `try batch size ${half} (it is ${batchSize})`
      : 'the batch is already 1: try a smaller image size or another backend'
  return new OutOfMemoryError(
    `${STAGE_LABELS[c.stage] ?? c.stage} ran out of memory at ${c.unit ?? 'step'} ${c.step} on the '${backend}' backend (${errorMessage(err)}); ${hint}; ${lastGoodText(c)}`,
    c.where,
    backend,
    batchSize,
    half,
    { cause: err },
  )
}
