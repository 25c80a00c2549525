/**
 * The networks of stages 2 and 3 and their checkpoint groups: 'encoder', 'generator',
 * 'discriminator', 'ema_generator', 'ema_encoder' (stage 3 only; in stage 2 E is frozen, so its
 * average is E itself), 'optimizer_g' (G's variables, then E's in stage 3) and 'optimizer_d'.
 * `ganInitFromCheckpoint` turns a loaded stage-1 or stage-2 checkpoint into the starting networks
 * of the next stage.
 */
import { InputError } from '../../core/errors.js'
import { parseStepModelConfig, type StepModelConfig } from '../../models/configs.js'
import { createDiscriminator, type Discriminator } from '../../models/discriminator.js'
import { createEncoder, type StyleEncoder } from '../../models/encoder.js'
import { createGenerator, type Generator } from '../../models/generator.js'
import type { Params } from '../../models/params.js'
import type { TensorGroup } from '../../checkpoint/format.js'
import { assignGroup, disposeLoaded, type LoadedCheckpoint } from '../../checkpoint/loaded.js'

/** Starting networks of a run (each optional; see trainGenerator for what is required). */
export interface GanInit {
  readonly encoder?: StyleEncoder
  readonly generator?: Generator
  readonly discriminator?: Discriminator
  /** The averaged G to continue from (default: a copy of the generator). */
  readonly emaGenerator?: Generator
  /** The averaged E to continue from (stage 3; default: a copy of the encoder). */
  readonly emaEncoder?: StyleEncoder
}

/** Every network of a stage-2/3 run. In stage 2 `emaEncoder` is null: E is frozen. */
export interface GanModels {
  readonly encoder: StyleEncoder
  readonly generator: Generator
  readonly discriminator: Discriminator
  readonly emaGenerator: Generator
  readonly emaEncoder: StyleEncoder | null
}

/** The networks' parameters as checkpoint groups (optimiser groups are added by the trainer). */
export function modelGroups(m: GanModels): Record<string, TensorGroup> {
  const group = (p: Params): TensorGroup => p.entries().map(([name, tensor]) => ({ name, tensor }))
  return {
    encoder: group(m.encoder.params),
    generator: group(m.generator.params),
    discriminator: group(m.discriminator.params),
    ema_generator: group(m.emaGenerator.params),
    ...(m.emaEncoder ? { ema_encoder: group(m.emaEncoder.params) } : {}),
  }
}

/** Disposes every network once (shared objects are disposed once). */
export function disposeModels(m: Partial<GanModels> | GanInit): void {
  const seen = new Set<object>()
  for (const net of Object.values(m) as ({ dispose(): void } | null | undefined)[]) {
    if (!net || seen.has(net)) continue
    seen.add(net)
    net.dispose()
  }
}

/**
 * The starting networks for the stage after `loaded`'s: from a stage-1 checkpoint only E; from a
 * stage-2 or stage-3 checkpoint E, G, D and the averages. Disposes the loaded tensors; the caller
 * owns the returned networks (trainGenerator takes them over).
 */
export function ganInitFromCheckpoint(
  loaded: LoadedCheckpoint,
  where: string,
): { config: StepModelConfig; init: GanInit } {
  const built: Partial<Record<keyof GanInit, { dispose(): void }>> = {}
  try {
    const config = parseStepModelConfig(loaded.manifest.config, `${where}/manifest.json`)
    if (loaded.manifest.stage === 'mapper')
      throw new InputError('checkpoint/stage', "holds a 'mapper' checkpoint", where)
    const seed = loaded.manifest.seed
    const encoder = createEncoder(config.encoder, seed)
    built.encoder = encoder
    assignGroup(encoder.params, loaded, 'encoder', where)
    if (loaded.manifest.stage === 'encoder') return { config, init: { encoder } }
    const generator = createGenerator(config.generator, seed)
    built.generator = generator
    assignGroup(generator.params, loaded, 'generator', where)
    const discriminator = createDiscriminator(config.discriminator, seed)
    built.discriminator = discriminator
    assignGroup(discriminator.params, loaded, 'discriminator', where)
    const emaGenerator = createGenerator(config.generator, seed)
    built.emaGenerator = emaGenerator
    assignGroup(emaGenerator.params, loaded, 'ema_generator', where)
    let emaEncoder: StyleEncoder | undefined
    if (loaded.groups.ema_encoder) {
      emaEncoder = createEncoder(config.encoder, seed)
      built.emaEncoder = emaEncoder
      assignGroup(emaEncoder.params, loaded, 'ema_encoder', where)
    }
    return {
      config,
      init: {
        encoder,
        generator,
        discriminator,
        emaGenerator,
        ...(emaEncoder ? { emaEncoder } : {}),
      },
    }
  } catch (err) {
    for (const net of Object.values(built)) net.dispose()
    throw err
  } finally {
    disposeLoaded(loaded)
  }
}
