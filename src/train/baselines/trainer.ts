/**
 * The training loop of the baseline families (docs/decisions/0025), shaped like stages 2 and 3:
 * streamed random crops (gan-data.ts; two independent orderings for an unpaired family), the
 * lr schedule of lr-schedule.ts, Adam for the generator side and for the discriminators, a log
 * record and a progress report per step, a checkpoint every K steps in the common format (stage =
 * the family), exact resume (every random draw derives from (seed, step); the training settings
 * are compared with the checkpoint's, naming what differs), and a cancel checked before every step
 * that saves and stops. A step with a non-finite loss is not applied and stops the run.
 */
import * as tf from '@tensorflow/tfjs'
import { StepError, invalidArgument } from '../../core/errors.js'
import { deriveSeed } from '../../core/rng.js'
import { yieldToEvents } from '../../core/yield.js'
import { imagesToBatch } from '../../core/image/tensor.js'
import type { PairedDataset } from '../../data/paired.js'
import type { Params } from '../../models/params.js'
import { Adam } from '../adam.js'
import type { CheckpointDraft, CheckpointIO } from '../../checkpoint/format.js'
import { assignGroup, disposeLoaded } from '../../checkpoint/loaded.js'
import { PairBatches, type PairTensors } from '../gan/data.js'
import { LR_DECAY_FRACTION, lrAt } from '../lr-schedule.js'
import { settingDifferences } from '../../checkpoint/resume.js'
import { asOutOfMemory, divergedLoss, finiteWeightsIO } from '../train-faults.js'

/** What the loop needs to know of a family. */
export interface BaselineFamily<Nets, Config, Weights, Losses extends Record<string, number>> {
  /** The checkpoint stage and the family's name. */
  readonly name: 'bicyclegan' | 'munit'
  /** Whether A and B of a step belong together (BicycleGAN) or are drawn apart (MUNIT). */
  readonly paired: boolean
  /** The paper's optimiser settings. */
  readonly adam: { readonly lr: number; readonly beta1: number; readonly beta2: number }
  readonly weights: Weights
  /** Side multiple and minimum the networks accept. */
  sizeRule(config: Config): { multiple: number; min: number }
  build(config: Config, seed: number): Nets
  groups(nets: Nets): Record<string, Params>
  vars(nets: Nets): { g: tf.Variable[]; d: tf.Variable[] }
  gradients(
    nets: Nets,
    batch: PairTensors,
    weights: Weights,
    seed: number,
    step: number,
  ): Promise<{ losses: Losses; g: tf.Tensor[]; d: tf.Tensor[] }>
  dispose(nets: Nets): void
}

/** Progress after each step. */
export interface BaselineProgress<Losses> {
  readonly family: string
  readonly step: number
  readonly steps: number
  readonly losses: Losses
  readonly lr: number
  readonly imagesPerSecond: number
  readonly etaSeconds: number
}

/** Options of trainBaseline (defaults: the family's paper settings). */
export interface BaselineOptions<Config, Weights, Losses> {
  readonly config: Config
  readonly dataset: PairedDataset
  /** dataset.fingerprint('train'): resume checks it. */
  readonly datasetFingerprint: string
  /** Side of the random crops. */
  readonly size: number
  readonly loadSize?: number
  readonly steps: number
  readonly seed: number
  readonly io: CheckpointIO
  readonly batchSize?: number
  readonly lr?: number
  readonly beta1?: number
  readonly beta2?: number
  readonly decayFraction?: number
  readonly weights?: Partial<Weights>
  readonly checkpointEvery?: number
  readonly resume?: boolean
  readonly signal?: AbortSignal
  readonly onProgress?: (p: BaselineProgress<Losses>) => void
}

/** How a run ended; the caller disposes `nets` (family.dispose). */
export interface BaselineResult<Nets, Losses> {
  readonly status: 'done' | 'cancelled'
  readonly step: number
  readonly losses: Losses | null
  readonly nets: Nets
}

/** Trains a baseline family; see the module comment. */
export async function trainBaseline<Nets, Config, Weights, Losses extends Record<string, number>>(
  family: BaselineFamily<Nets, Config, Weights, Losses>,
  o: BaselineOptions<Config, Weights, Losses>,
): Promise<BaselineResult<Nets, Losses>> {
  const training = {
    batchSize: o.batchSize ?? 4,
    size: o.size,
    loadSize: o.loadSize ?? Math.round(o.size * 1.125),
    lr: o.lr ?? family.adam.lr,
    beta1: o.beta1 ?? family.adam.beta1,
    beta2: o.beta2 ?? family.adam.beta2,
    decayFraction: o.decayFraction ?? LR_DECAY_FRACTION,
    weights: { ...family.weights, ...o.weights },
  }
  checkOptions(family, o, training.batchSize)
  const every = o.checkpointEvery ?? 1000
  const nets = family.build(o.config, deriveSeed(o.seed, family.name))
  const vars = family.vars(nets)
  const adam = { beta1: training.beta1, beta2: training.beta2 }
  const adamG = new Adam(vars.g, { lr: training.lr, ...adam })
  const adamD = new Adam(vars.d, { lr: training.lr, ...adam })
  try {
    const batchOptions = (what: string) => ({
      batchSize: training.batchSize,
      size: o.size,
      loadSize: training.loadSize,
      seed: deriveSeed(o.seed, what),
    })
    const pairs = new PairBatches(o.dataset, batchOptions('pairs'))
    const others = family.paired ? null : new PairBatches(o.dataset, batchOptions('unpaired-b'))
    const restored = o.resume ? await restore(family, o, nets, adamG, adamD, training) : null
    let step = restored ?? 0
    let saved: number | null = restored
    const io = finiteWeightsIO(o.io, () => saved)
    const draft = (at: number): CheckpointDraft => ({
      stage: family.name,
      step: at,
      steps: o.steps,
      seed: o.seed,
      config: o.config,
      dataset: {
        label: o.dataset.label,
        fingerprint: o.datasetFingerprint,
        size: o.size,
        count: pairs.count,
      },
      extractor: null,
      training,
    })
    const save = (at: number) => {
      const groups = Object.fromEntries(
        Object.entries(family.groups(nets)).map(([k, p]) => [
          k,
          p.entries().map(([name, tensor]) => ({ name, tensor })),
        ]),
      )
      return io.save(draft(at), {
        ...groups,
        optimizer_g: adamG.state(),
        optimizer_d: adamD.state(),
      })
    }
    let losses: Losses | null = null
    const t0 = performance.now()
    const startStep = step
    while (step < o.steps) {
      await yieldToEvents() // lets a cancel request arrive
      if (o.signal?.aborted) {
        if (step > (saved ?? 0)) await save(step)
        return { status: 'cancelled', step, losses, nets }
      }
      const at = { stage: family.name, step: step + 1, lastGood: saved, where: o.io.label }
      const lr = lrAt(step, o.steps, training.lr, training.decayFraction)
      let grads: { losses: Losses; g: tf.Tensor[]; d: tf.Tensor[] }
      try {
        const [ins, outs] = await pairs.images(step)
        const bImages = others ? (await others.images(step))[1] : outs
        const batch = { input: imagesToBatch(ins), output: imagesToBatch(bImages) }
        try {
          grads = await family.gradients(nets, batch, training.weights, o.seed, step)
        } finally {
          batch.input.dispose()
          batch.output.dispose()
        }
      } catch (err) {
        throw asOutOfMemory(err, at, training.batchSize)
      }
      try {
        losses = grads.losses
        const bad = divergedLoss(losses, at, 'the weights were not updated')
        if (bad) throw bad
        adamG.config.lr = lr
        adamD.config.lr = lr
        adamG.apply(grads.g)
        adamD.apply(grads.d)
      } finally {
        tf.dispose([...grads.g, ...grads.d])
      }
      step += 1
      const seconds = (performance.now() - t0) / 1000
      const imagesPerSecond = ((step - startStep) * training.batchSize) / seconds
      await o.io.log({ step, ...losses, lr, seconds: Number(seconds.toFixed(3)) })
      o.onProgress?.({
        family: family.name,
        step,
        steps: o.steps,
        losses,
        lr,
        imagesPerSecond,
        etaSeconds: ((o.steps - step) * seconds) / (step - startStep),
      })
      if (step % every === 0 || step === o.steps) {
        await save(step)
        saved = step
      }
    }
    return { status: 'done', step, losses, nets }
  } catch (err) {
    family.dispose(nets)
    throw err
  } finally {
    adamG.dispose()
    adamD.dispose()
  }
}

function checkOptions<N, C, W, L extends Record<string, number>>(
  family: BaselineFamily<N, C, W, L>,
  o: BaselineOptions<C, W, L>,
  batchSize: number,
): void {
  const int = (name: string, v: number | undefined, min: number): void => {
    if (v !== undefined && !(Number.isInteger(v) && v >= min))
      throw invalidArgument(name, v, `an integer >= ${min}`)
  }
  int('steps', o.steps, 0)
  int('batchSize', batchSize, 1)
  int('checkpointEvery', o.checkpointEvery, 1)
  const { multiple, min } = family.sizeRule(o.config)
  if (!(Number.isInteger(o.size) && o.size >= min && o.size % multiple === 0))
    throw invalidArgument(
      'size',
      o.size,
      `a multiple of ${multiple}, at least ${min} for this config`,
    )
}

/** Restores the run's own checkpoint; its step, or null when there is none. */
async function restore<Nets, C, W, L extends Record<string, number>>(
  family: BaselineFamily<Nets, C, W, L>,
  o: BaselineOptions<C, W, L>,
  nets: Nets,
  adamG: Adam,
  adamD: Adam,
  training: Record<string, unknown>,
): Promise<number | null> {
  const loaded = await o.io.load()
  if (!loaded) return null
  try {
    const m = loaded.manifest
    const where = o.io.label
    if (m.stage !== family.name)
      throw new StepError(
        'checkpoint/stage',
        `holds a '${m.stage}' checkpoint, not '${family.name}'`,
        where,
      )
    if (m.dataset.fingerprint !== o.datasetFingerprint)
      throw new StepError(
        'checkpoint/dataset',
        'was trained on a different dataset (fingerprints differ); use a new --out',
        where,
      )
    const differences = settingDifferences(
      { config: m.config, steps: m.steps, ...m.training },
      { config: o.config, steps: o.steps, ...training },
    )
    if (differences.length > 0)
      throw new StepError(
        'checkpoint/training',
        `was trained with other settings: ${differences.join(', ')}; resume with the same options (or use a new --out)`,
        where,
      )
    for (const [name, params] of Object.entries(family.groups(nets)))
      assignGroup(params, loaded, name, where)
    await adamG.load(loaded.groups.optimizer_g ?? [])
    await adamD.load(loaded.groups.optimizer_d ?? [])
    await o.io.truncateLog(m.step)
    return m.step
  } finally {
    disposeLoaded(loaded)
  }
}
