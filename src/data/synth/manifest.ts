/**
 * styles.json, the manifest a synthetic dataset folder carries: its types, and validation of a
 * source manifest (for restyling) with errors naming the file and the field.
 */
import { z } from 'zod'
import { InputError } from '../../core/errors.js'
import { STYLE_CLUSTER_COUNT, TEXTURE_KINDS, styleCluster, type SynthStyleParams } from './style.js'

/** A sample as listed in a dataset's styles.json. */
export interface SynthManifestSample {
  readonly name: string
  readonly sceneSeed: number
  readonly cluster: number
  readonly style: SynthStyleParams
}

/** styles.json of a synthetic dataset. */
export interface SynthDatasetManifest {
  readonly format: 'step-synth'
  readonly version: 1
  readonly seed: number
  readonly size: number
  readonly count: number
  readonly clusters: number
  readonly samples: readonly SynthManifestSample[]
}

/** A sample as listed in a restyle set's styles.json (`content`, `style`: source file names). */
export interface SynthRestyleManifestSample {
  readonly name: string
  readonly content: string
  readonly style: string
  readonly sceneSeed: number
  readonly cluster: number
  readonly styleParams: SynthStyleParams
}

/** styles.json of a restyle set (ground truth for style transfer). */
export interface SynthRestyleManifest {
  readonly format: 'step-synth-restyle'
  readonly version: 1
  readonly seed: number
  readonly size: number
  readonly count: number
  readonly clusters: number
  /** The source folder, as it was given. */
  readonly sourceDir: string
  readonly samples: readonly SynthRestyleManifestSample[]
}

/** Either kind of styles.json. */
export type SynthManifest = SynthDatasetManifest | SynthRestyleManifest

/** Formats this generator writes (a folder with one of them may be overwritten). */
export const SYNTH_FORMATS = ['step-synth', 'step-synth-restyle'] as const

/** File names of samples: five or six digits and '.png'. */
export const SAMPLE_NAME = /^\d{5,6}\.png$/

const unit = z.number().min(0).max(1)
const rgb = z.tuple([unit, unit, unit])
const seed = z.number().int().min(0).max(0xffffffff)

/** Schema of a style's parameters. */
export const synthStyleSchema = z.object({
  hue: unit,
  saturation: unit,
  lightness: unit,
  hueSpread: z.number().min(0).max(0.5),
  texture: z.enum(TEXTURE_KINDS),
  textureScale: z.number().min(0.005).max(1),
  textureAngle: z.number(),
  textureStrength: unit,
  lightAngle: z.number(),
  lightStrength: unit,
  daylight: unit,
  skyTop: rgb,
  skyHorizon: rgb,
  tint: rgb,
  tintStrength: unit,
  exposure: z.number().min(0).max(4),
})

/** Schema of a dataset's styles.json. */
export const synthDatasetSchema = z.object({
  format: z.literal('step-synth'),
  version: z.literal(1),
  seed,
  size: z.number().int().min(1),
  count: z.number().int().min(1),
  clusters: z.literal(STYLE_CLUSTER_COUNT),
  samples: z
    .array(
      z.object({
        name: z.string().regex(SAMPLE_NAME),
        sceneSeed: seed,
        cluster: z
          .number()
          .int()
          .min(0)
          .max(STYLE_CLUSTER_COUNT - 1),
        style: synthStyleSchema,
      }),
    )
    .min(2),
})

/** A zod issue path as `samples[3].style.hue`. */
function fieldName(path: readonly PropertyKey[]): string {
  let out = ''
  for (const key of path) {
    out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`
  }
  return out || '(top level)'
}

/** Validates the parsed JSON of a dataset's styles.json found at `file`. */
export function parseSynthDatasetManifest(json: unknown, file: string): SynthDatasetManifest {
  const parsed = synthDatasetSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const field = fieldName(issue?.path ?? [])
    throw new InputError('synth/manifest', `field ${field}: ${issue?.message ?? 'invalid'}`, file)
  }
  const m = parsed.data
  const bad = (field: string, message: string): InputError =>
    new InputError('synth/manifest', `field ${field}: ${message}`, file)
  if (m.count !== m.samples.length) {
    throw bad('count', `says ${m.count} but samples lists ${m.samples.length}`)
  }
  const names = new Set<string>()
  m.samples.forEach((s, i) => {
    if (names.has(s.name)) throw bad(`samples[${i}].name`, `duplicate name ${s.name}`)
    names.add(s.name)
    const expected = styleCluster(s.style)
    if (s.cluster !== expected) {
      throw bad(`samples[${i}].cluster`, `is ${s.cluster} but the style's cluster is ${expected}`)
    }
  })
  return m
}
