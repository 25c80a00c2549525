/**
 * The photos of a folder and its subfolders (Node only), for `step dataset edges`: paths relative
 * to the folder, '/'-separated and sorted. Hidden folders (a leading '.') and links are not
 * followed; nesting deeper than MAX_PHOTO_DEPTH is counted and reported, never read silently.
 */
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { IMAGE_FILE } from './store.js'

/** How many folder levels below the given one are read. */
export const MAX_PHOTO_DEPTH = 8

/** What listPhotoTree found. */
export interface PhotoTree {
  /** Photo paths relative to the folder, e.g. 'beach/001.jpg'. */
  readonly files: readonly string[]
  /** Subfolders read (below the folder itself). */
  readonly folders: number
  /** Subfolders left out (hidden, or deeper than MAX_PHOTO_DEPTH), relative paths. */
  readonly ignored: readonly string[]
}

/** Lists `dir`'s photos, subfolders included (see the module comment). */
export async function listPhotoTree(dir: string): Promise<PhotoTree> {
  const files: string[] = []
  const ignored: string[] = []
  let folders = 0
  const walk = async (rel: string, depth: number): Promise<void> => {
    const entries = await readdir(join(dir, rel), { withFileTypes: true })
    for (const e of entries) {
      const path = rel ? `${rel}/${e.name}` : e.name
      if (e.isFile() && IMAGE_FILE.test(e.name)) files.push(path)
      else if (e.isDirectory()) {
        if (e.name.startsWith('.') || depth >= MAX_PHOTO_DEPTH) ignored.push(path)
        else {
          folders++
          await walk(path, depth + 1)
        }
      }
    }
  }
  await walk('', 0)
  return { files: files.sort(), folders, ignored: ignored.sort() }
}

/** The output name of the photo at relative path `path`: its folders joined with '_', as PNG. */
export function flatPngName(path: string): string {
  return `${path.replace(/\.[^./]+$/, '').replace(/\//g, '_')}.png`
}
