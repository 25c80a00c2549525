/**
 * Crash-safe writing of a checkpoint folder (Node). The order makes every moment of a save leave
 * a complete, loadable checkpoint, whether the process is killed or the machine loses power:
 *  1. each weights file goes to `<name>.<pid>.tmp`, is fsynced and renamed to its final name;
 *     names carry a SHA-256 prefix (checkpoint/manifest.ts), so no file the current manifest
 *     refers to is ever overwritten, and a half-written temp file never has a name a manifest uses;
 *  2. the folder is fsynced (the renames are durable);
 *  3. manifest.json is replaced the same way (temp, fsync, rename, fsync of the folder): this
 *     rename is the commit point;
 *  4. only then are weights files no manifest refers to, and temp files of dead processes, removed.
 * fsync of a folder is not possible on every platform (Windows): there it is skipped.
 * No tfjs here (see checkpoint/manifest.ts).
 */
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { CheckpointManifest } from './manifest.js'

/** Writes `data` to `path` through a fsynced temp file and a rename. */
export async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`
  const handle = await open(tmp, 'w')
  try {
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(tmp, path)
}

/** fsyncs a folder so renames inside it survive a power loss (skipped where folders can't be opened). */
export async function syncDir(dir: string): Promise<void> {
  let handle
  try {
    handle = await open(dir, 'r')
  } catch {
    return // Windows: folders cannot be opened for fsync
  }
  try {
    await handle.sync()
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code !== 'EINVAL' && code !== 'EPERM' && code !== 'EISDIR') throw err
  } finally {
    await handle.close()
  }
}

/** Whether process `pid` is alive (ours always is). */
function alive(pid: number): boolean {
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM'
  }
}

/** Removes `*.<pid>.tmp` files left in `dir` by processes that died while saving. */
async function removeDeadTemps(dir: string): Promise<void> {
  for (const f of await readdir(dir)) {
    const m = /\.(\d+)\.tmp$/.exec(f)
    if (m && !alive(Number(m[1]))) await rm(join(dir, f), { force: true })
  }
}

/** Writes a checkpoint's files and manifest into `dir` in the order described above. */
export async function writeCheckpointFiles(
  dir: string,
  manifest: CheckpointManifest,
  files: ReadonlyMap<string, ArrayBuffer>,
): Promise<void> {
  await mkdir(dir, { recursive: true })
  for (const [file, data] of files) await writeAtomic(join(dir, file), new Uint8Array(data))
  await syncDir(dir)
  await writeAtomic(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  await syncDir(dir)
  const keep = new Set(files.keys())
  for (const f of await readdir(dir))
    if (f.endsWith('.bin') && !keep.has(f)) await rm(join(dir, f), { force: true })
  await removeDeadTemps(dir)
}
