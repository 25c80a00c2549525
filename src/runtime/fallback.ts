/**
 * Recovery from a backend fault in the middle of a run (docs/decisions/0013-backend-fallback.md):
 * recognise the fault (backend-fault.ts), make the next backend active (backend.ts), then deal
 * with what the executor's cache holds. A missing kernel leaves the old backend working: tensors
 * and model variables move in place (models survive). A lost device or WebGL context is never
 * read (reads then hang or return zeros silently): every entry is dropped and recomputed, Load
 * Model reloading from its source. The executor
 * then runs the failing node and the rest again. One place for the headless runner, the CLI and
 * the editor's worker, because all three run graphs through GraphExecutor.
 */
import * as tf from '@tensorflow/tfjs'
import { fallbackBackend, type BackendInfo } from './backend.js'
import {
  classifyBackendFault,
  moveToActiveBackend,
  settleDeviceLoss,
  type BackendFault,
} from './backend-fault.js'
import type { OutputCache } from './cache.js'

/** What a fallback did. */
export interface Fallback {
  readonly fault: BackendFault
  /** The backend that failed, and the one now active. */
  readonly from: string
  readonly to: string
  /** Cache entries moved to `to` and entries dropped (to be recomputed). */
  readonly kept: number
  readonly dropped: number
}

/**
 * When `err` is a backend fault and another backend can take over: switches to it, relocates
 * the cache and says what happened; otherwise null (the error stands).
 */
export async function recoverFromFault(err: unknown, cache: OutputCache): Promise<Fallback | null> {
  const from = tf.getBackend()
  await settleDeviceLoss()
  const fault = classifyBackendFault(err, from)
  if (!fault) return null
  const kernel = fault.kind === 'missing-kernel' ? MISSING_KERNEL_NAME.exec(fault.message) : null
  const next = await fallbackBackend(
    from,
    `${fault.kind}: ${fault.message}`,
    kernel?.[1] === undefined ? {} : { kernel: kernel[1] },
  )
  if (!next) return null
  const { kept, dropped } =
    fault.kind === 'missing-kernel'
      ? await cache.relocate((tensors) => moveToActiveBackend(tensors))
      : { kept: 0, dropped: cache.dropAll() }
  return { fault: withSkipped(fault, next), from, to: next.backend, kept, dropped }
}

const MISSING_KERNEL_NAME = /Kernel '([^']+)' not registered/

/** `fault` with the backends fallbackBackend passed over for lacking its kernel named. */
function withSkipped(fault: BackendFault, next: BackendInfo): BackendFault {
  const skipped = next.attempts.filter((a) => a.skippedForKernel === true).map((a) => a.backend)
  if (skipped.length === 0) return fault
  return {
    ...fault,
    message: `${fault.message}; skipped ${skipped.join(', ')} (${skipped.length === 1 ? 'lacks' : 'lack'} that kernel too)`,
  }
}
