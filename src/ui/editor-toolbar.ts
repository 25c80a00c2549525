/** The editor's toolbar (run controls, editing, files, status line) and its node palette. */
import { html } from 'lit'
import { NODE_LIST } from '../nodes/index.js'

/** What the toolbar shows and does. */
export interface ToolbarHost {
  readonly running: boolean
  readonly live: boolean
  readonly status: string
  run(): unknown
  /** Runs the selected node and what it needs. */
  runSelected(): unknown
  toggleLive(): unknown
  cancel(): unknown
  undo(): unknown
  redo(): unknown
  fitView(): unknown
  arrange(): unknown
  reset(): unknown
  download(): unknown
  /** A file picked with Load (graph, provenance PNG or checkpoint). */
  pick(e: Event): unknown
  /** Shows or hides the run history. */
  toggleHistory(): unknown
}

/** The toolbar of `h`. */
export function toolbarTemplate(h: ToolbarHost) {
  const openPicker = (e: Event) =>
    ((e.currentTarget as HTMLElement).nextElementSibling as HTMLInputElement).click()
  return html`<div class="bar">
    <button
      class="primary"
      id="run"
      title="Run the graph (Ctrl+Enter)"
      ?disabled=${h.running}
      @click=${() => h.run()}
    >
      Run
    </button>
    <button id="run-to" ?disabled=${h.running} @click=${() => h.runSelected()}>
      Run to selected
    </button>
    <button
      id="live"
      title="Run the graph on camera frames (Webcam nodes)"
      @click=${() => h.toggleLive()}
    >
      ${h.live ? 'Stop live' : 'Live'}
    </button>
    <button id="cancel" ?disabled=${!h.running} @click=${() => h.cancel()}>Cancel</button>
    <button id="undo" title="Undo (Ctrl+Z)" @click=${() => h.undo()}>Undo</button>
    <button id="redo" title="Redo (Ctrl+Shift+Z, Ctrl+Y)" @click=${() => h.redo()}>Redo</button>
    <button id="fit" title="Fit the graph to the view (.)" @click=${() => h.fitView()}>Fit</button>
    <button id="arrange" title="Lay the graph out left to right" @click=${() => h.arrange()}>
      Arrange
    </button>
    <button
      id="reset"
      title="Start again from the default graph (Ctrl+Z brings yours back)"
      @click=${() => h.reset()}
    >
      Reset
    </button>
    <button id="save" @click=${() => h.download()}>Save</button>
    <label
      ><button @click=${openPicker}>Load</button
      ><input
        id="load"
        type="file"
        accept=".json,.png,.stepckpt"
        hidden
        @change=${(e: Event) => h.pick(e)}
    /></label>
    <button
      id="history-toggle"
      title="The last runs and their images"
      @click=${() => h.toggleHistory()}
    >
      History
    </button>
    <span class="status" id="status">${h.status}</span>
  </div>`
}

/** The palette: every node type by category; a click adds one (`add(type)`). */
export function paletteTemplate(add: (type: string) => void) {
  const categories = [...new Set(NODE_LIST.map((n) => n.category))]
  return html`<nav>
    ${categories.map(
      (c) =>
        html`<h4>${c.replace('StEP/', '')}</h4>
          ${NODE_LIST.filter((n) => n.category === c).map(
            (n) =>
              html`<button title=${n.description} @click=${() => add(n.type)}>${n.title}</button>`,
          )}`,
    )}
  </nav>`
}
