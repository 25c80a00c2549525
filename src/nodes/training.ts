/** What the four training nodes share: resume rules, cancellation and progress reporting. */
import { StepError } from '../core/errors.js'
import { decodeImage } from '../core/image/decode.js'
import { encodePng } from '../core/image/encode.js'
import type { CheckpointIO } from '../train/checkpoint.js'
import { disposeLoaded } from '../train/gan-checkpoint.js'
import type { ExecuteContext } from './define.js'

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
