/**
 * Architecture configs of the two baselines (docs/decisions/0025) and the zod schemas that
 * validate a config read back from a checkpoint manifest.
 * BicycleGAN reuses StEP's three networks: its encoder is StEP's E with a head of 2 zDim outputs
 * (mean and log-variance), its generator StEP's G, and each of its two discriminators StEP's D.
 * MUNIT has one auto-encoder per domain (content encoder, style encoder, AdaIN decoder) and one
 * unconditional discriminator per domain.
 */
import { z } from 'zod'
import { InputError } from '../../core/errors.js'
import {
  SMALL,
  discriminatorConfigSchema,
  encoderConfigSchema,
  generatorConfigSchema,
} from '../configs.js'

const size = z.int().positive()

/** Schema of BicycleGAN's config. */
export const bicycleGanConfigSchema = z
  .strictObject({
    family: z.literal('bicyclegan'),
    /** Its encoder: StEP's E; the head has 2 zDim outputs (mean, log-variance). */
    encoder: encoderConfigSchema,
    generator: generatorConfigSchema,
    /** Both discriminators (cVAE-GAN's and cLR-GAN's) have this config. */
    discriminator: discriminatorConfigSchema,
  })
  .refine((c) => c.encoder.zDim === c.generator.zDim, {
    message: 'encoder.zDim must equal generator.zDim',
    path: ['encoder', 'zDim'],
  })

/** Schema of MUNIT's config (the same for both domains). */
export const munitConfigSchema = z.strictObject({
  family: z.literal('munit'),
  /** Style code size (paper 8). */
  zDim: size,
  /** First-layer channels of the content encoder w (paper 64); then 2w, 4w, ... */
  width: size,
  /** Stride-2 levels of the content encoder and upsampling levels of the decoder (paper 2). */
  downs: z.int().min(1).max(4),
  /** Residual blocks at the bottleneck, in the content encoder and in the decoder (paper 4). */
  resBlocks: z.int().min(1).max(8),
  /** First-layer channels of the style encoder (paper 64; then doubled twice, capped at 4x). */
  styleWidth: size,
  /** Hidden width of the MLP from the style code to the AdaIN parameters (paper 256). */
  mlpHidden: size,
  /** Both discriminators (unconditional: the condition channels are zero). */
  discriminator: discriminatorConfigSchema,
})

/** BicycleGAN's config. */
export type BicycleGanConfig = z.infer<typeof bicycleGanConfigSchema>
/** MUNIT's config. */
export type MunitConfig = z.infer<typeof munitConfigSchema>

/** CPU-sized BicycleGAN: StEP's small preset's E, G and D. */
export const BICYCLEGAN_SMALL: BicycleGanConfig = {
  family: 'bicyclegan',
  encoder: { ...SMALL.encoder, blocks: [...SMALL.encoder.blocks] },
  generator: { ...SMALL.generator },
  discriminator: { ...SMALL.discriminator },
}

/**
 * CPU-sized MUNIT whose two decoders together are near StEP's small G in parameters (the compare
 * command prints both counts).
 */
export const MUNIT_SMALL: MunitConfig = {
  family: 'munit',
  zDim: SMALL.generator.zDim,
  width: 8,
  downs: 2,
  resBlocks: 2,
  styleWidth: 8,
  mlpHidden: 32,
  discriminator: { ...SMALL.discriminator },
}

/** Validates an untrusted config (e.g. from a manifest); throws naming the fields. */
export function parseBaselineConfig<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: string,
): z.output<S> {
  const r = schema.safeParse(value)
  if (r.success) return r.data
  const lines = r.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`)
  throw new InputError('model/config-invalid', `invalid config:\n${lines.join('\n')}`, where)
}
