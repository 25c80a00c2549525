/**
 * `step eval`: reconstruction, ablation, diversity, style-transfer and mapper-coverage figures of
 * a trained model on a paired dataset, printed as one JSON object (train/eval/evaluate.ts computes them).
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { InputError, errorMessage } from '../../core/errors.js'
import { folderStore } from '../../data/folder-store.node.js'
import { openPairedDataset } from '../../data/paired.js'
import { STYLE_CLUSTER_FACTORS } from '../../data/synth/style.js'
import { loadFeatureExtractor } from '../../models/features/index.js'
import { evaluateModel, type EvalPhase } from '../../train/eval/evaluate.js'
import { disposeModel } from '../../inference/load.js'
import { backendFlag, intFlag, parseOptions, pathFlag } from '../args.js'
import { say, warn, type Command } from '../command.js'
import { openModel } from '../model-io.js'
import { createProgress, type Progress } from '../progress.js'
import { interruptSignal } from '../signals.js'

const usage = `step eval --model CKPT --data DIR [--restyled DIR2] [--count N] [--samples K]
        [--features resnet50|vgg16:PATH|random] [--seed K] [--backend auto|wasm|webgpu|cpu]

Evaluates the model in CKPT on every pair (A, B) of DIR (pix2pix format; no train/val split; the
first N pairs by name with --count), all images fitted to the model's training size, and prints
one JSON object (progress goes to stderr):
  n                  pairs evaluated
  psnr, ssim         G(A, E(B)) vs B, means; PSNR in dB, both on the [0, 1] scale
  percept_<F>        mean perceptual distance of G(A, E(B)) vs B on features F (LPIPS's recipe
                     without its learned weights; NOT LPIPS), e.g. percept_resnet50
  diversity          mean pairwise perceptual distance of K samples G(A, M(e)) per A (null: no mapper)
  transfer_error     with --restyled DIR2 (a 'step dataset synth --restyle-of DIR' output): mean
                     squared error, [0, 1] scale, of G(A of the content source, E(B of the style
                     source)) vs the restyled B, over DIR2's samples (first N with --count); else null
  ablation           z0 and zrandom: psnr, ssim and transfer_error with z = 0 and z ~ N(0, I)
                     instead of E(B); mapper: psnr, ssim with z = M(e) (null without a mapper)
  psnr_over_z0       psnr minus ablation.z0.psnr, dB: what the style code adds
  style_fidelity     with DIR/styles.json: how often E(B) (encoded) and E(G(A, E(B))) (reencoded)
                     are nearest to the mean code E(B) of B's own style cluster: { own_cluster,
                     factors { time_of_day, texture } } each, and clusters
  mapper_coverage    with a mapper and DIR/styles.json: the mean code E(B) of each style cluster
                     over the evaluated pairs; 64 samples G(A_i, M(e)) encoded with E, each
                     counted for the cluster of its nearest mean: { samples, clusters, hit, missed
                     (cluster ids), sample_clusters }; else null
  also               transfer_n, samples, seed, features, size, model { stage, step }
  --samples K        mapper samples per A for the diversity, 2..64 (default 4)
  --features F       perceptual features (default resnet50; random is for tests only)
  --seed K           seed of every random draw (default 1)`

const schema = z.object({
  model: pathFlag,
  data: pathFlag,
  restyled: z.string().min(1).optional(),
  count: intFlag(1, 10_000_000).optional(),
  samples: intFlag(2, 64).default(4),
  features: z.string().min(1).default('resnet50'),
  seed: intFlag(0, 0xffffffff).default(1),
  backend: backendFlag,
  help: z.boolean().optional(),
})

/** What eval reads of a synthetic dataset's styles.json (either format). */
const stylesSchema = z.looseObject({
  format: z.enum(['step-synth', 'step-synth-restyle']),
  samples: z.array(z.looseObject({ name: z.string(), cluster: z.number().int() })),
})

/** What eval reads of a restyle set's styles.json. */
const restyleSchema = z.looseObject({
  format: z.literal('step-synth-restyle'),
  samples: z
    .array(z.looseObject({ name: z.string(), content: z.string(), style: z.string() }))
    .min(1),
})

/** Parses `dir`/styles.json with `schema`; null when missing and `optional`. */
async function readStyles<S extends z.ZodType>(
  dir: string,
  schema: S,
  optional: boolean,
  expected: string,
): Promise<z.output<S> | null> {
  const file = join(dir, 'styles.json')
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    const missing = (err as { code?: string }).code === 'ENOENT'
    if (missing && optional) return null
    throw new InputError(
      'eval/styles',
      missing ? `not found (expected ${expected})` : `cannot read (${errorMessage(err)})`,
      file,
    )
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new InputError('eval/styles', `not valid JSON: ${errorMessage(err)}`, file)
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new InputError(
      'eval/styles',
      `not ${expected}: ${issue?.path.join('.') || '(top level)'}: ${issue?.message ?? 'invalid'}`,
      file,
    )
  }
  return parsed.data
}

/** The command. */
export const evalCommand: Command = {
  name: 'eval',
  summary: 'evaluate a model: PSNR, SSIM, perceptual, diversity, ablations, transfer (JSON)',
  usage,
  async run(argv) {
    const o = parseOptions(
      argv,
      Object.fromEntries(
        ['model', 'data', 'restyled', 'count', 'samples', 'features', 'seed', 'backend'].map(
          (k) => [k, { type: 'string' as const }],
        ),
      ),
      schema,
    )
    if (o.help) return (say(usage), 0)
    const dataset = await openPairedDataset(folderStore(o.data), { valFraction: 0 })
    for (const w of dataset.warnings) warn(w)
    const names = dataset.split('all').slice(0, o.count)
    const styles = await readStyles(o.data, stylesSchema, true, 'a step dataset synth folder')
    const clusters = styles ? new Map(styles.samples.map((s) => [s.name, s.cluster])) : null
    let restyle = null
    if (o.restyled) {
      const manifest = await readStyles(
        o.restyled,
        restyleSchema,
        false,
        "a 'step dataset synth --restyle-of' output",
      )
      const restyled = await openPairedDataset(folderStore(o.restyled), { valFraction: 0 })
      const present = new Set(restyled.names)
      const samples = (manifest?.samples ?? []).slice(0, o.count).map((s) => {
        if (!present.has(s.name))
          throw new InputError(
            'eval/restyle-missing',
            `styles.json lists ${s.name}, which is not an A|B image there`,
            o.restyled,
          )
        return { name: s.name, content: s.content, style: s.style }
      })
      restyle = { dataset: restyled, samples }
    }
    const { model, size, stage, step } = await openModel(o.model, o.backend)
    const bars = new Map<EvalPhase, Progress>()
    const { signal, release } = interruptSignal()
    try {
      const extractor = await loadFeatureExtractor(o.features)
      try {
        process.stderr.write(
          `eval: ${names.length} pairs of ${o.data} at ${size} px, features ${extractor.id}\n`,
        )
        const report = await evaluateModel({
          model,
          dataset,
          names,
          size,
          extractor,
          samples: o.samples,
          seed: o.seed,
          clusters,
          clusterFactors: STYLE_CLUSTER_FACTORS,
          restyle,
          signal,
          onProgress: (phase, done, total) => {
            let bar = bars.get(phase)
            if (!bar) bars.set(phase, (bar = createProgress(`eval ${phase}`, total)))
            bar.update(done)
            if (done === total) bar.finish()
          },
        })
        say(JSON.stringify({ ...report, model: { stage, step } }))
        return 0
      } finally {
        extractor.dispose()
      }
    } finally {
      release()
      disposeModel(model)
    }
  },
}
