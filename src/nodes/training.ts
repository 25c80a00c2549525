/** What the four training nodes share: resume rules, cancellation and progress reporting. */
import { StepError } from '../core/errors.js'
import { decodeImage } from '../core/image/decode.js'
import { encodePng } from '../core/image/encode.js'
import type { CheckpointIO } from '../checkpoint/format.js'
import { disposeLoaded, type LoadedCheckpoint } from '../checkpoint/loaded.js'
import type { RunBase } from '../train/stage-runs.js'
import type { CheckpointHandle, DatasetHandle } from './sockets.js'
import type { ExecuteContext } from './define.js'
import type { NodeEnv } from './env.js'

/**
 * Whether the node's checkpoint folder already holds a run: if so the node resumes it (the
 * trainer refuses, naming the difference, when its settings changed), so a re-run never starts
 * over a user's checkpoint and a finished run is not repeated.
 */
export async function hasRun(io: CheckpointIO): Promise<boolean> {
  if (io.exists) return io.exists()
  const previous = await io.load()
  if (previous) disposeLoaded(previous)
  return previous !== null
}

/** Throws when the run was cancelled (the trainer kept its last checkpoint). */
export function checkFinished(status: 'done' | 'cancelled', ctx: ExecuteContext, where: string) {
  if (status === 'cancelled' || ctx.signal.aborted)
    throw new StepError('run/cancelled', 'cancelled; the last checkpoint was kept', where)
}

/** Widget shared by the training nodes: the checkpoint folder inside the run's output folder. */
export function outWidget(defaultName: string) {
  return {
    kind: 'text',
    default: defaultName,
    maxLength: 1024,
    description: 'checkpoint folder (relative: inside the output folder); an existing run resumes',
  } as const
}

/** Widget: perceptual / mining features (resnet50, vgg16:PATH, or random for tests). */
export const FEATURES_WIDGET = {
  kind: 'text',
  default: 'resnet50',
  maxLength: 1024,
  description: 'resnet50 (default), vgg16:PATH (converted Keras VGG16), random (TEST ONLY)',
} as const

/**
 * The features spec to load: `vgg16:PATH` with PATH resolved by the environment's input policy
 * (throws when it may not be read); other specs unchanged. Load THIS, not the widget's text.
 */
export function resolveFeatures(spec: string, env: NodeEnv): string {
  if (!spec.startsWith('vgg16:') || !env.resolveInput) return spec
  return `vgg16:${env.resolveInput(spec.slice('vgg16:'.length), "widget 'features'")}`
}

/**
 * `io` whose sample sheets carry the run's provenance (the preset and seeds), like every other
 * PNG a graph writes: each sheet is decoded and re-encoded with the text chunks.
 */
export function withProvenance(io: CheckpointIO, ctx: ExecuteContext): CheckpointIO {
  const write = io.writeSample?.bind(io)
  if (!write) return io
  return {
    ...io,
    writeSample: (step, png) =>
      write(
        step,
        encodePng(decodeImage(png, { where: `${io.label} sample ${step}` }), ctx.provenance()),
      ),
  }
}

/**
 * What every training node passes its stage run: the dataset, the checkpoint store of its `out`
 * folder (sample sheets with provenance), resume when a run is already there, cancel and log.
 */
export async function stageRun(
  ctx: ExecuteContext,
  dataset: DatasetHandle,
  out: string,
  seed: number,
): Promise<RunBase & { readonly io: CheckpointIO }> {
  const io = withProvenance(ctx.env.checkpointIO(out), ctx)
  return {
    dataset: dataset.dataset,
    io,
    seed,
    resume: await hasRun(io),
    signal: ctx.signal,
    log: (m) => ctx.log(m),
  }
}

/** The checkpoint a stage starts from, loaded, with its path for messages. */
export async function startFrom(
  ctx: ExecuteContext,
  from: CheckpointHandle,
): Promise<{ from: LoadedCheckpoint; fromLabel: string }> {
  return { from: await ctx.env.loadCheckpoint(from.path), fromLabel: from.path }
}
