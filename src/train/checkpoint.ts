/**
 * The checkpoint format shared by every stage: a folder holding manifest.json (config, step,
 * seed, dataset and extractor fingerprints, training options) and one tfjs weights file per group
 * ('encoder', 'optimizer', later 'generator', ...) described by tfjs weight-manifest entries.
 * This file is storage-agnostic; checkpoint-node.ts reads and writes folders on disk.
 */
import * as tf from '@tensorflow/tfjs'
import { z } from 'zod'
import { InputError } from '../core/errors.js'

/** Training stages that write checkpoints. */
export const STAGES = ['encoder', 'generator', 'finetune', 'mapper'] as const
/** A training stage. */
export type Stage = (typeof STAGES)[number]

const weightSpec = z.object({
  name: z.string(),
  shape: z.array(z.number().int().min(0)),
  dtype: z.enum(['float32', 'int32', 'bool', 'string', 'complex64']),
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
  weights: z.record(
    z.string(),
    z.object({
      file: z.string().regex(/^[\w.-]+\.bin$/),
      bytes: z.number().int().min(0),
      specs: z.array(weightSpec),
    }),
  ),
})

/** manifest.json of a checkpoint. */
export type CheckpointManifest = z.infer<typeof checkpointManifestSchema>

/** A manifest before its weights are written (the writer fills `weights`). */
export type CheckpointDraft = Omit<
  CheckpointManifest,
  'weights' | 'format' | 'version' | 'createdAt'
>

/** Named tensors of one group, in a stable order. */
export type TensorGroup = ReadonlyArray<{ readonly name: string; readonly tensor: tf.Tensor }>

/** Encodes one group to bytes + specs (tfjs weights format). */
export async function encodeGroup(
  group: TensorGroup,
): Promise<{ data: ArrayBuffer; specs: tf.io.WeightsManifestEntry[] }> {
  return tf.io.encodeWeights(group.map(({ name, tensor }) => ({ name, tensor })))
}

/**
 * The manifest and weight files (`<group>-<step>.bin` -> bytes) of a checkpoint: what folder
 * and in-memory stores both write.
 */
export async function encodeCheckpoint(
  draft: CheckpointDraft,
  groups: Record<string, TensorGroup>,
): Promise<{ manifest: CheckpointManifest; files: Map<string, ArrayBuffer> }> {
  const files = new Map<string, ArrayBuffer>()
  const weights: CheckpointManifest['weights'] = {}
  for (const [group, tensors] of Object.entries(groups)) {
    const { data, specs } = await encodeGroup(tensors)
    const file = `${group}-${String(draft.step).padStart(7, '0')}.bin`
    files.set(file, data)
    weights[group] = {
      file,
      bytes: data.byteLength,
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

/** Decodes one group back into named tensors (order preserved). */
export function decodeGroup(
  data: ArrayBuffer,
  specs: tf.io.WeightsManifestEntry[],
  where: string,
): { name: string; tensor: tf.Tensor }[] {
  const expected = specs.reduce((s, e) => s + e.shape.reduce((a, b) => a * b, 1) * 4, 0)
  if (data.byteLength !== expected) {
    throw new InputError(
      'checkpoint/corrupt',
      `weights file has ${data.byteLength} bytes, its manifest describes ${expected}`,
      where,
    )
  }
  const map = tf.io.decodeWeights(data, specs)
  return specs.map((s) => ({ name: s.name, tensor: map[s.name] as tf.Tensor }))
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

/** Where a run's checkpoint and loss log live (a folder on disk, IndexedDB in a browser). */
export interface CheckpointIO {
  /** Shown in errors (e.g. the folder path). */
  readonly label: string
  /** The checkpoint, or null when there is none yet. The caller disposes the tensors. */
  load(): Promise<{
    manifest: CheckpointManifest
    groups: Record<string, { name: string; tensor: tf.Tensor }[]>
  } | null>
  save(draft: CheckpointDraft, groups: Record<string, TensorGroup>): Promise<CheckpointManifest>
  /** Whether a checkpoint is stored, without loading its weights (when the store can tell). */
  exists?(): Promise<boolean>
  /** Appends one record to the loss log. */
  log(record: object): Promise<void>
  /** Drops log records after `step` (when resuming). */
  truncateLog(step: number): Promise<void>
  /** Stores a PNG sample sheet made at `step` (optional: without it, no samples are kept). */
  writeSample?(step: number, png: Uint8Array): Promise<void>
}
