/**
 * Child process of the crash-safety test: saves versions `start`, start + 1, ... of a model-sized
 * checkpoint into `dir` through the production write path, as fast as it can, until it is killed.
 * Prints `ready` before the first save and `saved <v>` after each (pipes are synchronous on Linux,
 * so the parent sees every line written before the kill). No tfjs: starts in well under a second.
 */
import { assembleCheckpoint } from '../../src/checkpoint/manifest.js'
import { writeCheckpointFiles } from '../../src/checkpoint/files.node.js'
import { versionDraft, versionGroups } from './checkpoint-versions.js'

const [dir, start] = process.argv.slice(2)
if (!dir || !start) throw new Error('usage: checkpoint-saver <dir> <first version>')
process.stdout.write('ready\n')
for (let v = Number(start); ; v++) {
  const { manifest, files } = await assembleCheckpoint(versionDraft(v), versionGroups(v))
  await writeCheckpointFiles(dir, manifest, files)
  process.stdout.write(`saved ${v}\n`)
}
