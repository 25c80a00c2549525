/** Messages between the editor page and its execution worker (all structured-cloneable). */
import type { RgbImage } from '../core/image/types.js'
import type { RunEvent, RunStatus } from '../runtime/events.js'
import type { BackendChoice } from '../runtime/backend.js'
import type { WasmThreads } from '../runtime/wasm-threads.js'
import type { Preset } from '../runtime/preset-schema.js'
import type { CheckpointManifest } from '../checkpoint/format.js'

/** A checkpoint as plain data: manifest and weight files. */
export interface CheckpointItem {
  readonly path: string
  readonly manifest: CheckpointManifest
  readonly files: readonly (readonly [string, ArrayBuffer])[]
}

/** The backend the worker started, as the page shows it. */
export interface BackendReady {
  readonly backend: string
  readonly adapter: string | null
  readonly attempts: readonly string[]
  /** wasm only: threads asked for and running, and why fewer run if so. */
  readonly threads: WasmThreads | null
  /** describeBackend's text, e.g. "wasm, 2 threads". */
  readonly label: string
}

/** Page -> worker. */
export type ToWorker =
  | {
      readonly type: 'init'
      readonly backend: BackendChoice
      /** wasm threads (absent: every core, at most 8). */
      readonly threads?: number
    }
  | {
      readonly type: 'run'
      readonly preset: Preset
      /** URL relative paths in the preset resolve against. */
      readonly baseUrl: string
      /** URL of the folder of the model named 'default'. */
      readonly defaultModelUrl: string
      /** The page's origin and the other origins graphs may fetch from ('*': any). */
      readonly origin: string
      readonly allowOrigins: readonly string[]
      readonly until?: number
      /** Images the user dropped, by the name Load Image nodes use. */
      readonly files: readonly (readonly [string, Uint8Array])[]
      /** The camera frame Webcam nodes read in this run (Live mode). */
      readonly frame?: RgbImage
    }
  | { readonly type: 'cancel' }
  /** Checkpoints kept by the page (IndexedDB, imported files) for training nodes and Load Model. */
  | { readonly type: 'restore'; readonly items: readonly CheckpointItem[] }

/** Worker -> page. */
export type FromWorker =
  | ({ readonly type: 'ready' } & BackendReady)
  | { readonly type: 'init-failed'; readonly message: string }
  | { readonly type: 'event'; readonly event: RunEvent }
  | { readonly type: 'output'; readonly name: string; readonly bytes: Uint8Array }
  /** Checkpoints written or updated by the last run (the page persists them). */
  | { readonly type: 'checkpoints'; readonly items: readonly CheckpointItem[] }
  | { readonly type: 'finished'; readonly status: RunStatus | 'invalid'; readonly message?: string }
