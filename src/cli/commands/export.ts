/**
 * `step export`: copies a model checkpoint keeping only what inference needs (E, G, M and the
 * mean style code, the moving-average weights where the checkpoint has them), dropping
 * discriminator, optimiser and IMLE state — how examples/models/default was made.
 */
import { z } from 'zod'
import { StepError } from '../../core/errors.js'
import { prepareOutputDir } from '../../data/output-dir.node.js'
import {
  hasCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
} from '../../checkpoint/folder-store.node.js'
import { disposeModel, exportedModel, modelFromCheckpoint } from '../../inference/load.js'
import { backendFlag, parseOptions, pathFlag } from '../args.js'
import { say, type Command } from '../command.js'

import { initBackend } from '../../runtime/backend.js'

const usage = `step export --model CKPT --out DIR [--backend auto|wasm|webgpu|cpu]

Writes DIR: CKPT's inference weights only (style encoder, generator, mapper and mean style code;
moving averages where stored), with CKPT's manifest (stage, step, config, dataset, training).`

const schema = z.object({
  model: pathFlag,
  out: pathFlag,
  backend: backendFlag,
  help: z.boolean().optional(),
})

/** The command. */
export const exportCommand: Command = {
  name: 'export',
  summary: 'copy a model keeping only its inference weights (for shipping)',
  usage,
  async run(argv) {
    const o = parseOptions(
      argv,
      { model: { type: 'string' }, out: { type: 'string' }, backend: { type: 'string' } },
      schema,
    )
    if (o.help) return (say(usage), 0)
    if (await hasCheckpoint(o.out))
      throw new StepError(
        'checkpoint/exists',
        'already holds a checkpoint; choose another --out',
        o.out,
      )
    await initBackend({ prefer: o.backend })
    const loaded = await loadCheckpoint(o.model)
    const { manifest } = loaded
    const model = await modelFromCheckpoint(loaded, o.model)
    const exported = exportedModel(model, manifest, o.model)
    try {
      await prepareOutputDir(o.out, 'manifest.json')
      const saved = await saveCheckpoint(o.out, exported.draft, exported.groups)
      const bytes = Object.values(saved.weights).reduce((s, w) => s + w.bytes, 0)
      say(
        `exported ${Object.keys(saved.weights).join(', ')} (${(bytes / 2 ** 20).toFixed(2)} MiB) to ${o.out}`,
      )
      return 0
    } finally {
      exported.release()
      disposeModel(model)
    }
  },
}
