/**
 * The node environment of a browser page or worker: inputs are fetched relative to the preset's
 * URL (or taken from files the user dropped, by name), 'default' is the shipped model's URL, and
 * written files are handed to `onOutput` (the editor offers them for download). Synthetic
 * datasets and training checkpoints live in memory (a CheckpointShelf and a dataset map that
 * outlive single runs, so training resumes and Load Model finds a trained model); dataset folders
 * by URL are not readable from a browser, so Load Dataset says to run such graphs headless.
 */
import { InputError, StepError, errorMessage } from '../core/errors.js'
import type { RgbImage } from '../core/image/types.js'
import type { NodeEnv } from '../nodes/env.js'
import { fileStore } from '../data/browser-store.js'
import { openPairedDataset } from '../data/paired.js'
import type { SynthDatasetManifest } from '../data/synth/manifest.js'
import { synthFiles } from '../data/synth/write-memory.js'
import { fetchCheckpoint } from '../train/checkpoint-fetch.js'
import { CheckpointShelf } from '../train/checkpoint-memory.js'

/** Options of browserEnv. */
export interface BrowserEnvOptions {
  /** URL relative input paths resolve against (the preset's URL). */
  readonly baseUrl: string
  /** URL of the folder of the model named 'default'. */
  readonly defaultModelUrl: string
  /** Files the user provided (drag and drop), by the name a Load Image node uses. */
  readonly files?: ReadonlyMap<string, Uint8Array>
  /** Receives every file a node writes. */
  readonly onOutput?: (name: string, bytes: Uint8Array) => void
  /** The current camera frame (the editor's Live mode passes one with each run). */
  readonly camera?: () => Promise<RgbImage>
  /** Where training checkpoints are kept (default: a new, empty shelf). */
  readonly shelf?: CheckpointShelf
  /** Synthetic datasets by path (default: a new, empty map). */
  readonly datasets?: Map<string, Map<string, Blob>>
}

function unsupported(what: string): never {
  throw new StepError(
    'env/unsupported',
    `${what} is not available in the browser yet; run this graph headless with \`step run\``,
  )
}

/** A NodeEnv over fetch. */
export function browserEnv(o: BrowserEnvOptions): NodeEnv {
  const url = (path: string) => new URL(path, o.baseUrl).href
  const shelf = o.shelf ?? new CheckpointShelf()
  const datasets = o.datasets ?? new Map<string, Map<string, Blob>>()
  const manifests = new Map<string, SynthDatasetManifest>()
  return {
    label: 'browser',
    async readBytes(path) {
      const dropped = o.files?.get(path)
      if (dropped) return dropped
      let res: Response
      try {
        res = await fetch(url(path))
      } catch (err) {
        throw new InputError('image/unreachable', `cannot fetch (${errorMessage(err)})`, path)
      }
      if (!res.ok)
        throw new InputError('image/missing', `HTTP ${res.status} for ${url(path)}`, path)
      return new Uint8Array(await res.arrayBuffer())
    },
    writeOutput(name, bytes) {
      o.onOutput?.(name, bytes)
      return Promise.resolve(name)
    },
    async openDataset(path) {
      const files = datasets.get(path)
      if (!files) return unsupported(`reading the dataset folder '${path}'`)
      return await openPairedDataset(fileStore(files, path))
    },
    async writeSynthDataset({ count, size, seed, onProgress }) {
      const path = `datasets/synth-${count}-${size}-${seed}`
      const known = manifests.get(path)
      if (known && datasets.has(path)) return { path, manifest: known }
      const made = await synthFiles(count, size, seed, onProgress)
      datasets.set(path, made.files)
      manifests.set(path, made.manifest)
      return { path, manifest: made.manifest }
    },
    checkpointIO: (path) => shelf.io(path),
    checkpointPath: (path) => path,
    async loadCheckpoint(path) {
      const stored = await shelf.load(path)
      if (stored) return stored
      return fetchCheckpoint(path === 'default' ? o.defaultModelUrl : url(path))
    },
    neighbourCache: () => undefined,
    ...(o.camera ? { camera: o.camera } : {}),
  }
}
