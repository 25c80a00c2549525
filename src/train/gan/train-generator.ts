/**
 * Stages 2 and 3 (docs/method.md): generator training with E frozen (stage 'generator', z = E(B))
 * and joint fine-tuning (stage 'finetune': E trains with G at the same learning rate and the z
 * regulariser is active). Each step is one GanStep (gan/step.ts) on streamed random crops
 * (gan/data.ts); the learning rate follows lr-schedule.ts; averages of G (and of E in stage 3)
 * are kept (ema.ts) and are what sample sheets and inference use. Like stage 1 the run logs every
 * step, checkpoints every K steps, resumes exactly (every random draw derives from (seed, step)),
 * stops after the current step on abort and saves. The loss recipe (recipe.ts) and every weight
 * are recorded in the manifest's training settings, so a resume with other ones is refused, naming
 * them. The first step with a NaN/Inf loss stops the run (its update is not applied: GanStep) and
 * weights are checked before every save, so the last good checkpoint is never overwritten; an
 * allocation failure names the batch size to try (train-faults.ts).
 */
import type * as tf from '@tensorflow/tfjs'
import { yieldToEvents } from '../../core/yield.js'
import { deriveSeed } from '../../core/rng.js'
import type { CheckpointDraft } from '../../checkpoint/format.js'
import { GAN_LOSS_WEIGHTS, defaultPerceptualWeight } from './losses.js'
import type { GanLosses } from './gradients.js'
import { GanStep } from './step.js'
import { disposeModels, modelGroups, type GanModels } from './checkpoint.js'
import { PairBatches, pairTensors } from './data.js'
import { LR_DECAY_FRACTION, lrAt } from '../lr-schedule.js'
import { isRecipeName, RECIPE_OPTION, recipeWeights } from './recipe.js'
import { buildModels, checkOptions, checkStart, restoreRun, SampleWriter } from './setup.js'
import {
  asOutOfMemory,
  divergedLoss,
  finiteWeightsIO,
  forcedFailure,
  poisoned,
} from '../train-faults.js'

import type { Stage2Options } from './options.js'
export type { GanStage, Stage2Options, Stage2Progress } from './options.js'

/** How a run ended; the caller disposes `models` (disposeModels). */
export interface Stage2Result {
  readonly status: 'done' | 'cancelled'
  readonly step: number
  readonly losses: GanLosses | null
  readonly models: GanModels
}

/** The training settings a run records in its manifest (and resume compares), with defaults. */
export function trainingSettings(o: Stage2Options) {
  const recipe = o.recipe ?? RECIPE_OPTION.default
  return {
    batchSize: o.batchSize ?? 8,
    size: o.size,
    loadSize: o.loadSize ?? Math.round(o.size * 1.125),
    lr: o.lr ?? 1e-3,
    beta1: o.beta1 ?? 0,
    beta2: o.beta2 ?? 0.99,
    decayFraction: o.decayFraction ?? LR_DECAY_FRACTION,
    emaDecay: o.emaDecay ?? 0.999,
    recipe,
    weights: {
      ...GAN_LOSS_WEIGHTS,
      perceptual: defaultPerceptualWeight(o.extractor.id),
      ...(isRecipeName(recipe) ? recipeWeights(recipe) : {}),
      ...o.weights,
    },
  }
}

/** Runs stage 2 or 3; see the module comment. */
export async function trainGenerator(o: Stage2Options): Promise<Stage2Result> {
  const training = trainingSettings(o)
  try {
    checkOptions(o)
  } catch (err) {
    if (o.init) disposeModels(o.init) // the trainer owns them, also when it refuses to start
    throw err
  }
  const every = o.checkpointEvery ?? 1000
  const models = buildModels(o, training.emaDecay)
  let gan: GanStep | null = null
  try {
    const trainE = o.stage === 'finetune'
    gan = new GanStep(models.nets, o.extractor, {
      trainEncoder: trainE,
      adam: { lr: training.lr, beta1: training.beta1, beta2: training.beta2 },
      weights: training.weights,
      shards: o.shards ?? null,
    })
    const batches = new PairBatches(o.dataset, {
      batchSize: training.batchSize,
      size: o.size,
      loadSize: training.loadSize,
      seed: deriveSeed(o.seed, 'pairs'),
    })
    const restored = o.resume ? await restoreRun(o, models, gan, training) : null
    if (restored === null) checkStart(o)
    let step = restored ?? 0
    let saved: number | null = restored
    const io = finiteWeightsIO(o.io, () => saved)
    const draft = (at: number): CheckpointDraft => ({
      stage: o.stage,
      step: at,
      steps: o.steps,
      seed: o.seed,
      config: o.config,
      dataset: {
        label: o.dataset.label,
        fingerprint: o.datasetFingerprint,
        size: o.size,
        count: batches.count,
      },
      extractor: { id: o.extractor.id, fingerprint: o.extractor.fingerprint },
      training,
    })
    const optimisers = gan
    const save = (at: number) =>
      io.save(draft(at), {
        ...modelGroups(models.all),
        optimizer_g: optimisers.adamG.state(),
        optimizer_d: optimisers.adamD.state(),
      })
    const samples = await SampleWriter.create(o, models.all)

    let losses: GanLosses | null = null
    const t0 = performance.now()
    const startStep = step
    let next = step < o.steps ? batches.images(step) : null
    while (step < o.steps) {
      await yieldToEvents() // lets a cancel request arrive
      if (o.signal?.aborted) {
        if (step > (saved ?? 0)) await save(step)
        return { status: 'cancelled', step, losses, models: models.all }
      }
      const at = { stage: o.stage, step: step + 1, lastGood: saved, where: o.io.label }
      const lr = lrAt(step, o.steps, training.lr, training.decayFraction)
      let applied: boolean
      try {
        forcedFailure(o.faults, step + 1)
        const images = await (next ?? batches.images(step))
        next = step + 1 < o.steps ? batches.images(step + 1) : null
        next?.catch(() => undefined) // surfaced when awaited on the next iteration
        const batch = pairTensors(images)
        const hook = <T extends tf.Tensor>(name: string, t: T) =>
          poisoned(o.faults, at.step, name, t)
        try {
          ;({ losses, applied } = await gan.run(batch, lr, hook))
        } finally {
          batch.input.dispose()
          batch.output.dispose()
        }
      } catch (err) {
        throw asOutOfMemory(err, at, training.batchSize)
      }
      step += 1
      if (!applied) {
        const detail = 'the weights were not updated'
        throw divergedLoss({ ...losses }, at, detail) ?? new Error('GanStep: update not applied')
      }
      models.emaG.update(step)
      models.emaE?.update(step)
      const seconds = (performance.now() - t0) / 1000
      const imagesPerSecond = ((step - startStep) * training.batchSize) / seconds
      await o.io.log({
        step,
        ...losses,
        lr,
        imagesPerSecond: Number(imagesPerSecond.toFixed(2)),
        seconds: Number(seconds.toFixed(3)),
      })
      o.onProgress?.({
        stage: o.stage,
        step,
        steps: o.steps,
        losses,
        lr,
        imagesPerSecond,
        etaSeconds: ((o.steps - step) * seconds) / (step - startStep),
      })
      if (samples && (step % samples.every === 0 || step === o.steps)) await samples.write(step)
      if (step % every === 0 || step === o.steps) {
        await save(step)
        saved = step
      }
    }
    return { status: 'done', step, losses, models: models.all }
  } catch (err) {
    disposeModels(models.all)
    throw err
  } finally {
    gan?.dispose()
  }
}
