/**
 * Undo / redo wired to a litegraph graph: `changed()` after every edit records one step per user
 * action (a delete unlinks, then removes: several litegraph changes, one step, recorded once the
 * action's event handler has finished); `undo()` / `redo()` configure the graph from the
 * snapshot (graph-history.ts), which is not itself recorded.
 */
import type { LGraph } from '@comfyorg/litegraph'
import { GraphHistory } from './graph-history.js'

/** Undo / redo of one graph. */
export class GraphUndo {
  private readonly history = new GraphHistory()
  private restoring = false
  private pending = false

  /**
   * `snapshot`: the graph serialised (what a step stores); `restored`: called after undo / redo
   * changed the graph (to redraw, autosave and tell listeners).
   */
  constructor(
    private readonly graph: LGraph,
    private readonly snapshot: () => string,
    private readonly restored: () => void,
  ) {}

  /** Call after an edit: records the graph's new state as one step. */
  changed(): void {
    if (this.restoring || this.pending) return
    this.pending = true
    queueMicrotask(() => {
      this.pending = false
      this.history.record(this.snapshot())
    })
  }

  /** Whether a restore is under way (its own change events are not edits). */
  get busy(): boolean {
    return this.restoring
  }

  /** Undoes the last step; false when there is none. */
  undo(): boolean {
    return this.restore(this.history.undo())
  }

  /** Redoes the last undone step; false when there is none. */
  redo(): boolean {
    return this.restore(this.history.redo())
  }

  private restore(snapshot: string | null): boolean {
    if (snapshot === null) return false
    this.restoring = true
    try {
      this.graph.configure(JSON.parse(snapshot) as Parameters<LGraph['configure']>[0])
      this.history.replaceCurrent(this.snapshot())
      this.restored()
    } finally {
      this.restoring = false
    }
    return true
  }
}
