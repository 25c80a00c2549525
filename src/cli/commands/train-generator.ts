/**
 * `step train generator` (stage 2: G and D trained with E frozen) and `step train finetune`
 * (stage 3: E, G and D together). Both start from the previous stage's checkpoint folder and write
 * a checkpoint folder of the same format (manifest.json + weights + loss.jsonl + samples/).
 */
import { z } from 'zod'
import { folderStore } from '../../data/folder-store.node.js'
import { openPairedDataset } from '../../data/paired.js'
import { folderCheckpointIO, loadCheckpoint } from '../../checkpoint/folder-store.node.js'
import { disposeLoaded } from '../../checkpoint/loaded.js'
import { disposeModels } from '../../train/gan/checkpoint.js'
import type { GanLosses } from '../../train/gan/gradients.js'
import type { GanStage } from '../../train/gan/train-generator.js'
import {
  RECIPE_NAMES,
  RECIPE_OPTION,
  RECIPE_TERMS,
  termHelp,
  type RecipeTerm,
  type RecipeWeights,
} from '../../train/gan/recipe.js'
import { runGanStage } from '../../train/stage-runs.js'
import { backendFlag, floatFlag, intFlag, parseOptions, pathFlag } from '../args.js'
import { say, type Command } from '../command.js'
import { chooseParallel, PARALLEL_HELP, parallelFlag } from '../data-parallel.js'
import { prepareRunOutput, startBackend } from '../run-setup.js'
import { createProgress } from '../progress.js'
import { interruptSignal } from '../signals.js'

const common = `[--steps N] [--size S] [--batch B] [--lr X] [--features resnet50|vgg16:PATH|random] [--percept-taps N] [--percept-weight X]
        [--recipe ${RECIPE_NAMES.join('|')}] ${RECIPE_TERMS.map((t) => `[--${t.name} X]`).join(' ')}
        [--backend auto|wasm|webgpu|cpu] [--parallel auto|batch|kernels] [--seed K] [--every K] [--samples K] [--resume]`

/** `  --flag ARG` padded to the help column, then the help text wrapped at 100 columns. */
function helpLine(flag: string, text: string): string {
  const lines: string[] = []
  let line = `  ${flag.padEnd(17)}`
  for (const word of text.split(' ')) {
    if (line.length + word.length > 100 && line.trim() !== flag) {
      lines.push(line.trimEnd())
      line = ' '.repeat(19)
    }
    line += `${word} `
  }
  return [...lines, line.trimEnd()].join('\n')
}

const recipeHelp = [
  helpLine(`--recipe R`, `${RECIPE_OPTION.help} (default ${RECIPE_OPTION.default})`),
  ...RECIPE_TERMS.map((t) => helpLine(`--${t.name} X`, termHelp(t))),
].join('\n')

const details = `  --steps N        training steps (default 2000)         --size S    crop side (default 64)
  --batch B        pairs per step (default 8)            --seed K    seed (default 1)
  --lr X           Adam learning rate (default 0.001; linear decay over the last 40%)
  --features F     perceptual-loss features: resnet50 (default), vgg16:PATH, random (TEST ONLY)
  --percept-taps N resnet50 only: use its first N of 4 taps (cheaper: the trunk stops earlier)
  --percept-weight X  weight of the perceptual loss (default 40 for resnet50, else the paper's
                   0.02, which is calibrated for VGG-16's activation scale; docs/decisions/0007)
${recipeHelp}
${helpLine('--parallel P', PARALLEL_HELP)}
  --every K        checkpoint every K steps (default 250); Ctrl-C saves and stops
  --samples K      write a sample sheet (rows A, B, G(A, E(B))) every K steps (default 250, 0 = off)
  --resume         continue the checkpoint in OUT (same data and config)`

const stage2Usage = `step train generator --data DIR --encoder CKPT --out CKPT2 ${common}

Stage 2: trains the generator G and the discriminator D on the pairs of DIR (pix2pix format), with
the stage-1 style encoder E of CKPT frozen: LSGAN (3 scales) + perceptual loss (weight 40 with
resnet50 features, the paper's 0.02 with vgg16; docs/decisions/0007). CKPT may also be a stage-2
checkpoint: G and D then continue from it (E still frozen) under this run's steps, lr and recipe.
${details}
Writes OUT/manifest.json, weights (E, G, D, their moving averages, optimisers), OUT/loss.jsonl and
OUT/samples/step-NNNNNN.png.`

const stage3Usage = `step train finetune --data DIR --from CKPT2 --out CKPT3 ${common}

Stage 3: fine-tunes E, G and D together from a stage-2 checkpoint (same losses + 0.01 mean(z^2)).
${details}`

const optionalWeight = (max: number) => floatFlag(0, max).optional()

const base = {
  data: pathFlag,
  out: pathFlag,
  steps: intFlag(1, 10_000_000).default(2000),
  size: intFlag(16, 1024).default(64),
  batch: intFlag(1, 1024).default(8),
  lr: floatFlag(1e-7, 1).optional(),
  features: z.string().default('resnet50'),
  'percept-taps': intFlag(1, 4).optional(),
  'percept-weight': floatFlag(0, 1e6).optional(),
  recipe: z
    .enum(RECIPE_NAMES, { error: `expected one of ${RECIPE_NAMES.join(', ')}` })
    .default(RECIPE_OPTION.default),
  ...(Object.fromEntries(RECIPE_TERMS.map((t) => [t.name, optionalWeight(t.max)])) as {
    [K in RecipeTerm]: ReturnType<typeof optionalWeight>
  }),
  backend: backendFlag,
  parallel: parallelFlag,
  seed: intFlag(0, 0xffffffff).default(1),
  every: intFlag(1, 10_000_000).default(250),
  samples: intFlag(0, 10_000_000).default(250),
  resume: z.boolean().default(false),
  help: z.boolean().optional(),
}

const stringFlags = [
  'data',
  'out',
  'steps',
  'size',
  'batch',
  'lr',
  'features',
  'percept-taps',
  'percept-weight',
  'recipe',
  ...RECIPE_TERMS.map((t) => t.name),
  'backend',
  'parallel',
  'seed',
  'every',
  'samples',
]

/** Parses the arguments of `step train generator` / `finetune`; UsageError names a bad flag. */
export function parseTrainGanArgs(stage: GanStage, argv: string[]) {
  const fromFlag = stage === 'generator' ? 'encoder' : 'from'
  const schema = z.object({ ...base, [fromFlag]: pathFlag })
  const flags = Object.fromEntries(
    [...stringFlags, fromFlag].map((k) => [k, { type: 'string' as const }]),
  )
  const o = parseOptions(argv, { ...flags, resume: { type: 'boolean' } }, schema)
  const recipeWeights: Partial<RecipeWeights> = Object.fromEntries(
    RECIPE_TERMS.flatMap((t) => (o[t.name] === undefined ? [] : [[t.name, o[t.name]]])),
  )
  return { ...o, from: String((o as Record<string, unknown>)[fromFlag]), recipeWeights }
}

function command(stage: GanStage): Command {
  const usage = stage === 'generator' ? stage2Usage : stage3Usage
  return {
    name: `train ${stage}`,
    summary:
      stage === 'generator'
        ? 'stage 2: train the generator with the style encoder frozen'
        : 'stage 3: fine-tune encoder, generator and discriminator together',
    usage,
    async run(argv) {
      const o = parseTrainGanArgs(stage, argv)
      if (o.help) return (say(usage), 0)
      const from = o.from
      await prepareRunOutput(o.out, o.resume)
      await startBackend(o.backend)
      const dataParallel = await chooseParallel(o.parallel, o.batch, from)
      const loaded = await loadCheckpoint(from)
      const dataset = await openPairedDataset(folderStore(o.data)).catch((err: unknown) => {
        disposeLoaded(loaded)
        throw err
      })
      for (const w of dataset.warnings) say(`note: ${w}`)
      const bar = createProgress(`train ${stage}`, o.steps)
      const { signal, release } = interruptSignal()
      try {
        const taps = o['percept-taps']
        const weight = o['percept-weight']
        const result = await runGanStage({
          stage,
          dataset,
          from: loaded,
          fromLabel: from,
          io: folderCheckpointIO(o.out),
          seed: o.seed,
          resume: o.resume,
          signal,
          log: say,
          features: o.features,
          ...(taps !== undefined ? { perceptTaps: taps } : {}),
          ...(weight !== undefined ? { perceptWeight: weight } : {}),
          recipe: o.recipe,
          recipeWeights: o.recipeWeights,
          size: o.size,
          steps: o.steps,
          batch: o.batch,
          ...(o.lr !== undefined ? { lr: o.lr } : {}),
          every: o.every,
          samples: o.samples,
          ...(dataParallel ? { dataParallel } : {}),
          onProgress: (p) =>
            bar.update(
              p.step,
              `G ${p.losses.total.toFixed(4)} D ${(p.losses.d_real + p.losses.d_fake).toFixed(4)}`,
            ),
        })
        if (result.status === 'done') bar.finish()
        const l = result.losses
        say(
          `${result.status === 'done' ? 'finished' : 'cancelled'} at step ${result.step}/${o.steps}` +
            `${l ? `, G ${l.total.toFixed(4)} (${lossParts(l)})` : ''}; checkpoint in ${o.out}`,
        )
        disposeModels(result.models)
        return result.status === 'done' ? 0 : 130
      } finally {
        release()
      }
    },
  }
}

/** The unweighted G terms for the closing line: adv, percept and the recipe terms in use. */
function lossParts(l: GanLosses): string {
  const terms = RECIPE_TERMS.filter((t) => l[t.loss] !== 0).map(
    (t) => `${t.name} ${l[t.loss].toPrecision(4)}`,
  )
  return [`adv ${l.g_adv.toFixed(4)}`, `percept ${l.g_percept.toFixed(4)}`, ...terms].join(', ')
}

/** `step train generator`. */
export const trainGeneratorCommand = command('generator')
/** `step train finetune`. */
export const trainFinetuneCommand = command('finetune')
