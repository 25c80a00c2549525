/**
 * Reads a tfjs layers model's files (model.json and its weight shards) from a local path with
 * node:fs, or from an http(s) URL with fetch. node:fs is imported lazily, so browser bundles that
 * only ever pass URLs never touch it.
 */
import { InputError } from '../../core/errors.js'

/** Access to one model.json and the shards it names (paths relative to model.json). */
export interface ModelFiles {
  /** The model.json path or URL actually read (for messages). */
  readonly location: string
  /** The text of model.json. */
  readonly modelJson: string
  /** Reads one weight shard, by the path written in the weights manifest. */
  readShard(relativePath: string): Promise<ArrayBuffer>
}

/** True when `spec` is an http(s) URL rather than a local path. */
export function isUrl(spec: string): boolean {
  return /^https?:\/\//i.test(spec)
}

/** True in Node (where node:fs exists); false in browsers and workers. */
export function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string'
}

/** Opens a model by URL (of model.json) or local path (model.json or a folder holding it). */
export async function openModelFiles(spec: string, where: string): Promise<ModelFiles> {
  return isUrl(spec) ? openUrl(spec, where) : openPath(spec, where)
}

/**
 * `rel` (a shard path from model.json's weightsManifest) if it stays beside model.json: not
 * absolute, no '..' segment, no scheme (model.json is data; it may not name other files or
 * origins). Throws InputError naming model.json and the shard.
 */
export function checkShardPath(rel: string, modelJson: string, where: string): string {
  const segments = rel.split(/[\\/]/)
  const bad =
    rel === '' || /^[\\/]/.test(rel)
      ? 'is absolute'
      : /^[a-z][a-z0-9+.-]*:/i.test(rel)
        ? 'carries a scheme'
        : segments.includes('..')
          ? "has a '..' segment"
          : null
  if (bad !== null)
    throw new InputError(
      'features/shard-path',
      `${modelJson} names weight shard '${rel}', which ${bad}; shard paths must be relative names beside model.json (e.g. group1-shard1of4.bin)`,
      where,
    )
  return rel
}

async function fetchOk(url: string, where: string): Promise<Response> {
  let res: Response
  try {
    res = await fetch(url, { redirect: 'error' }) // a redirect could leave the checked origin
  } catch (err) {
    throw new InputError('features/fetch', `cannot fetch ${url}`, where, { cause: err })
  }
  if (!res.ok) throw new InputError('features/fetch', `${url}: HTTP ${res.status}`, where)
  return res
}

async function openUrl(spec: string, where: string): Promise<ModelFiles> {
  const url = /\.json(\?|#|$)/i.test(spec) ? spec : `${spec.replace(/\/?$/, '/')}model.json`
  const modelJson = await (await fetchOk(url, where)).text()
  return {
    location: url,
    modelJson,
    readShard: async (rel) =>
      (await fetchOk(new URL(checkShardPath(rel, url, where), url).href, where)).arrayBuffer(),
  }
}

async function openPath(spec: string, where: string): Promise<ModelFiles> {
  if (!isNode()) {
    throw new InputError(
      'features/path',
      `local path '${spec}' cannot be read in a browser; pass an http(s) URL of model.json`,
      where,
    )
  }
  const fs = await import('node:fs/promises')
  const path = await import('node:path')
  const stat = await fs.stat(spec).catch(() => null)
  if (!stat) {
    throw new InputError('features/missing', `no such file or folder: '${spec}'`, where)
  }
  const file = stat.isDirectory() ? path.join(spec, 'model.json') : spec
  const modelJson = await fs.readFile(file, 'utf8').catch((err: unknown) => {
    throw new InputError('features/missing', `cannot read model.json at '${file}'`, where, {
      cause: err,
    })
  })
  const dir = path.dirname(file)
  return {
    location: file,
    modelJson,
    readShard: async (rel) => {
      const shard = path.join(dir, checkShardPath(rel, file, where))
      const buf = await fs.readFile(shard).catch((err: unknown) => {
        throw new InputError('features/missing', `cannot read weight shard '${shard}'`, where, {
          cause: err,
        })
      })
      return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)
    },
  }
}
