/**
 * manifest.json of a checkpoint (format 'step-checkpoint', version 1) and the integrity of the
 * weight files it lists: every file is named `<group>-<step>-<sha256 prefix>.bin` and its full
 * SHA-256 is recorded (`sha256`, optional: checkpoints written before checksums load unverified),
 * so a save never overwrites a file the current manifest refers to, and a load detects a file that
 * is truncated, swapped or corrupt. No tfjs here: the crash-safety test's child process imports
 * only this module and files.node.ts.
 */
import { z } from 'zod'
import { InputError } from '../core/errors.js'
import { sha256Hex } from '../core/sha256.js'

/** Training stages that write checkpoints. */
export const STAGES = ['encoder', 'generator', 'finetune', 'mapper', 'bicyclegan', 'munit'] as const
/** A training stage. */
export type Stage = (typeof STAGES)[number]

const weightSpec = z.object({
  name: z.string(),
  shape: z.array(z.number().int().min(0)),
  dtype: z.enum(['float32', 'int32', 'bool', 'string', 'complex64']),
})

/** One weights file of a manifest. */
const weightsEntry = z.object({
  file: z.string().regex(/^[\w.-]+\.bin$/),
  bytes: z.number().int().min(0),
  /** SHA-256 of the file, lowercase hex (absent in checkpoints written before checksums). */
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  specs: z.array(weightSpec),
})

/** Schema of manifest.json. */
export const checkpointManifestSchema = z.object({
  format: z.literal('step-checkpoint'),
  version: z.literal(1),
  stage: z.enum(STAGES),
  step: z.number().int().min(0),
  steps: z.number().int().min(0),
  seed: z.number().int().min(0),
  createdAt: z.string(),
  config: z.unknown(),
  dataset: z.object({
    label: z.string(),
    fingerprint: z.string(),
    size: z.number().int(),
    count: z.number().int(),
  }),
  extractor: z.object({ id: z.string(), fingerprint: z.string() }).nullable(),
  training: z.record(z.string(), z.unknown()),
  weights: z.record(z.string(), weightsEntry),
})

/** manifest.json of a checkpoint. */
export type CheckpointManifest = z.infer<typeof checkpointManifestSchema>
/** One entry of a manifest's `weights`. */
export type WeightsEntry = z.infer<typeof weightsEntry>

/** A manifest before its weights are written (the writer fills `weights`). */
export type CheckpointDraft = Omit<
  CheckpointManifest,
  'weights' | 'format' | 'version' | 'createdAt'
>

/** One encoded group: its bytes and tfjs weight specs. */
export interface EncodedGroup {
  readonly data: ArrayBuffer
  readonly specs: WeightsEntry['specs']
}

/** The manifest (with checksums) and the files (name -> bytes) of encoded groups. */
export async function assembleCheckpoint(
  draft: CheckpointDraft,
  groups: Record<string, EncodedGroup>,
): Promise<{ manifest: CheckpointManifest; files: Map<string, ArrayBuffer> }> {
  const files = new Map<string, ArrayBuffer>()
  const weights: CheckpointManifest['weights'] = {}
  for (const [group, { data, specs }] of Object.entries(groups)) {
    const sha256 = await sha256Hex(data)
    const file = `${group}-${String(draft.step).padStart(7, '0')}-${sha256.slice(0, 12)}.bin`
    files.set(file, data)
    weights[group] = {
      file,
      bytes: data.byteLength,
      sha256,
      specs: specs.map((s) => ({ name: s.name, shape: s.shape, dtype: s.dtype })),
    }
  }
  const manifest: CheckpointManifest = {
    format: 'step-checkpoint',
    version: 1,
    createdAt: new Date().toISOString(),
    ...draft,
    weights,
  }
  return { manifest, files }
}

/**
 * Checks a weights file against its manifest entry (size, then SHA-256 when recorded). `where`
 * names the checkpoint (folder, URL, bundle); the error names the file and both checksums.
 */
export async function verifyWeightsFile(
  entry: WeightsEntry,
  data: ArrayBuffer,
  where: string,
): Promise<void> {
  if (data.byteLength !== entry.bytes)
    throw new InputError(
      'checkpoint/corrupt',
      `weights file ${entry.file} has ${data.byteLength} bytes, its manifest says ${entry.bytes}; the checkpoint is damaged (restore it or train again from an earlier one)`,
      where,
    )
  if (entry.sha256 === undefined) return
  const actual = await sha256Hex(data)
  if (actual !== entry.sha256)
    throw new InputError(
      'checkpoint/checksum',
      `weights file ${entry.file} fails its checksum (manifest sha256 ${entry.sha256}, file sha256 ${actual}); the checkpoint is damaged (restore it or train again from an earlier one)`,
      where,
    )
}

/** Parses manifest.json text, with errors naming the file and field. */
export function parseManifest(text: string, where: string): CheckpointManifest {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new InputError(
      'checkpoint/corrupt',
      `not valid JSON (${err instanceof Error ? err.message : String(err)})`,
      where,
    )
  }
  const r = checkpointManifestSchema.safeParse(json)
  if (!r.success) {
    const issue = r.error.issues[0]
    throw new InputError(
      'checkpoint/invalid',
      `field ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
      where,
    )
  }
  return r.data
}
