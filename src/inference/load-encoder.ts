/** Rebuilding a style encoder from a loaded checkpoint (any stage that stores an 'encoder' group). */
import * as tf from '@tensorflow/tfjs'
import { InputError } from '../core/errors.js'
import { parseStepModelConfig } from '../models/configs.js'
import { createEncoder, type StyleEncoder } from '../models/encoder.js'
import type { CheckpointManifest } from '../checkpoint/format.js'

/** E with the checkpoint's weights; disposes the loaded tensors of every group. */
export function encoderFromCheckpoint(
  loaded: {
    manifest: CheckpointManifest
    groups: Record<string, { name: string; tensor: tf.Tensor }[]>
  },
  where: string,
): StyleEncoder {
  try {
    const config = parseStepModelConfig(loaded.manifest.config, `${where}/manifest.json`)
    const group = loaded.groups.encoder
    if (!group) throw new InputError('checkpoint/no-encoder', 'holds no encoder weights', where)
    const encoder = createEncoder(config.encoder, loaded.manifest.seed)
    try {
      encoder.params.assign(Object.fromEntries(group.map((g) => [g.name, g.tensor])))
    } catch (err) {
      encoder.dispose()
      throw new InputError(
        'checkpoint/mismatch',
        `encoder weights do not fit its config (${err instanceof Error ? err.message : String(err)})`,
        where,
      )
    }
    return encoder
  } finally {
    for (const g of Object.values(loaded.groups)) tf.dispose(g.map((x) => x.tensor))
  }
}
