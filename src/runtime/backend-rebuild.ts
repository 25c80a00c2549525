/**
 * A backend that ran out of memory, or whose WebAssembly instance aborted, is not trusted again:
 * it is rebuilt (backend.ts restartBackend: a fresh instance from the same factory, started as
 * before: a new wasm heap, a new WebGL context, a new WebGPU device) before the next run, so one failed run never poisons the next
 * (docs/decisions/0023-photos-in.md). Values held on the old instance are dropped by the caller.
 */
import * as tf from '@tensorflow/tfjs'
import { errorMessage } from '../core/errors.js'
import { describeBackend, restartBackend } from './backend.js'
import type { OutputCache } from './cache.js'

/**
 * Messages that say a backend's memory or instance can no longer be trusted: wasm traps and
 * aborts, allocation failures of every backend, WebGL's texture limit and WebGPU's OOM.
 */
const POISONED =
  /memory access out of bounds|\bAborted\(|RuntimeError: unreachable|out of memory|\bOOM\b|cannot enlarge memory|memory\.grow|failed to allocate|allocation failed|cannot allocate|array buffer allocation|invalid typed array length|GPUOutOfMemoryError|Requested texture size .* greater than WebGL maximum/i

/** Whether `err` leaves the backend that raised it untrustworthy (see POISONED). */
export function poisonsBackend(err: unknown): boolean {
  return POISONED.test(errorMessage(err)) || POISONED.test(String((err as Error)?.stack ?? ''))
}

/**
 * After a run failed with `err`: when the error poisons the backend, drops every cached value
 * (they live on the old instance) and restarts the backend; returns what happened, for a log
 * line, or null when `err` is of another kind.
 */
export async function recoverFromPoison(err: unknown, cache: OutputCache): Promise<string | null> {
  if (!poisonsBackend(err)) return null
  const name = tf.getBackend()
  const dropped = cache.dropAll()
  const info = await restartBackend()
  return `the ${name} backend ran out of memory or aborted: restarted as ${describeBackend(info)}, ${dropped} cached value${dropped === 1 ? '' : 's'} dropped`
}
