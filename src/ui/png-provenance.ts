/**
 * PNGs the editor saves carry the graph, like every PNG the project writes: the preset as
 * 'step-preset' and again as 'workflow' (litegraph's serialisation, the key node-graph tools look
 * for). No folder is recorded: the editor has none. Dropping such a PNG back restores the graph.
 */
import { encodePng } from '../core/image/encode.js'
import { presetText } from '../runtime/preset.js'
import type { Preset } from '../runtime/preset-schema.js'
import { PROVENANCE_KEYS } from '../runtime/preset-source.js'

/** The text chunks of a PNG saved from the editor showing `graph`. */
export function editorProvenance(graph: Preset): Record<string, string> {
  const text = presetText(graph)
  return { [PROVENANCE_KEYS.preset]: text, [PROVENANCE_KEYS.workflow]: text }
}

/** The pixels of `canvas` as PNG bytes with `text` chunks (alpha dropped, as our images have none). */
export function canvasPng(canvas: HTMLCanvasElement, text: Record<string, string>): Uint8Array {
  const ctx = canvas.getContext('2d')
  if (!ctx) throw new Error('canvas: no 2d context')
  const { width, height, data } = ctx.getImageData(0, 0, canvas.width, canvas.height)
  const rgb = new Uint8Array(width * height * 3)
  for (let i = 0; i < width * height; i++) {
    rgb[3 * i] = data[4 * i] ?? 0
    rgb[3 * i + 1] = data[4 * i + 1] ?? 0
    rgb[3 * i + 2] = data[4 * i + 2] ?? 0
  }
  return encodePng({ width, height, data: rgb }, text)
}

/** Offers `canvas` as a PNG download named `name`, carrying `text`. */
export function downloadCanvas(
  canvas: HTMLCanvasElement,
  name: string,
  text: Record<string, string>,
): void {
  const a = document.createElement('a')
  const bytes = canvasPng(canvas, text)
  a.href = URL.createObjectURL(new Blob([bytes.slice().buffer], { type: 'image/png' }))
  a.download = name
  a.click()
}
