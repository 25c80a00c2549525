/**
 * Setting up a stage-2/3 run (gan/train-generator.ts): the networks from the caller's starting networks or the
 * config, their moving averages, restoring the run's own checkpoint on resume, and the periodic
 * sample sheets (columns of fixed validation pairs; rows A, B, G(A, E(B)) with the averaged
 * weights).
 */
import * as tf from '@tensorflow/tfjs'
import { InputError, StepError, invalidArgument } from '../../core/errors.js'
import type { RgbImage } from '../../core/image/types.js'
import { deriveSeed } from '../../core/rng.js'
import { createDiscriminator, discriminatorMinSize } from '../../models/discriminator.js'
import { createEncoder, encoderMinSize, type StyleEncoder } from '../../models/encoder.js'
import { createGenerator, GENERATOR_SIZE_MULTIPLE } from '../../models/generator.js'
import type { CheckpointIO } from '../../checkpoint/format.js'
import { Ema } from './ema.js'
import { assignGroup, disposeLoaded } from '../../checkpoint/loaded.js'
import { checkResume, sameConfig, settingDifferences } from '../../checkpoint/resume.js'
import type { GanModels } from './checkpoint.js'
import { pairTensors, samplePairs, sampleSheet } from './data.js'
import type { GanNetworks } from './gradients.js'
import type { GanStep } from './step.js'
import { checkRecipe, withRecipeDefaults } from './recipe.js'
import type { Stage2Options } from './options.js'

/** The networks of a run and the averages that follow them. */
export interface RunModels {
  readonly nets: GanNetworks
  readonly all: GanModels
  readonly emaG: Ema
  /** Null in stage 2 (E frozen). */
  readonly emaE: Ema | null
}

/** Checks the numeric options and the recipe before anything is built. */
export function checkOptions(o: Stage2Options): void {
  const int = (name: string, v: number | undefined, min: number): void => {
    if (v !== undefined && !(Number.isInteger(v) && v >= min))
      throw invalidArgument(name, v, `an integer >= ${min}`)
  }
  int('steps', o.steps, 0)
  int('batchSize', o.batchSize, 1)
  int('checkpointEvery', o.checkpointEvery, 1)
  int('sampleEvery', o.sampleEvery, 0)
  int('sampleCount', o.sampleCount, 1)
  const min = Math.max(
    GENERATOR_SIZE_MULTIPLE,
    discriminatorMinSize(o.config.discriminator),
    encoderMinSize(o.config.encoder),
  )
  if (!(Number.isInteger(o.size) && o.size >= min && o.size % GENERATOR_SIZE_MULTIPLE === 0))
    throw invalidArgument(
      'size',
      o.size,
      `a multiple of ${GENERATOR_SIZE_MULTIPLE}, at least ${min} for this config`,
    )
  if (o.loadSize !== undefined && !(Number.isInteger(o.loadSize) && o.loadSize >= o.size))
    throw invalidArgument('loadSize', o.loadSize, `an integer >= size (${o.size})`)
  checkRecipe(o.recipe, o.weights ?? {}, 'weights.')
}

/** Builds (or takes over) every network; see Stage2Options.init. */
export function buildModels(o: Stage2Options, emaDecay: number): RunModels {
  const init = o.init ?? {}
  const c = o.config
  const owned: { dispose(): void }[] = [
    init.encoder,
    init.generator,
    init.discriminator,
    init.emaGenerator,
    init.emaEncoder,
  ].filter((n) => n !== undefined)
  try {
    for (const [name, net, want] of [
      ['encoder', init.encoder, c.encoder],
      ['generator', init.generator, c.generator],
      ['discriminator', init.discriminator, c.discriminator],
      ['emaGenerator', init.emaGenerator, c.generator],
      ['emaEncoder', init.emaEncoder, c.encoder],
    ] as const) {
      if (net && !sameConfig(net.config, want))
        throw new InputError('train/config-mismatch', `does not match the run's config`, name)
    }
    const own = <T extends { dispose(): void }>(net: T): T => (owned.push(net), net)
    const encoder = init.encoder ?? own(createEncoder(c.encoder, deriveSeed(o.seed, 'encoder')))
    const generator =
      init.generator ?? own(createGenerator(c.generator, deriveSeed(o.seed, 'generator')))
    const discriminator =
      init.discriminator ??
      own(createDiscriminator(c.discriminator, deriveSeed(o.seed, 'discriminator')))
    const emaGenerator = init.emaGenerator ?? own(createGenerator(c.generator))
    const emaG = new Ema(generator.params, emaGenerator.params, emaDecay)
    if (!init.emaGenerator) emaG.reset()
    let emaEncoder: StyleEncoder | null = null
    let emaE: Ema | null = null
    if (o.stage === 'finetune') {
      emaEncoder = init.emaEncoder ?? own(createEncoder(c.encoder))
      emaE = new Ema(encoder.params, emaEncoder.params, emaDecay)
      if (!init.emaEncoder) emaE.reset()
    } else {
      init.emaEncoder?.dispose() // E is frozen in stage 2: its average is E itself
    }
    const all: GanModels = { encoder, generator, discriminator, emaGenerator, emaEncoder }
    return { nets: { encoder, generator, discriminator }, all, emaG, emaE }
  } catch (err) {
    for (const net of new Set(owned)) net.dispose()
    throw err
  }
}

/** Throws when a fresh (not resumed) run lacks the starting networks its stage needs. */
export function checkStart(o: Stage2Options): void {
  const need =
    o.stage === 'generator' ? (['encoder'] as const) : (['encoder', 'generator'] as const)
  for (const name of need) {
    if (!o.init?.[name]) {
      const from = o.stage === 'generator' ? 'a stage-1 encoder' : 'the stage-2 weights'
      throw new InputError(
        'train/no-start',
        `stage '${o.stage}' starts from ${from}: pass init.${name} (or resume this run)`,
        o.io.label,
      )
    }
  }
}

/** Restores the run's own checkpoint into `models` and `gan`; its step, or null when none. */
export async function restoreRun(
  o: Stage2Options,
  models: RunModels,
  gan: GanStep,
  training: Record<string, unknown>,
): Promise<number | null> {
  const loaded = await o.io.load()
  if (!loaded) return null
  try {
    const m = loaded.manifest
    const where = o.io.label
    checkResume(
      m,
      {
        stage: o.stage,
        stageName: `'${o.stage}'`,
        datasetFingerprint: o.datasetFingerprint,
        config: o.config,
      },
      where,
    )
    if (m.extractor?.fingerprint !== o.extractor.fingerprint)
      throw new StepError(
        'checkpoint/features',
        `was trained with other perceptual features (${m.extractor?.id ?? 'none'}); resume with the same --features and --percept-taps`,
        where,
      )
    const saved = { steps: m.steps, ...withRecipeDefaults(m.training) }
    const differences = settingDifferences(saved, { steps: o.steps, ...training })
    if (differences.length > 0)
      throw new StepError(
        'checkpoint/training',
        `was trained with other settings: ${differences.join(', ')}; resume with the same options (or use a new --out)`,
        where,
      )
    const { encoder, generator, discriminator, emaGenerator, emaEncoder } = models.all
    assignGroup(encoder.params, loaded, 'encoder', where)
    assignGroup(generator.params, loaded, 'generator', where)
    assignGroup(discriminator.params, loaded, 'discriminator', where)
    assignGroup(emaGenerator.params, loaded, 'ema_generator', where)
    if (emaEncoder) assignGroup(emaEncoder.params, loaded, 'ema_encoder', where)
    await gan.adamG.load(loaded.groups.optimizer_g ?? [])
    await gan.adamD.load(loaded.groups.optimizer_d ?? [])
    await o.io.truncateLog(m.step)
    return m.step
  } finally {
    disposeLoaded(loaded)
  }
}

/** Writes sample sheets through io.writeSample. */
export class SampleWriter {
  private constructor(
    private readonly io: CheckpointIO,
    private readonly models: GanModels,
    private readonly pairs: [RgbImage[], RgbImage[]],
    readonly every: number,
  ) {}

  /** A writer, or null when sheets are off (sampleEvery 0 or an io without writeSample). */
  static async create(o: Stage2Options, models: GanModels): Promise<SampleWriter | null> {
    const every = o.sampleEvery ?? 0
    if (!(every > 0) || !o.io.writeSample) return null
    const pairs = await samplePairs(o.dataset, o.sampleCount ?? 4, o.size)
    return new SampleWriter(o.io, models, pairs, every)
  }

  /** Renders the sheet with the averaged weights and stores it as the sample of `step`. */
  async write(step: number): Promise<void> {
    const { input, output } = pairTensors(this.pairs)
    const { emaGenerator, emaEncoder, encoder } = this.models
    const fake = tf.tidy(() => emaGenerator.apply(input, (emaEncoder ?? encoder).apply(output)))
    try {
      await this.io.writeSample?.(step, await sampleSheet(this.pairs[0], this.pairs[1], fake))
    } finally {
      tf.dispose([input, output, fake])
    }
  }
}
