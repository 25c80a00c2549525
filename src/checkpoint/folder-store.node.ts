/**
 * Checkpoint folders on disk (Node): saving through files.node.ts (crash-safe: at every
 * moment the folder holds a complete, loadable checkpoint) and loading with every weights file
 * checked against the size and SHA-256 its manifest records.
 */
import { mkdir, readFile, writeFile, appendFile } from 'node:fs/promises'
import { join } from 'node:path'
import { InputError } from '../core/errors.js'
import {
  decodeVerified,
  encodeCheckpoint,
  parseManifest,
  type CheckpointDraft,
  type CheckpointIO,
  type CheckpointManifest,
  type TensorGroup,
} from './format.js'
import { writeAtomic, writeCheckpointFiles } from './files.node.js'
import type { LoadedCheckpoint } from './loaded.js'

export type { LoadedCheckpoint } from './loaded.js'

/** Saves `groups` with `draft` into `dir` (see files.node.ts for the write order). */
export async function saveCheckpoint(
  dir: string,
  draft: CheckpointDraft,
  groups: Record<string, TensorGroup>,
): Promise<CheckpointManifest> {
  const { manifest, files } = await encodeCheckpoint(draft, groups)
  await writeCheckpointFiles(dir, manifest, files)
  return manifest
}

/** Reads only the manifest of the checkpoint in `dir`. */
export async function readManifest(dir: string): Promise<CheckpointManifest> {
  const path = join(dir, 'manifest.json')
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    const missing = (err as { code?: string }).code === 'ENOENT'
    throw new InputError(
      'checkpoint/missing',
      missing ? 'no checkpoint here (manifest.json not found)' : `cannot read (${String(err)})`,
      missing ? dir : path,
    )
  }
  return parseManifest(text, path)
}

/**
 * Loads the checkpoint in `dir`, verifying every weights file. A file that vanished because a
 * save in another process committed a newer manifest meanwhile makes it read the new one.
 */
export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  for (let attempt = 0; ; attempt++) {
    const manifest = await readManifest(dir)
    const groups: LoadedCheckpoint['groups'] = {}
    try {
      for (const [group, w] of Object.entries(manifest.weights)) {
        const path = join(dir, w.file)
        let buf: Buffer
        try {
          buf = await readFile(path)
        } catch {
          throw new InputError('checkpoint/missing', `weights file for '${group}' is missing`, path)
        }
        const data = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)
        groups[group] = await decodeVerified(w, data as ArrayBuffer, dir, path)
      }
      return { manifest, groups }
    } catch (err) {
      for (const g of Object.values(groups)) for (const t of g) t.tensor.dispose()
      const replaced =
        err instanceof InputError &&
        err.code === 'checkpoint/missing' &&
        attempt < 3 &&
        JSON.stringify(await readManifest(dir).catch(() => null)) !== JSON.stringify(manifest)
      if (!replaced) throw err
    }
  }
}

/** Whether `dir` holds a checkpoint manifest. */
export async function hasCheckpoint(dir: string): Promise<boolean> {
  try {
    await readFile(join(dir, 'manifest.json'))
    return true
  } catch {
    return false
  }
}

/** Appends one JSON line to `dir`/`file` (the loss log). */
export async function appendJsonl(dir: string, file: string, record: object): Promise<void> {
  await mkdir(dir, { recursive: true })
  await appendFile(join(dir, file), `${JSON.stringify(record)}\n`)
}

/** Rewrites `dir`/`file` keeping only the lines whose `step` is <= `step` (on resume). */
export async function truncateJsonl(dir: string, file: string, step: number): Promise<void> {
  let text: string
  try {
    text = await readFile(join(dir, file), 'utf8')
  } catch {
    return
  }
  const keep = text.split('\n').filter((line) => {
    if (!line.trim()) return false
    try {
      return ((JSON.parse(line) as { step?: number }).step ?? 0) <= step
    } catch {
      return false
    }
  })
  await writeFile(join(dir, file), keep.length ? `${keep.join('\n')}\n` : '')
}

/** Path of the sample sheet of `step` inside a checkpoint folder: samples/step-000100.png. */
export function samplePath(dir: string, step: number): string {
  return join(dir, 'samples', `step-${String(step).padStart(6, '0')}.png`)
}

/**
 * CheckpointIO over the folder `dir` with the loss log in `dir`/loss.jsonl and sample sheets in
 * `dir`/samples/.
 */
export function folderCheckpointIO(dir: string): CheckpointIO {
  return {
    label: dir,
    load: async () => ((await hasCheckpoint(dir)) ? loadCheckpoint(dir) : null),
    exists: () => hasCheckpoint(dir),
    save: (draft, groups) => saveCheckpoint(dir, draft, groups),
    log: (record) => appendJsonl(dir, 'loss.jsonl', record),
    truncateLog: (step) => truncateJsonl(dir, 'loss.jsonl', step),
    writeSample: async (step, png) => {
      await mkdir(join(dir, 'samples'), { recursive: true })
      await writeAtomic(samplePath(dir, step), png)
    },
  }
}
