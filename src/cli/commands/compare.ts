/**
 * `step compare`: trains StEP (stages 1-3 and a sampling mapper), BicycleGAN and MUNIT on the same
 * data with the same generator image budget and writes one JSON table (train/baselines/compare.ts).
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { StepError } from '../../core/errors.js'
import { folderStore } from '../../data/folder-store.node.js'
import { openPairedDataset } from '../../data/paired.js'
import { writeSynthDataset } from '../../data/synth/write.node.js'
import { BICYCLEGAN_SMALL, MUNIT_SMALL } from '../../models/baselines/configs.js'
import { TINY_BICYCLEGAN, TINY_MUNIT } from '../../models/baselines/tiny.js'
import { stepModelConfig } from '../../models/configs.js'
import { compareModels } from '../../train/baselines/compare.js'
import { folderCheckpointIO } from '../../checkpoint/folder-store.node.js'
import { backendFlag, intFlag, parseOptions, pathFlag } from '../args.js'
import { say, type Command } from '../command.js'
import { startBackend } from '../run-setup.js'
import { interruptSignal } from '../signals.js'

const usage = `step compare --out DIR [--data DIR] [--quick] [--steps N] [--finetune-steps N]
        [--encoder-steps N] [--mapper-epochs N] [--batch B] [--size S] [--eval-count N]
        [--features resnet50|vgg16:PATH|random] [--seed K] [--backend auto|wasm|webgpu|cpu]

Trains StEP stage 2 (from a stage-1 encoder), stage 3, BicycleGAN and MUNIT on the training split
of DIR (pix2pix format) with the same generator image budget (steps x batch), evaluates each on
the validation pairs (PSNR, SSIM of G(A, E(B)), perceptual distance, diversity of prior samples)
and writes OUT/compare.json (also printed). Checkpoints go to OUT/<model>/.
  --quick            tiny networks at 16 px, a few steps, random features (a smoke run for CI);
                     without --data it writes a 16-sample synthetic set to OUT/data
  --steps N          generator steps of stage 2 and of each baseline (default 2000; quick 2)
  --finetune-steps N stage-3 steps after stage 2 (default steps / 2; quick 1)
  --encoder-steps N  stage-1 steps (default 1000; quick 2)
  --mapper-epochs N  epochs of StEP's sampling mapper (default 20; quick 1)
  --batch B          pairs per step (default 8; quick 2)        --size S   crop side (default 64)
  --eval-count N     evaluate at most N pairs (default 200; quick 4)
  --features F       perceptual features (default resnet50; quick random: TEST ONLY)`

const schema = z.object({
  out: pathFlag,
  data: z.string().min(1).optional(),
  quick: z.boolean().default(false),
  steps: intFlag(1, 10_000_000).optional(),
  'finetune-steps': intFlag(1, 10_000_000).optional(),
  'encoder-steps': intFlag(1, 10_000_000).optional(),
  'mapper-epochs': intFlag(1, 100_000).optional(),
  batch: intFlag(1, 1024).optional(),
  size: intFlag(16, 1024).optional(),
  'eval-count': intFlag(1, 1_000_000).optional(),
  features: z.string().min(1).optional(),
  seed: intFlag(0, 0xffffffff).default(1),
  backend: backendFlag,
  help: z.boolean().optional(),
})

const stringFlags = [
  'out',
  'data',
  'steps',
  'finetune-steps',
  'encoder-steps',
  'mapper-epochs',
  'batch',
  'size',
  'eval-count',
  'features',
  'seed',
  'backend',
]

/** The command. */
export const compareCommand: Command = {
  name: 'compare',
  summary: 'train StEP, BicycleGAN and MUNIT on the same data and write one comparison table',
  usage,
  async run(argv) {
    const o = parseOptions(
      argv,
      {
        ...Object.fromEntries(stringFlags.map((k) => [k, { type: 'string' as const }])),
        quick: { type: 'boolean' },
      },
      schema,
    )
    if (o.help) return (say(usage), 0)
    await mkdir(o.out, { recursive: true })
    const present = await readdir(o.out)
    if (present.some((f) => f !== 'data'))
      throw new StepError('compare/out-exists', 'is not empty; choose a new --out', o.out)
    const q = o.quick
    if (!o.data && !q)
      throw new StepError('compare/no-data', '--data DIR is required without --quick', 'compare')
    await startBackend(o.backend)
    let data = o.data
    if (!data) {
      data = join(o.out, 'data')
      await writeSynthDataset({ out: data, count: 16, size: 16, seed: o.seed })
    }
    const dataset = await openPairedDataset(folderStore(data), { valFraction: 0.25 })
    for (const w of dataset.warnings) say(`note: ${w}`)
    const steps = o.steps ?? (q ? 2 : 2000)
    const step = q
      ? stepModelConfig('small', {
          encoder: { width: 4, zDim: 2 },
          generator: { zDim: 2, width: 4, encoderResBlocks: 1, decoderResBlocks: 1 },
          discriminator: { width: 4, scales: 1 },
          mapper: { zDim: 2, hidden: 8 },
        })
      : stepModelConfig('small')
    const { signal, release } = interruptSignal()
    try {
      const table = await compareModels({
        dataset,
        ioFor: (name) => folderCheckpointIO(join(o.out, name)),
        step,
        bicyclegan: q ? TINY_BICYCLEGAN : BICYCLEGAN_SMALL,
        munit: q ? TINY_MUNIT : MUNIT_SMALL,
        size: o.size ?? (q ? 16 : 64),
        steps,
        finetuneSteps: o['finetune-steps'] ?? (q ? 1 : Math.max(1, Math.round(steps / 2))),
        encoderSteps: o['encoder-steps'] ?? (q ? 2 : 1000),
        mapperEpochs: o['mapper-epochs'] ?? (q ? 1 : 20),
        batch: o.batch ?? (q ? 2 : 8),
        features: o.features ?? (q ? 'random' : 'resnet50'),
        evalCount: o['eval-count'] ?? (q ? 4 : 200),
        seed: o.seed,
        signal,
        log: say,
      })
      const text = `${JSON.stringify(table, null, 2)}\n`
      await writeFile(join(o.out, 'compare.json'), text)
      say(text.trimEnd())
      return 0
    } finally {
      release()
    }
  },
}
