/** `step export --format safetensors`: one .safetensors file with PyTorch module names. */
import { access, mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { InputError, errorMessage } from '../core/errors.js'
import { encodeSafetensors } from '../core/safetensors.js'
import { disposeLoaded } from '../checkpoint/loaded.js'
import { loadCheckpoint } from '../checkpoint/folder-store.node.js'
import { checkpointToTorch } from './safetensors-model.js'

/** Writes the networks of the checkpoint in `model` to the file `out` (never over a file). */
export async function exportSafetensors(
  model: string,
  out: string,
): Promise<{ nets: string[]; bytes: number }> {
  if (!out.endsWith('.safetensors'))
    throw new InputError(
      'output/extension',
      'a safetensors export is a file named *.safetensors',
      out,
    )
  const exists = await access(out).then(
    () => true,
    () => false,
  )
  if (exists) throw new InputError('output/exists', 'already exists; choose another --out', out)
  const loaded = await loadCheckpoint(model)
  try {
    const { tensors, metadata, nets } = await checkpointToTorch(loaded)
    const bytes = encodeSafetensors(tensors, metadata)
    try {
      await mkdir(dirname(out), { recursive: true })
      await writeFile(out, bytes, { flag: 'wx' })
    } catch (err) {
      throw new InputError('output/unwritable', `cannot write (${errorMessage(err)})`, out)
    }
    return { nets, bytes: bytes.length }
  } finally {
    disposeLoaded(loaded)
  }
}
