/**
 * `step train mapper`: encodes every training B with the (averaged) encoder of a stage-3 (or
 * stage-2) checkpoint and trains the mapper M by IMLE on those codes. The output folder is a whole
 * model: E and G (averaged weights) are stored with M and the mean style code.
 */
import { z } from 'zod'
import { folderStore } from '../../data/folder-store.node.js'
import { openPairedDataset } from '../../data/paired.js'
import { folderCheckpointIO, loadCheckpoint } from '../../checkpoint/folder-store.node.js'
import { disposeLoaded } from '../../checkpoint/loaded.js'
import { disposeModel } from '../../inference/load.js'
import { runMapperStage } from '../../train/stage-runs.js'
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
    const dataset = await openPairedDataset(folderStore(o.data)).catch((err: unknown) => {
      disposeLoaded(loaded)
      throw err
    })
    for (const w of dataset.warnings) say(`note: ${w}`)
    const bar = createProgress('train mapper', o.epochs)
    const { signal, release } = interruptSignal()
    try {
      const { result, model } = await runMapperStage({
        dataset,
        from: loaded,
        fromLabel: o.from,
        io: folderCheckpointIO(o.out),
        seed: o.seed,
        resume: o.resume,
        signal,
        log: say,
        epochs: o.epochs,
        batch: o.batch,
        every: o.every,
        maxCodes: o['max-codes'],
        onProgress: (p) =>
          bar.update(p.epoch, `loss ${p.loss.toFixed(5)} imle ${p.imle.toFixed(5)}`),
      })
      disposeModel(model)
      if (result.status === 'done') bar.finish()
      say(
        `${result.status === 'done' ? 'finished' : 'cancelled'} at epoch ${result.epoch}/${o.epochs}, loss ${result.lastLoss?.toFixed(5) ?? 'n/a'}; model in ${o.out}`,
      )
      return result.status === 'done' ? 0 : 130
    } finally {
      release()
    }
  },
}
