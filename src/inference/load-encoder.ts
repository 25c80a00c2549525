/** Rebuilding a style encoder from a loaded checkpoint (any stage that stores an 'encoder' group). */
import { parseStepModelConfig } from '../models/configs.js'
import { createEncoder, type StyleEncoder } from '../models/encoder.js'
import { assignGroup, disposeLoaded, type LoadedCheckpoint } from '../checkpoint/loaded.js'

/** E with the checkpoint's weights; disposes the loaded tensors of every group. */
export function encoderFromCheckpoint(loaded: LoadedCheckpoint, where: string): StyleEncoder {
  try {
    const config = parseStepModelConfig(loaded.manifest.config, `${where}/manifest.json`)
    const encoder = createEncoder(config.encoder, loaded.manifest.seed)
    try {
      assignGroup(encoder.params, loaded, 'encoder', where)
    } catch (err) {
      encoder.dispose()
      throw err
    }
    return encoder
  } finally {
    disposeLoaded(loaded)
  }
}
