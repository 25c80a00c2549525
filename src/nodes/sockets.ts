/**
 * Socket types: what flows along a link, the run-time value each type carries, which outputs may
 * feed which inputs (and how the value is adapted), and how a value is summarised, sized and
 * released. Every tensor value is in the layout its comment gives; images are in [-1, 1].
 */
import type * as tf from '@tensorflow/tfjs'
import type { PairedDataset } from '../data/paired.js'
import type {
  GeneratorNet,
  StyleEncoderNet,
  StyleSamplerNet,
  TranslationModel,
} from '../models/translator.js'
import type { CheckpointManifest } from '../checkpoint/format.js'

/** Every socket type, in palette order. */
export const SOCKET_TYPES = [
  'Image',
  'ImageBatch',
  'StyleCode',
  'Noise',
  'Number',
  'Text',
  'Dataset',
  'Encoder',
  'Generator',
  'Mapper',
  'Model',
  'Checkpoint',
  'Metrics',
] as const
/** One of SOCKET_TYPES. */
export type SocketType = (typeof SOCKET_TYPES)[number]

/** An opened paired dataset and what the training nodes need to know about it. */
export interface DatasetHandle {
  readonly dataset: PairedDataset
  /** Where it lives (a folder path), for messages and cache keys. */
  readonly path: string
  /** Image side its pairs were written at, when known (synthetic sets), else null. */
  readonly size: number | null
}

/** A whole trained model and the side S it was trained at. */
export interface ModelHandle {
  /** A StEP model, or a baseline's through the same interface (docs/decisions/0025). */
  readonly model: TranslationModel
  readonly size: number
  /** Where it came from (folder path), for messages. */
  readonly source: string
  /** The manifest of the checkpoint it was loaded from. */
  readonly manifest: CheckpointManifest
}

/** A checkpoint folder written by a training node. */
export interface CheckpointHandle {
  readonly path: string
  readonly stage: string
  readonly step: number
}

/** The run-time value of each socket type. */
export interface SocketValues {
  /** [1, H, W, 3] in [-1, 1]. */
  Image: tf.Tensor4D
  /** [B, H, W, 3] in [-1, 1]. */
  ImageBatch: tf.Tensor4D
  /** Style codes z [B, zDim]. */
  StyleCode: tf.Tensor2D
  /** Gaussian noise e ~ N(0, I) [B, zDim], the mapper's input. */
  Noise: tf.Tensor2D
  Number: number
  Text: string
  Dataset: DatasetHandle
  /** Any family's networks (the common model interface, docs/decisions/0025). */
  Encoder: { readonly encoder: StyleEncoderNet; readonly size: number }
  Generator: { readonly generator: GeneratorNet; readonly size: number }
  Mapper: { readonly mapper: StyleSamplerNet }
  Model: ModelHandle
  Checkpoint: CheckpointHandle
  /** Flat JSON figures (an evaluation report). */
  Metrics: Readonly<Record<string, unknown>>
}

/** Output types an input of type `to` accepts besides its own (the value is adapted). */
const WIDENINGS: Partial<Record<SocketType, readonly SocketType[]>> = {
  ImageBatch: ['Image'],
  Encoder: ['Model'],
  Generator: ['Model'],
  Mapper: ['Model'],
  StyleCode: ['Noise'],
}

/** Whether an output of type `from` may feed an input of type `to`. */
export function canConnect(from: SocketType, to: SocketType): boolean {
  return from === to || (WIDENINGS[to]?.includes(from) ?? false)
}

/** The value an output of type `from` gives an input of type `to` (canConnect must hold). */
export function adaptValue(from: SocketType, to: SocketType, value: unknown): unknown {
  if (from === to || from !== 'Model') return value
  const m = value as ModelHandle
  if (to === 'Encoder') return { encoder: m.model.encoder, size: m.size }
  if (to === 'Generator') return { generator: m.model.generator, size: m.size }
  if (to === 'Mapper') {
    if (!m.model.mapper) throw new RangeError(`model ${m.source} has no mapper`)
    return { mapper: m.model.mapper }
  }
  return value
}

/** Whether `socket` is a known socket type name. */
export function isSocketType(socket: string): socket is SocketType {
  return (SOCKET_TYPES as readonly string[]).includes(socket)
}

/** Something a cached value holds that must be released: a tensor or a model's variables. */
export interface Releasable {
  dispose(): void
}

/** What a value of `type` owns (released when the cache lets the value go) and its bytes. */
export function valueResources(
  type: SocketType,
  value: unknown,
): { resources: Releasable[]; bytes: number } {
  switch (type) {
    case 'Image':
    case 'ImageBatch':
    case 'StyleCode':
    case 'Noise': {
      const t = value as tf.Tensor
      return { resources: [t], bytes: t.size * 4 }
    }
    case 'Model': {
      const m = (value as ModelHandle).model
      const parts: { params: { count(): number }; dispose(): void }[] = [m.encoder, m.generator]
      if (m.mapper) parts.push(m.mapper)
      return { resources: parts, bytes: parts.reduce((s, p) => s + 4 * p.params.count(), 0) }
    }
    case 'Encoder': {
      const e = (value as SocketValues['Encoder']).encoder
      return { resources: [e], bytes: 4 * e.params.count() }
    }
    case 'Generator': {
      const g = (value as SocketValues['Generator']).generator
      return { resources: [g], bytes: 4 * g.params.count() }
    }
    case 'Mapper': {
      const m = (value as SocketValues['Mapper']).mapper
      return { resources: [m], bytes: 4 * m.params.count() }
    }
    default:
      return { resources: [], bytes: 0 }
  }
}

/** Every tensor a value of `type` holds (a network's variables included), e.g. to move them. */
export function valueTensors(type: SocketType, value: unknown): tf.Tensor[] {
  switch (type) {
    case 'Image':
    case 'ImageBatch':
    case 'StyleCode':
    case 'Noise':
      return [value as tf.Tensor]
    case 'Model': {
      const m = (value as ModelHandle).model
      return [m.encoder, m.generator, ...(m.mapper ? [m.mapper] : [])].flatMap((n) =>
        n.params.list(),
      )
    }
    case 'Encoder':
      return (value as SocketValues['Encoder']).encoder.params.list()
    case 'Generator':
      return (value as SocketValues['Generator']).generator.params.list()
    case 'Mapper':
      return (value as SocketValues['Mapper']).mapper.params.list()
    default:
      return []
  }
}

/** A short description of a value for events and error messages ("Tensor [1, 64, 64, 3]"). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (typeof value === 'object' && 'shape' in value && Array.isArray(value.shape))
    return `tensor [${value.shape.join(', ')}]`
  if (typeof value === 'object' && 'path' in value) return `${String(value.path)}`
  if (typeof value === 'object' && 'source' in value) return `model ${String(value.source)}`
  if (typeof value === 'object') return 'object'
  const s = JSON.stringify(value)
  return s.length > 60 ? `${s.slice(0, 57)}...` : s
}
