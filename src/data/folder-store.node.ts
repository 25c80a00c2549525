/** ImageStore over a folder on disk (Node only). */
import { readFile, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { InputError, errorMessage } from '../core/errors.js'
import { IMAGE_FILE, type ImageStore } from './store.js'

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory()
  } catch {
    return false
  }
}

/** The image files of `dir` (not recursive). Fails with InputError if `dir` is not a folder. */
export function folderStore(dir: string): ImageStore {
  return {
    label: dir,
    async list() {
      let entries: string[]
      try {
        const st = await stat(dir)
        if (!st.isDirectory())
          throw new InputError('data/not-a-folder', 'is a file, expected a dataset folder', dir)
        entries = await readdir(dir)
      } catch (err) {
        if (err instanceof InputError) throw err
        const code = (err as { code?: string }).code
        if (code === 'ENOENT') throw new InputError('data/missing', 'folder does not exist', dir)
        throw new InputError('data/unreadable', `cannot read folder (${errorMessage(err)})`, dir)
      }
      return entries.filter((n) => IMAGE_FILE.test(n)).sort()
    },
    hasChild: (name) => isDirectory(join(dir, name)),
    child: (name) => folderStore(join(dir, name)),
    async read(name) {
      const path = join(dir, name)
      try {
        const buf = await readFile(path)
        return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
      } catch (err) {
        const code = (err as { code?: string }).code
        throw new InputError(
          code === 'ENOENT' ? 'data/missing' : 'data/unreadable',
          code === 'ENOENT' ? 'file disappeared' : `cannot read file (${errorMessage(err)})`,
          path,
        )
      }
    },
    describe: (name) => join(dir, name),
  }
}
