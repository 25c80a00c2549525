/**
 * `step train mapper`: encodes every training B with the (averaged) encoder of a stage-3 (or
 * stage-2) checkpoint and trains the mapper M by IMLE on those codes. The output folder is a whole
 * model: E and G (averaged weights) are stored with M and the mean style code.
 */
import { z } from 'zod'
import { createRng, deriveSeed } from '../../core/rng.js'
import { folderStore } from '../../data/node-store.js'
import { openPairedDataset } from '../../data/paired.js'
import { folderCheckpointIO, loadCheckpoint } from '../../train/checkpoint-node.js'
import { encodeAll } from '../../train/eval-encoder.js'
import { trainMapper } from '../../train/imle.js'
import { disposeModel, modelFromCheckpoint, modelGroupsOf } from '../../train/model-checkpoint.js'
import { StyleImages } from '../../train/style-images.js'
import { backendFlag, intFlag, parseOptions, pathFlag } from '../args.js'
import { say, type Command } from '../command.js'
import { prepareRunOutput, startBackend } from '../run-setup.js'
import { createProgress } from '../progress.js'
import { interruptSignal } from '../signals.js'

const usage = `step train mapper --data DIR --from CKPT3 --out CKPT4 [--epochs N] [--batch B]
        [--backend auto|wasm|webgpu|cpu] [--seed K] [--every K] [--max-codes N] [--resume]

Trains the mapper M (noise -> style code) by IMLE on the style codes E(B) of DIR's training pairs,
with E from CKPT3 (a 'train finetune' or 'train generator' checkpoint).
  --epochs N       epochs (default 500, the paper's)     --batch B   codes per step (default 64)
  --every K        checkpoint every K epochs (default 10); Ctrl-C saves and stops
  --seed K         seed (default 1)                      --resume    continue the run in OUT
  --max-codes N    encode at most N training images, a seeded subset (default 50000, the paper's cap)
OUT is a whole model (E, G, M, mean style code) for step generate / sample / interpolate / eval.`

const schema = z.object({
  data: pathFlag,
  from: pathFlag,
  out: pathFlag,
  epochs: intFlag(1, 1_000_000).default(500),
  batch: intFlag(1, 65536).default(64),
  backend: backendFlag,
  seed: intFlag(0, 0xffffffff).default(1),
  every: intFlag(1, 1_000_000).default(10),
  'max-codes': intFlag(2, 10_000_000).default(50_000),
  resume: z.boolean().default(false),
  help: z.boolean().optional(),
})

const flags = Object.fromEntries(
  ['data', 'from', 'out', 'epochs', 'batch', 'backend', 'seed', 'every', 'max-codes'].map((k) => [
    k,
    { type: 'string' as const },
  ]),
)

/** The command. */
export const trainMapperCommand: Command = {
  name: 'train mapper',
  summary: 'train the mapper (noise -> style) by IMLE; writes a whole model',
  usage,
  async run(argv) {
    const o = parseOptions(argv, { ...flags, resume: { type: 'boolean' } }, schema)
    if (o.help) return (say(usage), 0)
    await prepareRunOutput(o.out, o.resume)
    await startBackend(o.backend)
    const loaded = await loadCheckpoint(o.from)
    const size = loaded.manifest.dataset.size
    const model = await modelFromCheckpoint(loaded, o.from)
    const { signal, release } = interruptSignal()
    try {
      const dataset = await openPairedDataset(folderStore(o.data))
      for (const w of dataset.warnings) say(`note: ${w}`)
      const images = new StyleImages(dataset, 'train', size)
      const all = Array.from({ length: images.count }, (_, i) => i)
      const picked =
        images.count > o['max-codes']
          ? createRng(deriveSeed(o.seed, 'mapper-codes'))
              .shuffled(all)
              .slice(0, o['max-codes'])
              .sort((a, b) => a - b)
          : all
      say(`encoding ${picked.length} of ${images.count} training images of ${o.data} at ${size} px`)
      const codes = await encodeAll(model.encoder, images, 32, picked)
      const bar = createProgress('train mapper', o.epochs)
      const result = await trainMapper({
        codes,
        config: model.config,
        dataset: {
          label: dataset.label,
          fingerprint: await dataset.fingerprint('train'),
          size,
          count: images.count,
        },
        seed: o.seed,
        io: folderCheckpointIO(o.out),
        epochs: o.epochs,
        batchSize: o.batch,
        checkpointEvery: o.every,
        extraGroups: modelGroupsOf({ ...model, mapper: null }),
        resume: o.resume,
        signal,
        onProgress: (p) =>
          bar.update(p.epoch, `loss ${p.loss.toFixed(5)} imle ${p.imle.toFixed(5)}`),
      })
      if (result.status === 'done') bar.finish()
      say(
        `${result.status === 'done' ? 'finished' : 'cancelled'} at epoch ${result.epoch}/${o.epochs}, loss ${result.lastLoss?.toFixed(5) ?? 'n/a'}; model in ${o.out}`,
      )
      result.mapper.dispose()
      return result.status === 'done' ? 0 : 130
    } finally {
      release()
      disposeModel(model)
    }
  },
}
