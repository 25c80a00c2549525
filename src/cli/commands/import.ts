/**
 * `step import`: a safetensors file with PyTorch module names (from `step export --format
 * safetensors`, the PyTorch twin, or a twin trained elsewhere) -> a model folder every command,
 * the API and the editor load.
 */
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { z } from 'zod'
import { InputError, StepError, errorMessage } from '../../core/errors.js'
import { decodeSafetensors } from '../../core/safetensors.js'
import { prepareOutputDir } from '../../data/output-dir.node.js'
import { PRESET_NAMES } from '../../models/configs.js'
import { initBackend } from '../../runtime/backend.js'
import { hasCheckpoint, saveCheckpoint } from '../../checkpoint/folder-store.node.js'
import { backendFlag, intFlag, parseOptions, pathFlag } from '../args.js'
import { say, type Command } from '../command.js'
import { torchToCheckpoint } from '../safetensors-model.js'

const usage = `step import FILE.safetensors --out DIR [--config small|paper] [--size N]
  [--backend auto|wasm|webgpu|cpu]

Writes DIR, a model folder, from a safetensors file whose tensors carry the PyTorch twin's names
(encoder.*, generator.*, discriminator.*, mapper.*, mapper.mean_code). The architecture and image
side come from the file's metadata ('config', 'size'); --config and --size give them for a file
without. Every parameter of each network present must be there with its shape.`

const schema = z.object({
  positionals: z.array(z.string()).length(1, 'expected one FILE.safetensors'),
  out: pathFlag,
  config: z.enum(PRESET_NAMES).optional(),
  size: intFlag(8, 4096).optional(),
  backend: backendFlag,
  help: z.boolean().optional(),
})

/** The command. */
export const importCommand: Command = {
  name: 'import',
  summary: 'make a model folder from a safetensors file (PyTorch names)',
  usage,
  async run(argv) {
    const o = parseOptions(
      argv,
      {
        out: { type: 'string' },
        config: { type: 'string' },
        size: { type: 'string' },
        backend: { type: 'string' },
      },
      schema,
      true,
    )
    if (o.help) return (say(usage), 0)
    const [file = ''] = o.positionals
    if (await hasCheckpoint(o.out))
      throw new StepError(
        'checkpoint/exists',
        'already holds a checkpoint; choose another --out',
        o.out,
      )
    let bytes: Uint8Array
    try {
      bytes = new Uint8Array(await readFile(file))
    } catch (err) {
      const missing = (err as { code?: string }).code === 'ENOENT'
      throw new InputError(
        'import/missing',
        missing ? 'file not found' : `cannot read (${errorMessage(err)})`,
        file,
      )
    }
    const parsed = decodeSafetensors(bytes, file)
    await initBackend({ prefer: o.backend })
    const made = torchToCheckpoint(parsed, {
      label: basename(file),
      ...(o.config ? { preset: o.config } : {}),
      ...(o.size ? { size: o.size } : {}),
    })
    try {
      await prepareOutputDir(o.out, 'manifest.json')
      await saveCheckpoint(o.out, made.draft, made.groups)
      say(
        `imported ${made.nets.join(', ')} (${made.draft.stage} stage, ${made.draft.dataset.size} px) to ${o.out}`,
      )
      return 0
    } finally {
      made.release()
    }
  },
}
