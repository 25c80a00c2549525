/**
 * The demo app (index.html, `npm start`): the editor with the default preset and the shipped
 * model. `?backend=webgpu|webgl|wasm|cpu` and `?preset=URL` override the element's attributes.
 */
import '@comfyorg/litegraph/style.css'
import './step-editor.js'

const params = new URLSearchParams(location.search)
const editor = document.querySelector('step-editor')
if (editor) {
  const backend = params.get('backend')
  const preset = params.get('preset')
  if (backend) editor.setAttribute('backend', backend)
  if (preset) editor.setAttribute('preset', preset)
}
