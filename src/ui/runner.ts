/**
 * Runs graphs in the execution worker (worker.ts) from a page: start the backend, run a preset,
 * cancel, receive the run events and written files. Shared by <step-editor> and the plugin
 * entry point, so both execute exactly as the headless runner does.
 */
import type { RgbImage } from '../core/image/types.js'
import type { BackendChoice } from '../runtime/backend.js'
import type { RunEvent } from '../runtime/events.js'
import type { Preset } from '../runtime/preset-schema.js'
import type { BackendReady, CheckpointItem, FromWorker, ToWorker } from './protocol.js'

/** How a run in the worker ended. */
export interface RunOutcome {
  readonly status: string
  readonly message?: string
}

/** Per-run options. */
export interface WorkerRunOptions {
  readonly baseUrl: string
  readonly defaultModelUrl: string
  /** Origins besides the page's own that graphs may fetch from ('*': any; default none). */
  readonly allowOrigins?: readonly string[]
  readonly until?: number
  readonly files?: ReadonlyMap<string, Uint8Array>
  /** The camera frame for Webcam nodes. */
  readonly frame?: RgbImage
  readonly onEvent?: (e: RunEvent) => void
  readonly onOutput?: (name: string, bytes: Uint8Array) => void
}

/** A page-side handle on one execution worker. */
export class WorkerRunner {
  /** Resolves with the backend the worker started (rejects when none could start). */
  readonly ready: Promise<BackendReady>
  private readonly worker: Worker
  private current: { options: WorkerRunOptions; done: (o: RunOutcome) => void } | null = null
  /** Receives the checkpoints each run wrote or updated (e.g. to persist them). */
  onCheckpoints: ((items: readonly CheckpointItem[]) => void) | null = null

  /** Starts the worker on `backend`; `threads`: wasm threads (default every core, at most 8). */
  constructor(backend: BackendChoice = 'auto', options: { readonly threads?: number } = {}) {
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' })
    let resolve: (v: BackendReady) => void = () => undefined
    let reject: (e: Error) => void = () => undefined
    this.ready = new Promise((res, rej) => {
      resolve = res
      reject = rej
    })
    this.worker.onmessage = (e: MessageEvent<FromWorker>) => {
      const m = e.data
      if (m.type === 'ready') resolve(m)
      else if (m.type === 'init-failed') reject(new Error(m.message))
      else if (m.type === 'event') this.current?.options.onEvent?.(m.event)
      else if (m.type === 'output') this.current?.options.onOutput?.(m.name, m.bytes)
      else if (m.type === 'checkpoints') this.onCheckpoints?.(m.items)
      else {
        const run = this.current
        this.current = null
        run?.done({ status: m.status, ...(m.message ? { message: m.message } : {}) })
      }
    }
    const init: ToWorker = {
      type: 'init',
      backend,
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
    }
    this.worker.postMessage(init)
  }

  /** Runs `preset`; resolves when the worker reports the end of the run. */
  run(preset: Preset, options: WorkerRunOptions): Promise<RunOutcome> {
    return new Promise((done) => {
      this.current?.done({ status: 'superseded' })
      this.current = { options, done }
      this.worker.postMessage({
        type: 'run',
        preset,
        baseUrl: options.baseUrl,
        defaultModelUrl: options.defaultModelUrl,
        origin: globalThis.location?.origin ?? new URL(options.baseUrl).origin,
        allowOrigins: [...(options.allowOrigins ?? [])],
        ...(options.until !== undefined ? { until: options.until } : {}),
        files: [...(options.files ?? new Map<string, Uint8Array>()).entries()],
        ...(options.frame ? { frame: options.frame } : {}),
      })
    })
  }

  /** Gives the worker checkpoints to use (stored or imported ones). */
  restore(items: readonly CheckpointItem[]): void {
    this.worker.postMessage({ type: 'restore', items })
  }

  /** Asks the current run to stop. */
  cancel(): void {
    this.worker.postMessage({ type: 'cancel' })
  }

  /** Stops the worker. */
  terminate(): void {
    this.worker.terminate()
  }
}
