/** Safe output folders (Node): never write into a folder of someone else's files. */
import { mkdir, readdir } from 'node:fs/promises'
import { InputError, errorMessage } from '../core/errors.js'

/**
 * Creates `dir` if needed. An existing non-empty folder is accepted only if it holds `marker`
 * (a manifest this project wrote there before, so rewriting it is expected); otherwise InputError.
 */
export async function prepareOutputDir(dir: string, marker: string): Promise<void> {
  let entries: string[] = []
  try {
    entries = await readdir(dir)
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code === 'ENOTDIR')
      throw new InputError('output/not-a-folder', 'is a file, expected an output folder', dir)
    if (code !== 'ENOENT')
      throw new InputError('output/unreadable', `cannot read folder (${errorMessage(err)})`, dir)
  }
  if (entries.length > 0 && !entries.includes(marker)) {
    throw new InputError(
      'output/not-empty',
      `folder is not empty and holds no ${marker} from a previous run; choose an empty or new folder so no files are overwritten`,
      dir,
    )
  }
  try {
    await mkdir(dir, { recursive: true })
  } catch (err) {
    throw new InputError('output/unwritable', `cannot create folder (${errorMessage(err)})`, dir)
  }
}
