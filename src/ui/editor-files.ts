/** Files in and out of the editor: graph files (preset JSON or a provenance PNG) and downloads. */
import { sniffFormat } from '../core/image/header.js'
import { readPngText } from '../core/image/png-text.js'
import { presetFromBytes } from '../runtime/preset-source.js'

/** The preset JSON in `bytes`: a .json file, or the graph a StEP PNG carries (size-limited). */
export function parseGraphFile(bytes: Uint8Array, name: string): unknown {
  return presetFromBytes(bytes, name).json
}

/** The graph text a PNG carries, or null (not a PNG, or no graph in it). */
export function readGraphText(bytes: Uint8Array): string | null {
  if (sniffFormat(bytes) !== 'png') return null
  try {
    return readPngText(bytes, 'dropped file')['step-preset'] ?? null
  } catch {
    return null
  }
}

/** Offers `text` as a download named `name`. */
export function saveFile(name: string, text: string, type: string): void {
  const a = document.createElement('a')
  a.href = URL.createObjectURL(new Blob([text], { type }))
  a.download = name
  a.click()
}
