/**
 * The node environment of a browser page or worker: inputs are fetched relative to the preset's
 * URL (or taken from files the user dropped, by name), 'default' is the shipped model's URL, and
 * written files are handed to `onOutput` (the editor offers them for download). Datasets and
 * checkpoint folders need a store the browser does not have yet: those nodes fail with a message
 * saying to run the graph headless.
 */
import { InputError, StepError, errorMessage } from '../core/errors.js'
import type { NodeEnv } from '../nodes/env.js'
import { fetchCheckpoint } from '../train/checkpoint-fetch.js'

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
    openDataset: () => unsupported('opening a dataset folder'),
    writeSynthDataset: () => unsupported('writing a synthetic dataset'),
    checkpointIO: () => unsupported('training (checkpoint storage)'),
    checkpointPath: (path) => path,
    loadCheckpoint: (path) => fetchCheckpoint(path === 'default' ? o.defaultModelUrl : url(path)),
    neighbourCache: () => undefined,
  }
}
