/**
 * The checkpoint format shared by every stage: a folder holding manifest.json (config, step,
 * seed, dataset and extractor fingerprints, training options; checkpoint/manifest.ts) and one
 * tfjs weights file per group ('encoder', 'optimizer', later 'generator', ...) described by tfjs
 * weight-manifest entries and a SHA-256. This file is storage-agnostic; folder-store.node.ts reads
 * and writes folders on disk.
 */
import * as tf from '@tensorflow/tfjs'
import { InputError } from '../core/errors.js'
import {
  assembleCheckpoint,
  verifyWeightsFile,
  type CheckpointDraft,
  type CheckpointManifest,
  type WeightsEntry,
} from './manifest.js'
import type { LoadedCheckpoint } from './loaded.js'

export {
  STAGES,
  checkpointManifestSchema,
  parseManifest,
  verifyWeightsFile,
  type CheckpointDraft,
  type CheckpointManifest,
  type Stage,
  type WeightsEntry,
} from './manifest.js'

/** Named tensors of one group, in a stable order. */
export type TensorGroup = ReadonlyArray<{ readonly name: string; readonly tensor: tf.Tensor }>

/** Encodes one group to bytes + specs (tfjs weights format). */
export async function encodeGroup(
  group: TensorGroup,
): Promise<{ data: ArrayBuffer; specs: tf.io.WeightsManifestEntry[] }> {
  return tf.io.encodeWeights(group.map(({ name, tensor }) => ({ name, tensor })))
}

/**
 * The manifest and weight files (`<group>-<step>-<sha256 prefix>.bin` -> bytes) of a checkpoint:
 * what folder and in-memory stores both write.
 */
export async function encodeCheckpoint(
  draft: CheckpointDraft,
  groups: Record<string, TensorGroup>,
): Promise<{ manifest: CheckpointManifest; files: Map<string, ArrayBuffer> }> {
  const encoded: Record<string, { data: ArrayBuffer; specs: tf.io.WeightsManifestEntry[] }> = {}
  for (const [group, tensors] of Object.entries(groups)) encoded[group] = await encodeGroup(tensors)
  return assembleCheckpoint(draft, encoded)
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

/** Verifies a weights file against its manifest entry (checkpoint/manifest.ts), then decodes it. */
export async function decodeVerified(
  entry: WeightsEntry,
  data: ArrayBuffer,
  where: string,
  file = `${where}/${entry.file}`,
): Promise<{ name: string; tensor: tf.Tensor }[]> {
  await verifyWeightsFile(entry, data, where)
  return decodeGroup(data, entry.specs, file)
}

/** Where a run's checkpoint and loss log live (a folder on disk, IndexedDB in a browser). */
export interface CheckpointIO {
  /** Shown in errors (e.g. the folder path). */
  readonly label: string
  /** The checkpoint, or null when there is none yet. The caller disposes the tensors. */
  load(): Promise<LoadedCheckpoint | null>
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
