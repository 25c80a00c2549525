/**
 * A checkpoint <-> one safetensors file with PyTorch module names (src/models/torch-names.ts), the
 * exchange format of `step export --format safetensors` and `step import`. The file holds the
 * networks the checkpoint has, E, G, D and M (inference weights: the moving averages where
 * stored), 'mapper.mean_code', and string metadata: format 'step-graph', config (JSON), size,
 * stage, step, seed. No path goes into it.
 */
import * as tf from '@tensorflow/tfjs'
import { InputError, errorMessage } from '../core/errors.js'
import type { SafeTensor, SafetensorsFile } from '../core/safetensors.js'
import {
  PRESETS,
  parseStepModelConfig,
  type PresetName,
  type StepModelConfig,
} from '../models/configs.js'
import { createDiscriminator } from '../models/discriminator.js'
import { createEncoder } from '../models/encoder.js'
import { createGenerator } from '../models/generator.js'
import { createMapper } from '../models/mapper.js'
import type { Params } from '../models/params.js'
import { fromTorch, toTorch } from '../models/torch-names.js'
import type { CheckpointDraft, TensorGroup } from '../checkpoint/format.js'
import type { LoadedCheckpoint } from '../checkpoint/folder-store.node.js'

/** The twin's name of the mean style code (a buffer of its mapper). */
export const MEAN_CODE = 'mapper.mean_code'

/** Which checkpoint group gives each network in the file (first one present wins). */
const SOURCES = {
  encoder: ['ema_encoder', 'encoder'],
  generator: ['ema_generator', 'generator'],
  discriminator: ['discriminator'],
  mapper: ['mapper'],
} as const

/** The state dict and metadata of a loaded checkpoint; `nets` lists the networks written. */
export async function checkpointToTorch(loaded: LoadedCheckpoint): Promise<{
  tensors: Map<string, SafeTensor>
  metadata: Record<string, string>
  nets: string[]
}> {
  const tensors = new Map<string, SafeTensor>()
  const nets: string[] = []
  for (const [net, sources] of Object.entries(SOURCES)) {
    const group = sources.map((s) => loaded.groups[s]).find((g) => g !== undefined)
    if (!group) continue
    nets.push(net)
    for (const { name, tensor } of group) {
      const [key, t] = toTorch(name, {
        shape: tensor.shape,
        data: Float32Array.from(await tensor.data()),
      })
      tensors.set(key, t)
    }
  }
  const mean = loaded.groups.style?.find((t) => t.name === 'meanCode')?.tensor
  if (mean && nets.includes('mapper'))
    tensors.set(MEAN_CODE, { shape: mean.shape, data: Float32Array.from(await mean.data()) })
  const m = loaded.manifest
  const metadata = {
    format: 'step-graph',
    config: JSON.stringify(m.config),
    size: String(m.dataset.size),
    stage: m.stage,
    step: String(m.step),
    seed: String(m.seed),
  }
  return { tensors, metadata, nets }
}

/** Options of torchToCheckpoint: what to use when the file's metadata does not say. */
export interface ImportOptions {
  /** Preset whose config the file follows when its metadata has none. */
  readonly preset?: PresetName
  /** Image side the model works at when the metadata has none. */
  readonly size?: number
  /** Names the file in errors and in the manifest's dataset label (no folders: a base name). */
  readonly label: string
}

function metaInt(meta: Record<string, string>, key: string, where: string): number | undefined {
  const v = meta[key]
  if (v === undefined) return undefined
  if (!/^\d+$/.test(v))
    throw new InputError(
      'import/metadata',
      `metadata '${key}' must be an integer, got ${JSON.stringify(v)}`,
      where,
    )
  return Number(v)
}

function configOf(file: SafetensorsFile, o: ImportOptions, where: string): StepModelConfig {
  const text = file.metadata.config
  if (text !== undefined) {
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (err) {
      throw new InputError(
        'import/metadata',
        `metadata 'config' is not JSON (${errorMessage(err)})`,
        where,
      )
    }
    return parseStepModelConfig(json, `${where} metadata 'config'`)
  }
  if (!o.preset)
    throw new InputError(
      'import/metadata',
      "has no 'config' metadata; name the architecture with --config small|paper",
      where,
    )
  return PRESETS[o.preset]
}

/**
 * The checkpoint a safetensors file describes: every network it holds is built from the config
 * and takes the file's weights (each parameter present, each shape right, no name left over), and
 * its groups come back under our names. Disposes nothing the caller passes; the caller disposes
 * `release()` after saving.
 */
export function torchToCheckpoint(
  file: SafetensorsFile,
  o: ImportOptions,
): {
  draft: CheckpointDraft
  groups: Record<string, TensorGroup>
  nets: string[]
  release(): void
} {
  const where = o.label
  const config = configOf(file, o, where)
  const size = o.size ?? metaInt(file.metadata, 'size', where)
  if (size === undefined)
    throw new InputError(
      'import/metadata',
      "has no 'size' metadata; give the image side with --size",
      where,
    )
  const seed = metaInt(file.metadata, 'seed', where) ?? 0
  const byNet = new Map<string, Record<string, tf.Tensor>>()
  const owned: tf.Tensor[] = []
  const nets: { name: string; net: { params: Params; dispose(): void } }[] = []
  let meanCode: tf.Tensor | null = null
  try {
    for (const [key, t] of file.tensors) {
      if (key === MEAN_CODE) {
        meanCode = tf.tensor(t.data, [...t.shape])
        owned.push(meanCode)
        continue
      }
      const mapped = fromTorch(key, t)
      if (!mapped)
        throw new InputError(
          'import/unknown-tensor',
          `tensor '${key}' belongs to none of encoder, generator, discriminator, mapper`,
          where,
        )
      const [name, value] = mapped
      const prefix = name.split('/')[0] ?? ''
      const tensor = tf.tensor(value.data, [...value.shape])
      owned.push(tensor)
      byNet.set(prefix, { ...byNet.get(prefix), [name]: tensor })
    }
    const builders: Record<string, [string, () => { params: Params; dispose(): void }]> = {
      enc: ['encoder', () => createEncoder(config.encoder, seed)],
      gen: ['generator', () => createGenerator(config.generator, seed)],
      dis: ['discriminator', () => createDiscriminator(config.discriminator, seed)],
      map: ['mapper', () => createMapper(config.mapper, seed)],
    }
    const groups: Record<string, TensorGroup> = {}
    for (const [prefix, [name, build]] of Object.entries(builders)) {
      const values = byNet.get(prefix)
      if (!values) continue
      const net = build()
      nets.push({ name, net })
      const names = new Set(net.params.entries().map(([n]) => n))
      const extra = Object.keys(values).find((n) => !names.has(n))
      try {
        if (extra) throw new Error(`'${extra}' is not a parameter of the ${name} of this config`)
        net.params.assign(values)
      } catch (err) {
        throw new InputError(
          'import/mismatch',
          `${name} weights do not fit the config (${errorMessage(err)})`,
          where,
        )
      }
      groups[name] = net.params.entries().map(([n, tensor]) => ({ name: n, tensor }))
    }
    if (!groups.encoder && !groups.generator)
      throw new InputError('import/empty', 'holds neither encoder nor generator weights', where)
    if (groups.generator) groups.ema_generator = groups.generator
    if (meanCode && groups.mapper) {
      if (meanCode.size !== config.encoder.zDim)
        throw new InputError(
          'import/mismatch',
          `${MEAN_CODE} has ${meanCode.size} values, expected ${config.encoder.zDim}`,
          where,
        )
      groups.style = [{ name: 'meanCode', tensor: meanCode }]
    }
    const stage = groups.mapper ? 'mapper' : groups.generator ? 'generator' : 'encoder'
    const step = metaInt(file.metadata, 'step', where) ?? 0
    const draft: CheckpointDraft = {
      stage,
      step,
      steps: step,
      seed,
      config,
      dataset: { label: `imported from ${o.label}`, fingerprint: 'imported', size, count: 0 },
      extractor: null,
      training: { importedFrom: o.label },
    }
    return {
      draft,
      groups,
      nets: nets.map((n) => n.name),
      release: () => {
        for (const n of nets) n.net.dispose()
        tf.dispose(owned)
      },
    }
  } catch (err) {
    for (const n of nets) n.net.dispose()
    tf.dispose(owned)
    throw err
  }
}
