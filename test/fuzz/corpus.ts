/** The corpus of past fuzz failures (test/fuzz/corpus), replayed before every fuzz run. */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { PresetCase } from './preset-fuzz.js'

/** The corpus folder. */
export const CORPUS = join(import.meta.dirname, 'corpus')

/** The corpus: saved preset cases (`*.json` files, `*.obj.json` objects) and image files. */
export function corpusCases(): {
  presets: PresetCase[]
  images: { name: string; bytes: Uint8Array }[]
} {
  const list = (d: string) => {
    try {
      return readdirSync(join(CORPUS, d)).sort()
    } catch {
      return []
    }
  }
  return {
    presets: list('presets').map((f) => ({
      name: `corpus/${f}`,
      mode: f.endsWith('.obj.json') ? 'object' : 'file',
      text: readFileSync(join(CORPUS, 'presets', f), 'utf8'),
    })),
    images: list('images').map((f) => ({
      name: `corpus/${f}`,
      bytes: new Uint8Array(readFileSync(join(CORPUS, 'images', f))),
    })),
  }
}
