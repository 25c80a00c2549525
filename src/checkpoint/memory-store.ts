/**
 * Checkpoints kept in memory as encoded bytes (what a browser run uses; the editor can persist
 * the bytes to IndexedDB or offer them as files). Same manifest and weight format as folders.
 */
import { InputError } from '../core/errors.js'
import type { CheckpointIO, CheckpointManifest } from './format.js'
import { decodeVerified, encodeCheckpoint } from './format.js'
import type { LoadedCheckpoint } from './loaded.js'

/** Checkpoints, loss logs and sample sheets by path. */
export class CheckpointShelf {
  readonly checkpoints = new Map<
    string,
    { manifest: CheckpointManifest; files: Map<string, ArrayBuffer> }
  >()
  readonly logs = new Map<string, object[]>()
  readonly samples = new Map<string, Map<number, Uint8Array>>()

  /**
   * Decodes the checkpoint stored under `path` (each file checked against its manifest's size and
   * SHA-256), or null. The caller disposes the tensors.
   */
  async load(path: string): Promise<LoadedCheckpoint | null> {
    const c = this.checkpoints.get(path)
    if (!c) return null
    const groups: LoadedCheckpoint['groups'] = {}
    try {
      for (const [group, w] of Object.entries(c.manifest.weights)) {
        const data = c.files.get(w.file)
        if (!data)
          throw new InputError('checkpoint/missing', `weights file ${w.file} is missing`, path)
        groups[group] = await decodeVerified(w, data, path)
      }
    } catch (err) {
      for (const g of Object.values(groups)) for (const t of g) t.tensor.dispose()
      throw err
    }
    return { manifest: c.manifest, groups }
  }

  /** CheckpointIO under `path`. */
  io(path: string): CheckpointIO {
    return {
      label: path,
      load: () => this.load(path),
      exists: () => Promise.resolve(this.checkpoints.has(path)),
      save: async (draft, groups) => {
        const { manifest, files } = await encodeCheckpoint(draft, groups)
        this.checkpoints.set(path, { manifest, files })
        return manifest
      },
      log: (record) => {
        const log = this.logs.get(path) ?? []
        log.push(record)
        this.logs.set(path, log)
        return Promise.resolve()
      },
      truncateLog: (step) => {
        const log = this.logs.get(path) ?? []
        this.logs.set(
          path,
          log.filter((r) => ((r as { step?: number }).step ?? 0) <= step),
        )
        return Promise.resolve()
      },
      writeSample: (step, png) => {
        const s = this.samples.get(path) ?? new Map<number, Uint8Array>()
        s.set(step, png)
        this.samples.set(path, s)
        return Promise.resolve()
      },
    }
  }
}
