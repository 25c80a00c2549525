/**
 * The demo app (index.html, `npm start`): the editor with the default preset and the shipped
 * model. `?backend=webgpu|webgl|wasm|cpu`, `?threads=N` (wasm threads; default every core) and
 * `?preset=URL` override the element's attributes; a preset in the address is shown even when an
 * edited graph was autosaved (without one, a reload brings the autosaved graph back).
 */
import '@comfyorg/litegraph/style.css'
import './step-editor.js'

const params = new URLSearchParams(location.search)
const editor = document.querySelector('step-editor')
if (editor) {
  for (const name of ['backend', 'threads', 'preset']) {
    const value = params.get(name)
    if (value) editor.setAttribute(name, value)
  }
  // a preset asked for in the address wins over the autosaved graph
  if (params.get('preset')) editor.setAttribute('start', 'preset')
}
