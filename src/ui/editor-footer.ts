/** The editor's backend controls in its footer: a backend menu, what runs and why. */
import { html } from 'lit'
import type { BackendChoice } from '../runtime/backend.js'
import { BACKEND_CHOICES } from './backend-choice.js'
import type { EditorBackendInfo } from './editor-backend.js'

/**
 * A menu of backends (changing it restarts the worker on that backend), the backend running with
 * its adapter, renderer or threads, and why it was chosen (every attempt in the tooltip).
 */
export function backendControls(
  choice: BackendChoice,
  info: EditorBackendInfo | null,
  choose: (choice: BackendChoice) => void,
) {
  const why = info?.why ? html`<span id="backend-why"> (${info.why})</span>` : null
  const onChange = (e: Event) => choose((e.target as HTMLSelectElement).value as BackendChoice)
  return html`<select
      id="backend-choice"
      title="The tfjs backend graphs run on (changing it restarts the worker)"
      aria-label="backend"
      @change=${onChange}
    >
      ${BACKEND_CHOICES.map((c) => html`<option value=${c} ?selected=${c === choice}>${c}</option>`)}
    </select>
    <span id="backend" title=${info?.attempts.join('\n') ?? ''}
      >${`backend: ${info ? info.label : '…'}`}${why}</span
    >`
}
