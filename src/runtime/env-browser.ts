/**
 * The node environment of a browser page or worker: inputs are fetched relative to the preset's
 * URL (or taken from files the user dropped, by name), 'default' is the shipped model's URL, and
 * written files are handed to `onOutput` (the editor offers them for download). Synthetic
 * datasets and training checkpoints live in memory (a CheckpointShelf and a dataset map that
 * outlive single runs, so training resumes and Load Model finds a trained model); dataset folders
 * by URL are not readable from a browser, so Load Dataset says to run such graphs headless.
 *
 * URL policy (docs/decisions/0011-untrusted-presets.md): every URL a graph makes the page fetch
 * (Load Image paths, Load Model paths, checkpoint files) is checked BEFORE the request: it must
 * be on the page's own origin or on an origin the embedding page allowed (`allowOrigins`).
 * data: URLs need no request and are allowed; blob: URLs count as their creator's origin; any
 * other scheme is refused. Dropped files and the page's own default model are not checked.
 */
import { InputError, StepError, errorMessage } from '../core/errors.js'
import type { RgbImage } from '../core/image/types.js'
import type { NodeEnv } from '../nodes/env.js'
import { fileStore } from '../data/browser-store.js'
import { openPairedDataset } from '../data/paired.js'
import type { SynthDatasetManifest } from '../data/synth/manifest.js'
import { synthFiles } from '../data/synth/write-memory.js'
import { fetchCheckpoint } from '../checkpoint/fetch-store.js'
import { CheckpointShelf } from '../checkpoint/memory-store.js'

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
  /**
   * The page's origin (default: `location.origin`, else the origin of `baseUrl`); graphs may
   * always fetch from it.
   */
  readonly origin?: string
  /**
   * Other origins graphs may fetch from, e.g. ['https://models.example.org']; '*' allows any.
   * Default: none (same origin only).
   */
  readonly allowOrigins?: readonly string[]
}

/**
 * Throws InputError naming `where` unless `href` may be fetched: same origin as `origin`, an
 * origin in `allowOrigins` ('*': any), a data: URL, or a blob: URL of an allowed origin.
 */
export function checkFetchUrl(
  href: string,
  origin: string,
  allowOrigins: readonly string[],
  where: string,
): void {
  let url: URL
  try {
    url = new URL(href)
  } catch {
    throw new InputError('url/invalid', `not a valid URL: ${href}`, where)
  }
  if (url.protocol === 'data:') return
  if (url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'blob:')
    throw new InputError(
      'url/scheme',
      `${url.protocol} URLs are not fetched (only http:, https:, data: and blob:): ${href}`,
      where,
    )
  const allowed = allowOrigins.map((a) => (a === '*' ? a : originOf(a)))
  if (url.origin === originOf(origin) || allowed.includes('*') || allowed.includes(url.origin))
    return
  throw new InputError(
    'url/not-allowed',
    `${where.includes(href) ? '' : `${href}: `}origin ${url.origin} is not allowed (same origin ${originOf(origin)}${
      allowed.length > 0 ? ` or ${allowed.join(', ')}` : ' only'
    }); the embedding page can allow it with allowOrigins`,
    where,
  )
}

/** The page's origin where there is a page (or a worker's location), else undefined. */
function pageOrigin(): string | undefined {
  const loc = (globalThis as { location?: { origin?: unknown } }).location
  return typeof loc?.origin === 'string' && loc.origin !== 'null' ? loc.origin : undefined
}

/** `entries` when each is '*' or an http(s) origin with its scheme; StepError naming one not. */
function checkAllowOrigins(entries: readonly string[]): readonly string[] {
  for (const a of entries) {
    if (a === '*') continue
    let ok: boolean
    try {
      const u = new URL(a)
      ok = u.protocol === 'http:' || u.protocol === 'https:'
    } catch {
      ok = false
    }
    if (!ok)
      throw new StepError(
        'env/allow-origins',
        `allowOrigins entry '${a}' is not an origin with its scheme; write e.g. 'https://${a.replace(/^[a-z][a-z0-9+.-]*:\/*/i, '')}' or '*'`,
      )
  }
  return entries
}

function originOf(o: string): string {
  try {
    return new URL(o).origin
  } catch {
    return o
  }
}

function unsupported(what: string): never {
  throw new StepError(
    'env/unsupported',
    `${what} is not available in the browser yet; run this graph headless with \`step run\``,
  )
}

/** A NodeEnv over fetch. */
export function browserEnv(o: BrowserEnvOptions): NodeEnv {
  const allowOrigins = checkAllowOrigins(o.allowOrigins ?? [])
  const origin = o.origin ?? pageOrigin() ?? o.baseUrl
  /** `path` resolved against the preset's URL; InputError naming it when it is no URL. */
  const resolveUrl = (path: string, where = path) => {
    try {
      return new URL(path, o.baseUrl).href
    } catch {
      throw new InputError(
        'url/invalid',
        `not a valid URL, nor one relative to ${o.baseUrl}`,
        where,
      )
    }
  }
  /** The URL of `path`, once the policy allows fetching it. */
  const url = (path: string) => {
    const href = resolveUrl(path)
    checkFetchUrl(href, origin, allowOrigins, path)
    return href
  }
  const shelf = o.shelf ?? new CheckpointShelf()
  const datasets = o.datasets ?? new Map<string, Map<string, Blob>>()
  const manifests = new Map<string, SynthDatasetManifest>()
  return {
    label: 'browser',
    async readBytes(path) {
      const dropped = o.files?.get(path)
      if (dropped) return dropped
      const href = url(path)
      let res: Response
      try {
        res = await fetch(href, { redirect: 'error' })
      } catch (err) {
        throw new InputError('image/unreachable', `cannot fetch (${errorMessage(err)})`, path)
      }
      if (!res.ok) throw new InputError('image/missing', `HTTP ${res.status} for ${href}`, path)
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
      if (path === 'default') return await fetchCheckpoint(o.defaultModelUrl)
      const base = url(path)
      // every file the manifest names is checked too, before its request
      return await fetchCheckpoint(base, (input, init) => {
        const href = input instanceof Request ? input.url : String(input)
        checkFetchUrl(href, origin, allowOrigins, path)
        return fetch(input, { ...init, redirect: 'error' })
      })
    },
    resolveInput(path, what) {
      const href = resolveUrl(path, `${what} '${path}'`)
      checkFetchUrl(href, origin, allowOrigins, `${what} '${path}'`)
      return href
    },
    neighbourCache: () => undefined,
    ...(o.camera ? { camera: o.camera } : {}),
  }
}
