/**
 * The inference model (model.ts StepModel) from a checkpoint of stage 2, 3 or the mapper
 * stage. Inference uses the moving averages: E = 'ema_encoder' when stored (stage 3) else
 * 'encoder'; G = 'ema_generator' when stored else 'generator' (a mapper checkpoint stores the
 * averaged weights under the plain names); M and the mean style code only in mapper checkpoints.
 */
import * as tf from '@tensorflow/tfjs'
import { InputError } from '../core/errors.js'
import { parseStepModelConfig } from '../models/configs.js'
import { createEncoder } from '../models/encoder.js'
import { createGenerator } from '../models/generator.js'
import { createMapper } from '../models/mapper.js'
import type { CheckpointDraft, CheckpointManifest, TensorGroup } from '../checkpoint/format.js'
import { assignGroup, disposeLoaded, type LoadedCheckpoint } from '../checkpoint/loaded.js'
import type { StepModel } from './model.js'
import type { TranslationModel } from '../models/translator.js'

/** Builds the model; disposes the loaded tensors. The caller disposes the model (disposeModel). */
export async function modelFromCheckpoint(
  loaded: LoadedCheckpoint,
  where: string,
): Promise<StepModel> {
  const built: { dispose(): void }[] = []
  try {
    const { stage, seed } = loaded.manifest
    if (stage === 'encoder')
      throw new InputError(
        'checkpoint/stage',
        "holds a stage-1 encoder only; generating needs a checkpoint of 'train generator' or later",
        where,
      )
    const config = parseStepModelConfig(loaded.manifest.config, `${where}/manifest.json`)
    const encoder = createEncoder(config.encoder, seed)
    built.push(encoder)
    assignGroup(
      encoder.params,
      loaded,
      loaded.groups.ema_encoder ? 'ema_encoder' : 'encoder',
      where,
    )
    const generator = createGenerator(config.generator, seed)
    built.push(generator)
    const g = loaded.groups.ema_generator ? 'ema_generator' : 'generator'
    assignGroup(generator.params, loaded, g, where)
    let mapper = null
    let meanCode: Float32Array | null = null
    if (loaded.groups.mapper) {
      mapper = createMapper(config.mapper, seed)
      built.push(mapper)
      assignGroup(mapper.params, loaded, 'mapper', where)
      const mean = loaded.groups.style?.find((t) => t.name === 'meanCode')?.tensor
      if (mean) {
        if (mean.size !== config.encoder.zDim)
          throw new InputError(
            'checkpoint/mismatch',
            `style/meanCode has ${mean.size} values, expected ${config.encoder.zDim}`,
            where,
          )
        meanCode = Float32Array.from(await mean.data())
      }
    }
    return { config, encoder, generator, mapper, meanCode }
  } catch (err) {
    for (const net of built) net.dispose()
    throw err
  } finally {
    disposeLoaded(loaded)
  }
}

/** Frees every network of a model. */
export function disposeModel(model: TranslationModel): void {
  model.encoder.dispose()
  model.generator.dispose()
  model.mapper?.dispose()
}

/** The model's weights as checkpoint groups under the plain names (for a bundle). */
export function modelGroupsOf(
  model: StepModel,
): Record<string, { name: string; tensor: tf.Tensor }[]> {
  const group = (p: { entries(): [string, tf.Tensor][] }) =>
    p.entries().map(([name, tensor]) => ({ name, tensor }))
  return {
    encoder: group(model.encoder.params),
    generator: group(model.generator.params),
    ...(model.mapper ? { mapper: group(model.mapper.params) } : {}),
  }
}

/**
 * What an exported model stores: the networks under the plain names plus the mean style code,
 * and the manifest draft of `manifest` (the checkpoint it came from) marked as exported from
 * `source`. `release` frees the mean-code tensor made here.
 */
export function exportedModel(
  model: StepModel,
  manifest: CheckpointManifest,
  source: string,
): { draft: CheckpointDraft; groups: Record<string, TensorGroup>; release(): void } {
  const mean = model.meanCode ? tf.tensor1d(model.meanCode) : null
  return {
    draft: {
      stage: manifest.stage,
      step: manifest.step,
      steps: manifest.steps,
      seed: manifest.seed,
      config: manifest.config,
      dataset: manifest.dataset,
      extractor: manifest.extractor,
      training: { ...manifest.training, exportedFrom: source },
    },
    groups: {
      ...modelGroupsOf(model),
      ...(mean ? { style: [{ name: 'meanCode', tensor: mean }] } : {}),
    },
    release: () => mean?.dispose(),
  }
}
