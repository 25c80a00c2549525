/** Safe output folders (Node): never write into a folder of someone else's files. */
import { mkdir, readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { InputError, errorMessage } from '../core/errors.js'

/**
 * Creates `dir` if needed. An existing non-empty folder is accepted only if it holds `marker`, a
 * JSON manifest this project wrote there before and that `recognise` accepts (so rewriting the
 * folder is expected); otherwise InputError 'output/not-empty' and nothing is touched.
 * Resolves to the previous manifest's JSON, or null for a new or empty folder.
 */
export async function prepareOutputDir(
  dir: string,
  marker: string,
  recognise: (manifest: unknown) => boolean = () => true,
): Promise<unknown> {
  let entries: string[] = []
  try {
    entries = await readdir(dir)
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code === 'ENOTDIR') {
      throw new InputError('output/not-a-folder', 'is a file, expected an output folder', dir)
    }
    if (code !== 'ENOENT') {
      throw new InputError('output/unreadable', `cannot read folder (${errorMessage(err)})`, dir)
    }
  }
  const refuse = (why: string): InputError =>
    new InputError(
      'output/not-empty',
      `folder is not empty and ${why}; choose an empty or new folder so no files are overwritten`,
      dir,
    )
  let previous: unknown = null
  if (entries.length > 0) {
    if (!entries.includes(marker)) throw refuse(`holds no ${marker} from a previous run`)
    try {
      previous = JSON.parse(await readFile(join(dir, marker), 'utf8'))
    } catch {
      previous = undefined
    }
    if (previous === undefined || !recognise(previous)) {
      throw refuse(`its ${marker} was not written by this command`)
    }
  }
  try {
    await mkdir(dir, { recursive: true })
  } catch (err) {
    throw new InputError('output/unwritable', `cannot create folder (${errorMessage(err)})`, dir)
  }
  return previous
}
