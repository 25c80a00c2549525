/** ImageStore over Files a user picked or dropped in a browser (names may contain 'A/' or 'B/'). */
import { InputError } from '../core/errors.js'
import { IMAGE_FILE, type ImageStore } from './store.js'

/** Files keyed by relative path, e.g. from `webkitRelativePath` or a drop of a folder. */
export function fileStore(
  files: ReadonlyMap<string, Blob>,
  label = 'dropped files',
  prefix = '',
): ImageStore {
  const inFolder = (path: string): string | null => {
    if (!path.startsWith(prefix)) return null
    const rest = path.slice(prefix.length)
    return rest.includes('/') ? null : rest
  }
  return {
    label: prefix ? `${label}/${prefix.slice(0, -1)}` : label,
    list: () =>
      Promise.resolve(
        [...files.keys()]
          .map(inFolder)
          .filter((n): n is string => n !== null && IMAGE_FILE.test(n))
          .sort(),
      ),
    hasChild: (name) =>
      Promise.resolve([...files.keys()].some((p) => p.startsWith(`${prefix}${name}/`))),
    child: (name) => fileStore(files, label, `${prefix}${name}/`),
    async read(name) {
      const blob = files.get(prefix + name)
      if (!blob) throw new InputError('data/missing', 'no such file', `${label}/${prefix}${name}`)
      return new Uint8Array(await blob.arrayBuffer())
    },
    describe: (name) => `${label}/${prefix}${name}`,
  }
}
