/**
 * The trained checkpoints an editor knows (from its runs, IndexedDB or imported files): the list
 * its footer shows, export to one .stepckpt file and import from one.
 */
import { html } from 'lit'
import { decodeBundle, encodeBundle } from '../checkpoint/bundle.js'
import { saveFile } from './editor-files.js'
import type { CheckpointItem } from './protocol.js'

/** A checkpoint as the footer lists it. */
export interface ModelEntry {
  readonly path: string
  readonly stage: string
  readonly step: number
}

/** Checkpoints by path. */
export class ModelShelf {
  private readonly items = new Map<string, CheckpointItem>()

  /** Adds or replaces checkpoints. */
  keep(items: readonly CheckpointItem[]): void {
    for (const item of items) this.items.set(item.path, item)
  }

  get size(): number {
    return this.items.size
  }

  /** Every checkpoint kept. */
  all(): CheckpointItem[] {
    return [...this.items.values()]
  }

  /** Path, stage and step of each. */
  list(): ModelEntry[] {
    return this.all().map((c) => ({ path: c.path, stage: c.manifest.stage, step: c.manifest.step }))
  }

  /** A checkpoint as one file's text (.stepckpt). */
  exportText(path: string): string {
    const c = this.items.get(path)
    if (!c) throw new Error(`no trained model '${path}'`)
    return encodeBundle({ path: c.path, manifest: c.manifest, files: new Map(c.files) })
  }

  /** Reads a .stepckpt file's text into a checkpoint (kept here too). */
  async importText(text: string, name: string): Promise<CheckpointItem> {
    const b = await decodeBundle(text, name)
    const item = { path: b.path, manifest: b.manifest, files: [...b.files.entries()] }
    this.keep([item])
    return item
  }
}

/** A footer link that downloads `m` as a .stepckpt file. */
export function modelLink(m: ModelEntry, exportText: (path: string) => string) {
  const exportIt = (e: Event) => {
    e.preventDefault()
    saveFile(`${m.path.replace(/\W+/g, '-')}.stepckpt`, exportText(m.path), 'application/json')
  }
  return html`<a href="#" title="export this checkpoint as one file" @click=${exportIt}
    >${m.path} (${m.stage} ${m.step})</a
  >`
}
