/**
 * Architecture configs of the four StEP networks (docs/method.md), their presets and the zod
 * schema that validates a config read back from a checkpoint manifest.
 *
 * PAPER = the released code's defaults. SMALL = a preset that trains on 2 CPU cores at 64x64:
 * E width 12 (/5.3) with texture statistics (ADR 0008), G and D width 8 (/4), G residual blocks
 * 2 + 2 (of 4 + 4), M hidden 64 (/2).
 * Parameters: PAPER E 1.34 M, G 10.9 M, D 2.10 M, M 35 k; SMALL E 48 k, G 394 k, D 137 k, M 9.4 k.
 * Measured with wasm (1 thread, median of 5 after warm-up, machine shared with one busy process):
 * an E training step (3 forward passes of batch 12 at 64 px, backward, Adam) ~0.37 s; G forward +
 * backward at batch 8, 64 px ~0.6 s; G forward ~0.1 s. Keep G's width >= 8: pixel norm over 4
 * channels is numerically fragile (float32 gradients differ ~1% between backends).
 */
import { z } from 'zod'
import { InputError } from '../core/errors.js'

const size = z.int().positive()

/** Schema of the style encoder E's config. */
export const encoderConfigSchema = z.strictObject({
  /** Style code size (paper 8). */
  zDim: size,
  /** Channels of the stride-2 stem conv, w (paper 64). */
  width: size,
  /** Output channels of each residual basic block, in units of w (paper [2, 3, 4]). */
  blocks: z.array(size).min(1).max(6),
  /** Leaky ReLU slope (paper 0.2). */
  slope: z.number().min(0).max(1),
  /**
   * Texture statistics (not in the paper; ADR 0008): the log spatial variance of each channel of
   * block 1 before its pooling, concatenated to the pooled features that feed the head. Absent
   * (as in checkpoints written before it) means false.
   */
  textureStats: z.boolean().optional(),
})

/** Schema of the generator G's config. */
export const generatorConfigSchema = z.strictObject({
  /** Style code size (paper 8). */
  zDim: size,
  /** First-layer channels w (paper 32); down path 2w, 4w, 8w; up path 4w, 2w, w. */
  width: size,
  /** Residual blocks of the content encoder at the bottleneck (paper 4). */
  encoderResBlocks: z.int().min(0).max(16),
  /** Residual blocks of the decoder at the bottleneck, each fed z (paper 4). */
  decoderResBlocks: z.int().min(0).max(16),
})

/** Schema of the multi-scale discriminator D's config. */
export const discriminatorConfigSchema = z.strictObject({
  /** Channels of each scale's first conv, w (paper 32); then 2w, 4w, 8w, 1. */
  width: size,
  /** Number of PatchGAN scales, each at half the resolution of the previous (paper 3). */
  scales: z.int().min(1).max(5),
  /** Minibatch-stddev group size; the largest divisor of the batch not above it is used (4). */
  mbstdGroup: size,
  /** Leaky ReLU slope (paper 0.2). */
  slope: z.number().min(0).max(1),
})

/** Schema of the IMLE mapper M's config. */
export const mapperConfigSchema = z.strictObject({
  /** Noise and style code size (paper 8). */
  zDim: size,
  /** Hidden width (paper 128). */
  hidden: size,
  /** Number of tanh hidden layers (paper 3). */
  layers: z.int().min(1).max(8),
})

/** Style encoder E's config. */
export type EncoderConfig = z.infer<typeof encoderConfigSchema>
/** Generator G's config. */
export type GeneratorConfig = z.infer<typeof generatorConfigSchema>
/** Discriminator D's config. */
export type DiscriminatorConfig = z.infer<typeof discriminatorConfigSchema>
/** Mapper M's config. */
export type MapperConfig = z.infer<typeof mapperConfigSchema>

/** Name of a preset the bundle started from. */
export const PRESET_NAMES = ['paper', 'small'] as const
/** Name of a preset the bundle started from. */
export type PresetName = (typeof PRESET_NAMES)[number]

/** Schema of the bundle of all four networks' configs, with a shared z size. */
export const stepModelConfigSchema = z
  .strictObject({
    preset: z.enum(PRESET_NAMES),
    encoder: encoderConfigSchema,
    generator: generatorConfigSchema,
    discriminator: discriminatorConfigSchema,
    mapper: mapperConfigSchema,
  })
  .superRefine((c, ctx) => {
    for (const net of ['generator', 'mapper'] as const) {
      if (c[net].zDim !== c.encoder.zDim) {
        ctx.addIssue({
          code: 'custom',
          path: [net, 'zDim'],
          message: `${net}.zDim ${c[net].zDim} must equal encoder.zDim ${c.encoder.zDim}`,
        })
      }
    }
  })

/** The configs of E, G, D and M together (what a checkpoint manifest records). */
export type StepModelConfig = z.infer<typeof stepModelConfigSchema>

/** Paper defaults (the authors' released code). */
export const PAPER: StepModelConfig = deepFreeze({
  preset: 'paper',
  encoder: { zDim: 8, width: 64, blocks: [2, 3, 4], slope: 0.2 },
  generator: { zDim: 8, width: 32, encoderResBlocks: 4, decoderResBlocks: 4 },
  discriminator: { width: 32, scales: 3, mbstdGroup: 4, slope: 0.2 },
  mapper: { zDim: 8, hidden: 128, layers: 3 },
})

/** CPU-sized preset for 64x64 training on 2 cores (numbers in the file comment). */
export const SMALL: StepModelConfig = deepFreeze({
  preset: 'small',
  encoder: { zDim: 8, width: 12, blocks: [2, 3, 4], slope: 0.2, textureStats: true },
  generator: { zDim: 8, width: 8, encoderResBlocks: 2, decoderResBlocks: 2 },
  discriminator: { width: 8, scales: 3, mbstdGroup: 4, slope: 0.2 },
  mapper: { zDim: 8, hidden: 64, layers: 3 },
})

/** The presets by name. */
export const PRESETS: Readonly<Record<PresetName, StepModelConfig>> = { paper: PAPER, small: SMALL }

/** A fresh, mutable copy of a preset, optionally with some networks' fields overridden. */
export function stepModelConfig(
  preset: PresetName,
  overrides: {
    [K in Exclude<keyof StepModelConfig, 'preset'>]?: Partial<StepModelConfig[K]>
  } = {},
): StepModelConfig {
  const base = PRESETS[preset]
  return parseStepModelConfig({
    preset,
    encoder: { ...base.encoder, ...overrides.encoder },
    generator: { ...base.generator, ...overrides.generator },
    discriminator: { ...base.discriminator, ...overrides.discriminator },
    mapper: { ...base.mapper, ...overrides.mapper },
  })
}

/** Validates an untrusted config (e.g. from a manifest); throws a readable error naming fields. */
export function parseStepModelConfig(value: unknown, where = 'model config'): StepModelConfig {
  const r = stepModelConfigSchema.safeParse(value)
  if (r.success) return r.data
  const lines = r.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`)
  throw new InputError('model/config-invalid', `invalid config:\n${lines.join('\n')}`, where)
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}
