/**
 * Checkpoint folders on disk (Node). A save writes the new weights files, then replaces
 * manifest.json atomically (temp file + rename), then removes weights files no manifest refers
 * to: at every moment the folder holds a complete, loadable checkpoint.
 */
import { mkdir, readFile, readdir, rename, rm, writeFile, appendFile, open } from 'node:fs/promises'
import { join } from 'node:path'
import type * as tf from '@tensorflow/tfjs'
import { InputError } from '../core/errors.js'
import {
  decodeGroup,
  encodeCheckpoint,
  parseManifest,
  type CheckpointDraft,
  type CheckpointIO,
  type CheckpointManifest,
  type TensorGroup,
} from './checkpoint.js'

/** A loaded checkpoint: its manifest and every weights group. The caller disposes the tensors. */
export interface LoadedCheckpoint {
  readonly manifest: CheckpointManifest
  readonly groups: Record<string, { name: string; tensor: tf.Tensor }[]>
}

async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`
  const handle = await open(tmp, 'w')
  try {
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(tmp, path)
}

/** Saves `groups` with `draft` into `dir` (see the module comment). */
export async function saveCheckpoint(
  dir: string,
  draft: CheckpointDraft,
  groups: Record<string, TensorGroup>,
): Promise<CheckpointManifest> {
  await mkdir(dir, { recursive: true })
  const { manifest, files } = await encodeCheckpoint(draft, groups)
  for (const [file, data] of files) await writeAtomic(join(dir, file), new Uint8Array(data))
  await writeAtomic(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  const keep = new Set(files.keys())
  for (const f of await readdir(dir))
    if (f.endsWith('.bin') && !keep.has(f)) await rm(join(dir, f), { force: true })
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

/** Loads the checkpoint in `dir`. */
export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const manifest = await readManifest(dir)
  const groups: LoadedCheckpoint['groups'] = {}
  for (const [group, w] of Object.entries(manifest.weights)) {
    const path = join(dir, w.file)
    let buf: Buffer
    try {
      buf = await readFile(path)
    } catch {
      throw new InputError('checkpoint/missing', `weights file for '${group}' is missing`, path)
    }
    const data = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer
    groups[group] = decodeGroup(data, w.specs, path)
  }
  return { manifest, groups }
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
