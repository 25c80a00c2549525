/**
 * Any family's model from its checkpoint (docs/decisions/0025): a StEP checkpoint through
 * modelFromCheckpoint, a 'bicyclegan' one as (E's mean, G, the N(0, I) prior), a 'munit' one as
 * (domain B's style encoder, domain A's content encoder + domain B's decoder, the N(0, I) prior).
 */
import { vaeEncoder } from '../models/baselines/bicyclegan.js'
import {
  bicycleGanConfigSchema,
  munitConfigSchema,
  parseBaselineConfig,
} from '../models/baselines/configs.js'
import { createMunitDomain, munitGenerator, munitStyleEncoder } from '../models/baselines/munit.js'
import { createEncoder } from '../models/encoder.js'
import { createGenerator } from '../models/generator.js'
import { gaussianPrior, type TranslationModel } from '../models/translator.js'
import { assignGroup, disposeLoaded, type LoadedCheckpoint } from '../checkpoint/loaded.js'
import type { StepModel } from './model.js'
import { modelFromCheckpoint } from './load.js'

/** Whether `model` is a StEP model (it has StEP's config; a baseline's has not). */
export function isStepModel(model: TranslationModel): model is StepModel {
  return 'config' in model
}

/** The model of any family's checkpoint; disposes the loaded tensors. */
export async function anyModelFromCheckpoint(
  loaded: LoadedCheckpoint,
  where: string,
): Promise<TranslationModel> {
  const { stage } = loaded.manifest
  if (stage !== 'bicyclegan' && stage !== 'munit') return modelFromCheckpoint(loaded, where)
  const built: { dispose(): void }[] = []
  try {
    const config = loaded.manifest.config
    const file = `${where}/manifest.json`
    if (stage === 'bicyclegan') {
      const c = parseBaselineConfig(bicycleGanConfigSchema, config, file)
      const zDim = c.generator.zDim
      const net = createEncoder({ ...c.encoder, zDim: 2 * zDim })
      built.push(net)
      assignGroup(net.params, loaded, 'encoder', where)
      const generator = createGenerator(c.generator)
      built.push(generator)
      assignGroup(generator.params, loaded, 'generator', where)
      return {
        encoder: vaeEncoder(net, zDim),
        generator,
        mapper: gaussianPrior(zDim),
        meanCode: null,
      }
    }
    const c = parseBaselineConfig(munitConfigSchema, config, file)
    const a = createMunitDomain(c, 0, 'munit_a')
    built.push(a)
    assignGroup(a.params, loaded, 'domain_a', where)
    const b = createMunitDomain(c, 0, 'munit_b')
    built.push(b)
    assignGroup(b.params, loaded, 'domain_b', where)
    const nets = { config: c, a, b } // inference needs no discriminators
    return {
      encoder: munitStyleEncoder(nets),
      generator: munitGenerator(nets),
      mapper: gaussianPrior(c.zDim),
      meanCode: null,
    }
  } catch (err) {
    for (const net of built) net.dispose()
    throw err
  } finally {
    disposeLoaded(loaded)
  }
}

/** Frees every network of a model of any family. */
export function disposeAnyModel(model: TranslationModel): void {
  const nets = new Set([model.encoder, model.generator, model.mapper])
  for (const net of nets) net?.dispose()
}
