/**
 * Backend faults after a successful start: recognising them and moving live tensors off the
 * failed backend. Three kinds are recognised: a lost WebGPU device (GPUDevice.lost resolved, or an
 * error that says the device is lost), a kernel the backend lacks (tfjs: "Kernel 'X' not
 * registered for backend 'Y'") and a lost WebGL context. Choosing the next backend is
 * backend.ts's job (fallbackBackend); the executor's recovery is in fallback.ts.
 */
import * as tf from '@tensorflow/tfjs'
import { errorMessage } from '../core/errors.js'

/** What went wrong with a backend. */
export type BackendFaultKind = 'device-lost' | 'missing-kernel' | 'context-lost'

/** A recognised backend fault. */
export interface BackendFault {
  readonly kind: BackendFaultKind
  /** The backend that failed (tfjs name). */
  readonly backend: string
  /** What the platform or tfjs said. */
  readonly message: string
}

/** Why each backend's device was lost (GPUDevice.lost), by backend instance. */
const lostDevices = new WeakMap<object, string>()

/** Watches the active backend's GPUDevice (WebGPU only) and records when it is lost. */
export function watchDeviceLoss(): void {
  const backend = tf.backend() as { device?: { lost?: Promise<GPUDeviceLostInfo> } }
  backend.device?.lost
    ?.then((info) => lostDevices.set(backend, `${info.reason}: ${info.message || 'no message'}`))
    .catch(() => undefined)
}

/**
 * Waits up to `ms` for the active backend's GPUDevice.lost (when it has one), so that an error
 * raised just before the loss is reported is still recognised; resolves at once otherwise.
 */
export async function settleDeviceLoss(ms = 100): Promise<void> {
  const lost = (tf.backend() as { device?: { lost?: Promise<unknown> } }).device?.lost
  if (!lost || deviceLossOf()) return
  let timer: ReturnType<typeof setTimeout> | undefined
  await Promise.race([lost, new Promise((done) => (timer = setTimeout(done, ms)))])
  clearTimeout(timer)
  await Promise.resolve() // the watcher's then() runs after lost settles
}

/** Why the active backend's device was lost, or null while it is fine (or has none). */
export function deviceLossOf(backend: object = tf.backend()): string | null {
  return lostDevices.get(backend) ?? null
}

/** Marks `backend` as having lost its device (tests simulate a loss with it). */
export function markDeviceLost(reason: string, backend: object = tf.backend()): void {
  lostDevices.set(backend, reason)
}

const MISSING_KERNEL = /Kernel '([^']+)' not registered for backend '([^']+)'/
const DEVICE_LOST = /device (?:is |was |has been )?lost|GPUDevice.*\blost\b|device.*destroyed/i
const CONTEXT_LOST = /CONTEXT_LOST_WEBGL|webgl context (?:was |is )?lost|context lost/i

/**
 * The backend fault `err` (thrown while `backend` was active) reports, or null for any other
 * error. Once a WebGPU device is lost every error on it counts: Dawn then fails reads with an
 * AbortError that says nothing of the device.
 */
export function classifyBackendFault(err: unknown, backend = tf.getBackend()): BackendFault | null {
  const message = errorMessage(err)
  const kernel = MISSING_KERNEL.exec(message)
  if (kernel) return { kind: 'missing-kernel', backend: kernel[2] ?? backend, message }
  const lost = tf.findBackend(backend)
  const reason = lost ? deviceLossOf(lost) : null
  if (reason) return { kind: 'device-lost', backend, message: `device lost (${reason})` }
  if (DEVICE_LOST.test(message)) return { kind: 'device-lost', backend, message }
  if (CONTEXT_LOST.test(message)) return { kind: 'context-lost', backend, message }
  return null
}

/** Engine internals used to move a tensor's data in place (as tfjs's own Engine.moveData). */
interface DataInfo {
  backend: tf.KernelBackend
  readonly dtype: tf.DataType
  readonly shape: number[]
}
interface EngineInternals {
  readonly state: { readonly tensorInfo: WeakMap<object, DataInfo> }
}

/** How long reading one group of tensors back from a failed backend may take. */
export const READ_BACK_MS = 10_000

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  return Promise.race([p, late]).finally(() => clearTimeout(timer))
}

/**
 * Moves the data of `tensors` (variables included) to the active backend IN PLACE: the same
 * tensor objects stay valid, so a model keeps its variables. This is tfjs's Engine.moveData with
 * an asynchronous read (WebGPU cannot read synchronously in Node). Returns false, moving nothing
 * further, when a value cannot be read back (a lost device keeps its buffers).
 */
export async function moveToActiveBackend(
  tensors: readonly tf.Tensor[],
  timeoutMs = READ_BACK_MS,
): Promise<boolean> {
  const engine = tf.engine() as unknown as EngineInternals
  const target = tf.backend()
  const pending = new Map<object, DataInfo>()
  for (const t of tensors) {
    if (t.isDisposed) continue
    const info = engine.state.tensorInfo.get(t.dataId)
    if (info && info.backend !== target && info.dtype !== 'complex64') pending.set(t.dataId, info)
  }
  let values: tf.BackendValues[]
  try {
    values = await within(
      Promise.all([...pending.entries()].map(([id, info]) => info.backend.read(id))),
      timeoutMs,
    )
  } catch {
    return false
  }
  ;[...pending.entries()].forEach(([id, info], i) => {
    const source = info.backend
    const refCount = source.refCount(id)
    try {
      source.disposeData(id, true)
    } catch {
      // a failed backend may refuse to free; its memory is lost with it
    }
    info.backend = target
    target.move(id, values[i] as tf.BackendValues, info.shape, info.dtype, refCount)
  })
  return true
}
