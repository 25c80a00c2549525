/**
 * `step train bicyclegan` and `step train munit`: the comparison's baselines
 * (docs/decisions/0025), trained on a paired folder (MUNIT draws A and B apart: unpaired) into a
 * checkpoint folder of the common format, usable by generate, sample, eval and the graph nodes.
 */
import { z } from 'zod'
import { folderStore } from '../../data/folder-store.node.js'
import { openPairedDataset } from '../../data/paired.js'
import {
  BICYCLEGAN_SMALL,
  MUNIT_SMALL,
  bicycleGanConfigSchema,
  munitConfigSchema,
  parseBaselineConfig,
} from '../../models/baselines/configs.js'
import { BICYCLEGAN, MUNIT } from '../../train/baselines/families.js'
import { trainBaseline, type BaselineFamily } from '../../train/baselines/trainer.js'
import { folderCheckpointIO } from '../../checkpoint/folder-store.node.js'
import { backendFlag, floatFlag, intFlag, parseOptions, pathFlag } from '../args.js'
import { say, type Command } from '../command.js'
import { createProgress } from '../progress.js'
import { prepareRunOutput, startBackend } from '../run-setup.js'
import { interruptSignal } from '../signals.js'

const schema = z.object({
  data: pathFlag,
  out: pathFlag,
  steps: intFlag(1, 10_000_000).default(2000),
  size: intFlag(16, 1024).default(64),
  batch: intFlag(1, 1024).default(8),
  lr: floatFlag(1e-7, 1).optional(),
  seed: intFlag(0, 0xffffffff).default(1),
  every: intFlag(1, 10_000_000).default(250),
  backend: backendFlag,
  resume: z.boolean().default(false),
  help: z.boolean().optional(),
})

const usageOf = (
  name: string,
  what: string,
  lr: string,
) => `step train ${name} --data DIR --out CKPT [--steps N] [--size S] [--batch B] [--lr X]
        [--seed K] [--every K] [--backend auto|wasm|webgpu|cpu] [--resume]

${what}
  --steps N   training steps (default 2000)    --size S   crop side (default 64)
  --batch B   pairs per step (default 8)       --seed K   seed (default 1)
  --lr X      Adam learning rate (default ${lr}; linear decay over the last 40%)
  --every K   checkpoint every K steps (default 250); Ctrl-C saves and stops
  --resume    continue the checkpoint in OUT (same data and settings)
Writes OUT/manifest.json, the weights (networks and optimisers) and OUT/loss.jsonl.`

function command<N, C, W, L extends Record<string, number>>(
  family: BaselineFamily<N, C, W, L>,
  config: C,
  schemaOf: z.ZodType,
  what: string,
): Command {
  const usage = usageOf(family.name, what, String(family.adam.lr))
  return {
    name: `train ${family.name}`,
    summary: `baseline: train ${family.name === 'munit' ? 'MUNIT (unpaired)' : 'BicycleGAN'} for the comparison`,
    usage,
    async run(argv) {
      const o = parseOptions(
        argv,
        {
          ...Object.fromEntries(
            ['data', 'out', 'steps', 'size', 'batch', 'lr', 'seed', 'every', 'backend'].map((k) => [
              k,
              { type: 'string' as const },
            ]),
          ),
          resume: { type: 'boolean' },
        },
        schema,
      )
      if (o.help) return (say(usage), 0)
      parseBaselineConfig(schemaOf, config, 'the built-in config')
      await prepareRunOutput(o.out, o.resume)
      await startBackend(o.backend)
      const dataset = await openPairedDataset(folderStore(o.data))
      for (const w of dataset.warnings) say(`note: ${w}`)
      const bar = createProgress(`train ${family.name}`, o.steps)
      const { signal, release } = interruptSignal()
      try {
        const result = await trainBaseline(family, {
          config,
          dataset,
          datasetFingerprint: await dataset.fingerprint('train'),
          size: o.size,
          steps: o.steps,
          seed: o.seed,
          io: folderCheckpointIO(o.out),
          batchSize: o.batch,
          ...(o.lr !== undefined ? { lr: o.lr } : {}),
          checkpointEvery: o.every,
          resume: o.resume,
          signal,
          onProgress: (p) => bar.update(p.step, `total ${(p.losses.total ?? NaN).toFixed(4)}`),
        })
        if (result.status === 'done') bar.finish()
        const l = result.losses
        const parts = l
          ? Object.entries(l)
              .map(([k, v]) => `${k} ${v.toPrecision(4)}`)
              .join(', ')
          : ''
        say(
          `${result.status === 'done' ? 'finished' : 'cancelled'} at step ${result.step}/${o.steps}${l ? ` (${parts})` : ''}; checkpoint in ${o.out}`,
        )
        family.dispose(result.nets)
        return result.status === 'done' ? 0 : 130
      } finally {
        release()
      }
    },
  }
}

/** `step train bicyclegan`. */
export const trainBicycleGanCommand = command(
  BICYCLEGAN,
  BICYCLEGAN_SMALL,
  bicycleGanConfigSchema,
  'BicycleGAN (cVAE-GAN + cLR-GAN) on the pairs of DIR with the small preset of StEP’s E, G and D:\nL1 10, KL 0.01, latent regression 0.5, two LSGAN discriminators; Adam betas (0.5, 0.999).',
)
/** `step train munit`. */
export const trainMunitCommand = command(
  MUNIT,
  MUNIT_SMALL,
  munitConfigSchema,
  'MUNIT on the A and B images of DIR drawn apart (unpaired): image reconstruction 10, style and\ncontent reconstruction 1, LSGAN per domain; Adam betas (0.5, 0.999).',
)
