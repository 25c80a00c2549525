/**
 * The node environment over folders (Node): inputs (images, datasets, models) resolve against the
 * preset's folder, outputs (images, checkpoints, synthetic datasets) go to the run's output
 * folder, and 'default' names the shipped default model. Files are written atomically.
 */
import { existsSync, realpathSync } from 'node:fs'
import { mkdir, open, readFile, rename } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { errorMessage, InputError } from '../core/errors.js'
import { folderStore } from '../data/folder-store.node.js'
import { openPairedDataset } from '../data/paired.js'
import { readSynthManifest, writeSynthDataset } from '../data/synth/write.node.js'
import type { NodeEnv } from '../nodes/env.js'
import { folderCheckpointIO, loadCheckpoint } from '../checkpoint/folder-store.node.js'
import { folderNeighbourCache } from '../train/mining/cache.node.js'

/** The shipped default model (a whole model: E, G, M), relative to this file in src/ or dist/. */
export const DEFAULT_MODEL = fileURLToPath(
  new URL('../../examples/models/default', import.meta.url),
)

/** Options of folderEnv. */
export interface FolderEnvOptions {
  /** Where relative input paths resolve (the preset's folder). */
  readonly inputDir: string
  /** Where outputs are written. */
  readonly outputDir: string
  /** Mined neighbour lists cache (default: the user cache folder); null: none. */
  readonly cacheDir?: string | null
  /** More folders inputs may be read from besides inputDir and outputDir (default: the cwd). */
  readonly readRoots?: readonly string[]
  /** Paths the user gave on the command line: read as given, not confined (never for writes). */
  readonly trusted?: ReadonlySet<string>
}

/**
 * `path` resolved with every symbolic link followed: the real path of the path itself or, for a
 * path not created yet (an output), of its nearest existing parent plus the rest.
 */
export function realPath(path: string): string {
  let existing = resolve(path)
  const rest: string[] = []
  for (;;) {
    try {
      return join(realpathSync(existing), ...rest)
    } catch {
      const parent = dirname(existing)
      if (parent === existing) return resolve(path)
      rest.unshift(basename(existing))
      existing = parent
    }
  }
}

/**
 * True when `path` is `root` or inside it, after following symbolic links on both (a link inside
 * the preset's folder that points elsewhere is elsewhere). Names starting with '..' ('..cache')
 * are inside.
 */
export function isInside(path: string, root: string): boolean {
  const r = relative(realPath(root), realPath(path))
  return !(r === '..' || r.startsWith(`..${sep}`) || isAbsolute(r))
}

/** URL-like specs ('https://…', 'file:…'); not Windows drive letters ('C:\\…'). */
function isUrlLike(p: string): boolean {
  return /^[a-z][a-z0-9+.-]+:/i.test(p)
}

/** A NodeEnv over folders. */
export function folderEnv(o: FolderEnvOptions): NodeEnv {
  const readRoots = o.readRoots ?? [process.cwd()]
  const roots = [o.inputDir, o.outputDir, ...readRoots]
  const allowed = [
    `${o.inputDir} (the preset's folder)`,
    `${o.outputDir} (the output folder)`,
    ...readRoots.map(
      (r) => `${r} (${resolve(r) === process.cwd() ? 'the working folder' : '--allow-read'})`,
    ),
  ].join(', ')
  /** ' (X after following links)' when the real path differs. */
  const linked = (full: string) => {
    const real = realPath(full)
    return real === full ? '' : ` (${real} after following links)`
  }
  const trusted = (p: string) => o.trusted?.has(p) === true
  const input = (p: string, what = 'path') => {
    const full = resolve(o.inputDir, p)
    if (isUrlLike(p))
      throw new InputError(
        'path/url',
        `${what}: URLs are not fetched by \`step run\`; download the file and give its path`,
        p,
      )
    if (trusted(p)) return full
    if (!roots.some((r) => isInside(full, r)))
      throw new InputError(
        'path/outside',
        `${what}: resolves to ${full}${linked(full)}, outside the folders a preset may read: ${allowed}; give it on the command line (--set) or allow its folder (--allow-read)`,
        p,
      )
    return full
  }
  const output = (p: string) => {
    const full = resolve(o.outputDir, p)
    if (!isInside(full, o.outputDir))
      throw new InputError(
        'path/outside',
        `resolves to ${full}${linked(full)}, outside the output folder ${o.outputDir}; outputs stay inside --out`,
        p,
      )
    return full
  }
  return {
    label: 'node',
    async readBytes(path) {
      const file = input(path)
      try {
        return new Uint8Array(await readFile(file))
      } catch (err) {
        const missing = (err as { code?: string }).code === 'ENOENT'
        throw new InputError(
          missing ? 'image/missing' : 'image/unreadable',
          missing ? `file not found: ${file}` : `cannot read ${file} (${errorMessage(err)})`,
          path,
        )
      }
    },
    async writeOutput(name, bytes) {
      const file = output(name)
      await mkdir(o.outputDir, { recursive: true })
      const tmp = `${file}.${process.pid}.tmp`
      const handle = await open(tmp, 'w')
      try {
        await handle.writeFile(bytes)
        await handle.sync()
      } finally {
        await handle.close()
      }
      await rename(tmp, file)
      return file
    },
    openDataset: (path) => openPairedDataset(folderStore(input(path))),
    async writeSynthDataset({ count, size, seed, onProgress }) {
      const path = join(o.outputDir, 'datasets', `synth-${count}-${size}-${seed}`)
      if (existsSync(join(path, 'styles.json'))) {
        const manifest = await readSynthManifest(path).catch(() => null)
        if (
          manifest &&
          manifest.samples.length === count &&
          manifest.size === size &&
          manifest.seed === seed
        )
          return { path, manifest }
      }
      const manifest = await writeSynthDataset({
        out: path,
        count,
        size,
        seed,
        ...(onProgress ? { onProgress } : {}),
      })
      return { path, manifest }
    },
    checkpointIO: (path) => folderCheckpointIO(output(path)),
    checkpointPath: output,
    loadCheckpoint(path) {
      if (path === 'default') return loadCheckpoint(DEFAULT_MODEL)
      const out = resolve(o.outputDir, path)
      const inOut = !isAbsolute(path) && isInside(out, o.outputDir) && existsSync(out)
      return loadCheckpoint(inOut ? out : input(path))
    },
    resolveInput: (path, what) => input(path, what),
    neighbourCache: () => (o.cacheDir === null ? undefined : folderNeighbourCache(o.cacheDir)),
  }
}
