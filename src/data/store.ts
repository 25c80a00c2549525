/**
 * Where dataset images come from: a folder on disk (folder-store.node.ts), a list of dropped Files in a
 * browser (browser-store.ts). Datasets only see this interface, so they run on both.
 */

/** A named, listable collection of image files. */
export interface ImageStore {
  /** Shown in errors: the folder path or a label such as 'dropped files'. */
  readonly label: string
  /** Relative names of the image files (PNG/JPEG), sorted. */
  list(): Promise<string[]>
  /** Whether a sub-collection (e.g. 'A' or 'B') exists. */
  hasChild(name: string): Promise<boolean>
  /** The sub-collection `name` (a sub-folder). */
  child(name: string): ImageStore
  /** The bytes of one file. */
  read(name: string): Promise<Uint8Array>
  /** The path or label of one file, for error messages. */
  describe(name: string): string
}

/** File names the datasets accept. */
export const IMAGE_FILE = /\.(png|jpe?g)$/i

/** A file name without its extension ('shoe_01.jpg' -> 'shoe_01'). */
export function stem(name: string): string {
  return name.replace(/\.[^./]+$/, '')
}
