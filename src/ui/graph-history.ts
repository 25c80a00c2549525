/**
 * Undo / redo over graph edits: a bounded list of graph snapshots (serialised presets). The
 * editor records a snapshot after every change litegraph reports (links, moves, deletes, pastes,
 * widget edits, loads); a snapshot equal to the current one is not a step. Undo and redo hand
 * back the snapshot to restore; restoring is not recorded.
 */

/** Steps kept by default (older ones are dropped). */
export const HISTORY_LIMIT = 100

/** The undo / redo stacks of one graph. */
export class GraphHistory {
  private readonly past: string[] = []
  private future: string[] = []
  private current: string | null = null

  constructor(private readonly limit = HISTORY_LIMIT) {}

  /** Records `snapshot` as the graph's new state; returns whether it was a new step. */
  record(snapshot: string): boolean {
    if (snapshot === this.current) return false
    if (this.current !== null) {
      this.past.push(this.current)
      if (this.past.length > this.limit) this.past.shift()
    }
    this.current = snapshot
    this.future = []
    return true
  }

  /** The state before the current one (now current), or null when there is none. */
  undo(): string | null {
    const previous = this.past.pop()
    if (previous === undefined || this.current === null) return null
    this.future.push(this.current)
    this.current = previous
    return previous
  }

  /** The state undone last (now current again), or null when there is none. */
  redo(): string | null {
    const next = this.future.pop()
    if (next === undefined || this.current === null) return null
    this.past.push(this.current)
    this.current = next
    return next
  }

  /** Replaces the current state's snapshot without making a step (e.g. its re-serialised form). */
  replaceCurrent(snapshot: string): void {
    if (this.current !== null) this.current = snapshot
  }

  /** Whether undo / redo have a step to go to. */
  get canUndo(): boolean {
    return this.past.length > 0
  }

  get canRedo(): boolean {
    return this.future.length > 0
  }
}
