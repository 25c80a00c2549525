/**
 * The editor's own keyboard shortcuts (litegraph handles Delete / Backspace, Ctrl+A and
 * Ctrl+C / Ctrl+V itself once its canvas has focus): Ctrl+Z undo, Ctrl+Shift+Z or Ctrl+Y redo,
 * Ctrl+Enter run, '.' fit the graph to the view. Cmd works for Ctrl on macOS.
 */

/** What a shortcut asks the editor to do. */
export type EditorCommand = 'undo' | 'redo' | 'run' | 'fit'

/** The keys of a keyboard event that matter here. */
export interface KeyPress {
  readonly key: string
  readonly ctrlKey: boolean
  readonly metaKey: boolean
  readonly shiftKey: boolean
  readonly altKey: boolean
}

/** The command `e` is a shortcut for, or null. */
export function keyCommand(e: KeyPress): EditorCommand | null {
  const mod = e.ctrlKey || e.metaKey
  const key = e.key.toLowerCase()
  if (e.altKey) return null
  if (mod && key === 'z') return e.shiftKey ? 'redo' : 'undo'
  if (mod && key === 'y' && !e.shiftKey) return 'redo'
  if (mod && key === 'enter') return 'run'
  if (!mod && !e.shiftKey && key === '.') return 'fit'
  return null
}

/** Whether a key event comes from a text field (shortcuts must not steal its keys). */
export function fromTextEntry(e: Event): boolean {
  const target = e.composedPath()[0]
  if (!(target instanceof HTMLElement)) return false
  return /^(input|textarea|select)$/i.test(target.tagName) || target.isContentEditable
}
