/**
 * The executor's output cache: node outputs keyed by the node's cache key, with what they own
 * (tensors, model variables) reference-counted across entries so a value shared by two entries
 * is released only when both are gone. Bounded in bytes: least recently used entries are evicted
 * (and released) first; entries in use by the current run are never evicted. After a backend
 * fault, `relocate` moves each entry's tensors to the new backend or drops the entry.
 */
import type * as tf from '@tensorflow/tfjs'
import type { Releasable } from '../nodes/sockets.js'

interface Entry {
  readonly outputs: Readonly<Record<string, unknown>>
  readonly resources: readonly Releasable[]
  readonly bytes: number
  /** Every tensor the outputs hold (model variables included), for relocate. */
  readonly tensors: readonly tf.Tensor[]
  used: number
}

/** A bounded, releasing cache of node outputs. */
export class OutputCache {
  private readonly entries = new Map<string, Entry>()
  private readonly refs = new Map<Releasable, number>()
  private clock = 0

  /** `maxBytes`: the bound enforced by `trim`. */
  constructor(readonly maxBytes: number) {}

  /** The outputs under `key` (marking them used), or undefined. */
  get(key: string): Readonly<Record<string, unknown>> | undefined {
    const e = this.entries.get(key)
    if (!e) return undefined
    e.used = ++this.clock
    return e.outputs
  }

  /** Whether `key` is cached. */
  has(key: string): boolean {
    return this.entries.has(key)
  }

  /** Stores outputs owning `resources` and holding `tensors` (replacing an entry under `key`). */
  put(
    key: string,
    outputs: Readonly<Record<string, unknown>>,
    resources: readonly Releasable[],
    bytes: number,
    tensors: readonly tf.Tensor[] = [],
  ): void {
    for (const r of resources) this.refs.set(r, (this.refs.get(r) ?? 0) + 1)
    this.delete(key)
    this.entries.set(key, { outputs, resources, bytes, tensors, used: ++this.clock })
  }

  /**
   * Offers every tensor-holding entry's tensors to `move` (which puts them on another backend);
   * entries it refuses are released (their values are recomputed when next needed). Returns the
   * counts: `kept` counts only entries that held tensors (the others stay, untouched).
   */
  async relocate(
    move: (tensors: readonly tf.Tensor[]) => Promise<boolean>,
  ): Promise<{ kept: number; dropped: number }> {
    let kept = 0
    let dropped = 0
    for (const [key, e] of [...this.entries.entries()]) {
      if (e.tensors.length === 0) continue
      if (await move(e.tensors)) kept++
      else {
        this.delete(key, true)
        dropped++
      }
    }
    return { kept, dropped }
  }

  /**
   * Releases every entry without reading anything (after a lost device or context, whose values
   * cannot be read back); release errors are ignored. Returns how many entries were dropped.
   */
  dropAll(): number {
    const n = this.entries.size
    for (const key of [...this.entries.keys()]) this.delete(key, true)
    return n
  }

  /** Releases every entry whose key is not in `keep` (e.g. after the graph changed). */
  retainOnly(keep: ReadonlySet<string>): void {
    for (const key of [...this.entries.keys()]) if (!keep.has(key)) this.delete(key)
  }

  /** Evicts least recently used entries, except `pinned`, until within maxBytes. */
  trim(pinned: ReadonlySet<string> = new Set()): void {
    let total = this.bytes()
    if (total <= this.maxBytes) return
    const order = [...this.entries.entries()].sort((a, b) => a[1].used - b[1].used)
    for (const [key, e] of order) {
      if (total <= this.maxBytes) break
      if (pinned.has(key)) continue
      this.delete(key)
      total -= e.bytes
    }
  }

  /** Bytes held by all entries. */
  bytes(): number {
    let s = 0
    for (const e of this.entries.values()) s += e.bytes
    return s
  }

  /** Number of entries. */
  get size(): number {
    return this.entries.size
  }

  /** Releases everything. */
  clear(): void {
    for (const key of [...this.entries.keys()]) this.delete(key)
  }

  /** Removes an entry, releasing what no other entry holds; `failed`: release errors ignored. */
  private delete(key: string, failed = false): void {
    const e = this.entries.get(key)
    if (!e) return
    this.entries.delete(key)
    for (const r of e.resources) {
      const n = (this.refs.get(r) ?? 1) - 1
      if (n > 0) this.refs.set(r, n)
      else {
        this.refs.delete(r)
        if (!failed) r.dispose()
        else
          try {
            r.dispose()
          } catch {
            // the value lived on a backend that failed; its memory went with it
          }
      }
    }
  }
}
