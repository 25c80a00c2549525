/**
 * A checkpoint in memory: its one shape once loaded (every store returns it), assigning a group to
 * a network, disposing it.
 */
import * as tf from '@tensorflow/tfjs'
import { InputError } from '../core/errors.js'
import type { Params } from '../models/params.js'
import type { CheckpointManifest } from './manifest.js'

/** A loaded checkpoint: its manifest and every weights group. The caller disposes the tensors. */
export interface LoadedCheckpoint {
  readonly manifest: CheckpointManifest
  readonly groups: Record<string, { name: string; tensor: tf.Tensor }[]>
}

/** Assigns group `name` of `loaded` to `params`; errors name the checkpoint and the group. */
export function assignGroup(params: Params, loaded: LoadedCheckpoint, name: string, where: string) {
  const group = loaded.groups[name]
  if (!group) throw new InputError('checkpoint/missing-group', `holds no '${name}' weights`, where)
  try {
    params.assign(Object.fromEntries(group.map((g) => [g.name, g.tensor])))
  } catch (err) {
    throw new InputError(
      'checkpoint/mismatch',
      `'${name}' weights do not fit the model config (${err instanceof Error ? err.message : String(err)})`,
      where,
    )
  }
}

/** Disposes every tensor of a loaded checkpoint. */
export function disposeLoaded(loaded: LoadedCheckpoint): void {
  for (const g of Object.values(loaded.groups)) tf.dispose(g.map((x) => x.tensor))
}
