/**
 * Recovery from a backend fault in the middle of a run (docs/decisions/0013-backend-fallback.md):
 * recognise the fault (backend-fault.ts), make the next backend active (backend.ts), then move
 * what the executor's cache holds onto it: readable tensors and model variables move in place
 * (models survive), unreadable ones (a lost device) are dropped and recomputed. The executor
 * then runs the failing node and the rest again. One place for the headless runner, the CLI and
 * the editor's worker, because all three run graphs through GraphExecutor.
 */
import * as tf from '@tensorflow/tfjs'
import { fallbackBackend } from './backend.js'
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
  const next = await fallbackBackend(from, `${fault.kind}: ${fault.message}`)
  if (!next) return null
  const { kept, dropped } = await cache.relocate((tensors) => moveToActiveBackend(tensors))
  return { fault, from, to: next.backend, kept, dropped }
}
