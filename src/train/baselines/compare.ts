/**
 * The paper's comparison (docs/decisions/0025): StEP stage 2, StEP stage 3, BicycleGAN and MUNIT
 * trained on the same training split with the same generator image budget (steps x batch; stage 3
 * continues stage 2 for `finetuneSteps` more), then evaluated by evaluateModel on the same pairs:
 * PSNR and SSIM of G(A, E(B)) (the encoded ground-truth style), the perceptual distance, the
 * diversity of samples from each model's prior (StEP: a mapper M trained on each stage's codes,
 * which keeps E and G as they are; the baselines: N(0, I)), training seconds and images seen.
 */
import type { PairedDataset } from '../../data/paired.js'
import type { BicycleGanConfig, MunitConfig } from '../../models/baselines/configs.js'
import type { StepModelConfig } from '../../models/configs.js'
import { loadFeatureExtractor } from '../../models/features/index.js'
import type { TranslationModel } from '../../models/translator.js'
import type { CheckpointIO } from '../../checkpoint/format.js'
import { evaluateModel } from '../eval/evaluate.js'
import { disposeModels } from '../gan/checkpoint.js'
import { runEncoderStage, runGanStage, runMapperStage } from '../stage-runs.js'
import { disposeModel } from '../../inference/load.js'
import { BICYCLEGAN, MUNIT } from './families.js'
import { anyModelFromCheckpoint, disposeAnyModel } from '../../inference/any-model.js'
import { trainBaseline } from './trainer.js'

/** Options of compareModels. */
export interface CompareOptions {
  /** Training pairs (its 'train' split) and evaluation pairs (its 'val' split, else 'train'). */
  readonly dataset: PairedDataset
  /** A checkpoint store per run name ('encoder', 'stage2', 'stage3', 'bicyclegan', 'munit'). */
  readonly ioFor: (name: string) => CheckpointIO
  readonly step: StepModelConfig
  readonly bicyclegan: BicycleGanConfig
  readonly munit: MunitConfig
  /** Crop side (a multiple of 16: MUNIT's style encoder halves it four times). */
  readonly size: number
  /** Generator steps of StEP stage 2 and of each baseline. */
  readonly steps: number
  /** Stage-3 steps after stage 2. */
  readonly finetuneSteps: number
  /** Epochs of the StEP mappers (sampling only: the evaluated E and G do not change). */
  readonly mapperEpochs: number
  /** StEP stage-1 steps (pre-training, reported apart). */
  readonly encoderSteps: number
  readonly batch: number
  /** Perceptual features of StEP's losses and of every model's evaluation. */
  readonly features: string
  /** Evaluate at most this many pairs. */
  readonly evalCount: number
  readonly seed: number
  readonly signal?: AbortSignal
  readonly log?: (line: string) => void
}

/** One model's row. */
export interface CompareRow {
  readonly model: 'step-stage2' | 'step-stage3' | 'bicyclegan' | 'munit'
  readonly psnr: number
  readonly ssim: number
  /** Mean perceptual distance of G(A, E(B)) vs B on `features` (not LPIPS). */
  readonly perceptual: number
  /** Mean pairwise perceptual distance of prior samples per A (null: no sampler). */
  readonly diversity: number | null
  /** Seconds of generator training (StEP stage 3: stage 2's plus its own). */
  readonly train_seconds: number
  /** Images through the generator in training (StEP stage 3: stage 2's plus its own). */
  readonly images_seen: number
  /** Images of StEP's stage-1 pre-training (0 for the baselines). */
  readonly pretraining_images: number
  /** Parameters of the inference networks (style encoder + generator). */
  readonly params: number
}

/** The table as `step compare` writes it. */
export interface CompareTable {
  readonly format: 'step-compare'
  readonly version: 1
  readonly settings: Readonly<Record<string, unknown>>
  readonly eval_pairs: number
  readonly rows: readonly CompareRow[]
}

/** Trains the four models and evaluates them; see the module comment. */
export async function compareModels(o: CompareOptions): Promise<CompareTable> {
  const log = o.log ?? (() => undefined)
  const signal = o.signal ? { signal: o.signal } : {}
  const base = { dataset: o.dataset, seed: o.seed, resume: false, ...signal, log }
  const fingerprint = await o.dataset.fingerprint('train')
  const timed = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
    const t0 = performance.now()
    const r = await f()
    return [r, (performance.now() - t0) / 1000]
  }
  const done = (status: string, what: string) => {
    if (status !== 'done') throw new Error(`compare: ${what} was cancelled`)
  }

  log(`StEP stage 1: ${o.encoderSteps} steps`)
  const s1 = await runEncoderStage({
    ...base,
    io: o.ioFor('encoder'),
    config: o.step,
    features: o.features,
    size: o.size,
    steps: o.encoderSteps,
    batch: o.batch,
    mining: 'exact',
    every: o.encoderSteps,
  })
  s1.encoder.dispose()
  done(s1.status, 'stage 1')
  const gan = { ...base, features: o.features, size: o.size, batch: o.batch, samples: 0 }
  const fromOf = async (name: string) => {
    const loaded = await o.ioFor(name).load()
    if (!loaded) throw new Error(`compare: no ${name} checkpoint`)
    return { from: loaded, fromLabel: o.ioFor(name).label }
  }
  log(`StEP stage 2: ${o.steps} steps`)
  const [s2, t2] = await timed(async () =>
    runGanStage({
      ...gan,
      stage: 'generator',
      ...(await fromOf('encoder')),
      io: o.ioFor('stage2'),
      steps: o.steps,
      every: o.steps,
    }),
  )
  disposeModels(s2.models)
  done(s2.status, 'stage 2')
  log(`StEP stage 3: ${o.finetuneSteps} steps`)
  const [s3, t3] = await timed(async () =>
    runGanStage({
      ...gan,
      stage: 'finetune',
      ...(await fromOf('stage2')),
      io: o.ioFor('stage3'),
      steps: o.finetuneSteps,
      every: o.finetuneSteps,
    }),
  )
  disposeModels(s3.models)
  done(s3.status, 'stage 3')
  for (const stage of ['stage2', 'stage3']) {
    log(`StEP mapper for ${stage}: ${o.mapperEpochs} epochs`)
    const m = await runMapperStage({
      ...base,
      ...(await fromOf(stage)),
      io: o.ioFor(`${stage}-mapper`),
      epochs: o.mapperEpochs,
      batch: 64,
      every: o.mapperEpochs,
      maxCodes: 4096,
    })
    disposeModel(m.model)
  }
  const baseline = {
    dataset: o.dataset,
    datasetFingerprint: fingerprint,
    size: o.size,
    steps: o.steps,
    seed: o.seed,
    batchSize: o.batch,
    checkpointEvery: o.steps,
    ...signal,
  }
  log(`BicycleGAN: ${o.steps} steps`)
  const [bg, tb] = await timed(() =>
    trainBaseline(BICYCLEGAN, { ...baseline, config: o.bicyclegan, io: o.ioFor('bicyclegan') }),
  )
  BICYCLEGAN.dispose(bg.nets)
  done(bg.status, 'BicycleGAN')
  log(`MUNIT: ${o.steps} steps`)
  const [mu, tm] = await timed(() =>
    trainBaseline(MUNIT, { ...baseline, config: o.munit, io: o.ioFor('munit') }),
  )
  MUNIT.dispose(mu.nets)
  done(mu.status, 'MUNIT')

  const val = o.dataset.split('val')
  const names = (val.length > 0 ? val : o.dataset.split('train')).slice(0, o.evalCount)
  const extractor = await loadFeatureExtractor(o.features)
  const budget = o.steps * o.batch
  const pre = o.encoderSteps * o.batch
  const runs: [CompareRow['model'], string, number, number, number][] = [
    ['step-stage2', 'stage2-mapper', t2, budget, pre],
    ['step-stage3', 'stage3-mapper', t2 + t3, budget + o.finetuneSteps * o.batch, pre],
    ['bicyclegan', 'bicyclegan', tb, budget, 0],
    ['munit', 'munit', tm, budget, 0],
  ]
  const rows: CompareRow[] = []
  try {
    for (const [model, name, seconds, images, pretraining] of runs) {
      log(`evaluating ${model} on ${names.length} pairs`)
      const loaded = await o.ioFor(name).load()
      if (!loaded) throw new Error(`compare: no ${name} checkpoint`)
      const m: TranslationModel = await anyModelFromCheckpoint(loaded, o.ioFor(name).label)
      try {
        const r = await evaluateModel({
          model: m,
          dataset: o.dataset,
          names,
          size: o.size,
          extractor,
          samples: 4,
          seed: o.seed,
          ...signal,
        })
        const perceptual = Number(Object.entries(r).find(([k]) => k.startsWith('percept_'))?.[1])
        rows.push({
          model,
          psnr: r.psnr,
          ssim: r.ssim,
          perceptual,
          diversity: r.diversity,
          train_seconds: Number(seconds.toFixed(2)),
          images_seen: images,
          pretraining_images: pretraining,
          params: m.encoder.params.count() + m.generator.params.count(),
        })
      } finally {
        disposeAnyModel(m)
      }
    }
  } finally {
    extractor.dispose()
  }
  return {
    format: 'step-compare',
    version: 1,
    settings: {
      size: o.size,
      steps: o.steps,
      finetuneSteps: o.finetuneSteps,
      encoderSteps: o.encoderSteps,
      mapperEpochs: o.mapperEpochs,
      batch: o.batch,
      features: o.features,
      seed: o.seed,
      data: o.dataset.label,
    },
    eval_pairs: names.length,
    rows,
  }
}
