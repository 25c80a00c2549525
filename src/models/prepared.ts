/**
 * Weights prepared once for inference. Every conv scales its N(0, 1) kernel at run time
 * (equalised learning rate) and the split z injection also slices it; done per call, that makes a
 * new filter tensor each time, and tfjs-backend-wasm then repacks the filter for XNNPACK on every
 * call (its operator cache is keyed by the filter's data). At small spatial sizes that repacking
 * can cost more than the conv itself (docs/decisions/0014).
 *
 * `prepared(variable, tag, build)` returns tensors derived from a variable, built once and reused
 * while the variable still holds the same data on the same backend. It is bypassed while a
 * gradient tape records (training must differentiate through the preparation), and rebuilt when
 * the variable is assigned (training steps, EMA updates, checkpoint loads: tfjs gives an assigned
 * variable new data) or the backend changes. Params.dispose releases the entries of its variables.
 */
import * as tf from '@tensorflow/tfjs'

interface Entry {
  readonly data: object
  readonly backend: string
  readonly tensors: readonly tf.Tensor[]
}

const entries = new WeakMap<tf.Variable, Map<string, Entry>>()
let enabled = true

/** Turns the reuse on or off (default on); off builds every time, as before (benchmarks). */
export function setPreparedWeights(on: boolean): void {
  enabled = on
}

/**
 * Tensors derived from `variable` by `build` (pure tf ops of it and of other fixed values), cached
 * under `tag` outside gradient recording. The caller must not dispose them.
 */
export function prepared<T extends readonly tf.Tensor[]>(
  variable: tf.Variable,
  tag: string,
  build: () => T,
): T {
  if (!enabled || tf.engine().isTapeOn()) return build()
  const byTag = entries.get(variable) ?? new Map<string, Entry>()
  entries.set(variable, byTag)
  const backend = tf.getBackend()
  const hit = byTag.get(tag)
  if (hit && hit.data === variable.dataId && hit.backend === backend) {
    return hit.tensors as unknown as T
  }
  if (hit) disposeQuietly(hit.tensors)
  const tensors = tf.tidy(() => [...build()])
  for (const t of tensors) tf.keep(t)
  byTag.set(tag, { data: variable.dataId, backend, tensors })
  return tensors as unknown as T
}

/** Disposes every prepared tensor derived from `variable`. */
export function releasePrepared(variable: tf.Variable): void {
  const byTag = entries.get(variable)
  if (!byTag) return
  for (const e of byTag.values()) disposeQuietly(e.tensors)
  entries.delete(variable)
}

/** Number of live prepared tensors of `variables` (tests). */
export function preparedCount(variables: readonly tf.Variable[]): number {
  return variables.reduce(
    (n, v) => n + [...(entries.get(v)?.values() ?? [])].reduce((m, e) => m + e.tensors.length, 0),
    0,
  )
}

// A backend that died (lost GPU device) may refuse to free its data; the entry is dropped anyway.
function disposeQuietly(tensors: readonly tf.Tensor[]): void {
  try {
    tf.dispose([...tensors])
  } catch {
    // nothing left to free on a dead backend
  }
}
