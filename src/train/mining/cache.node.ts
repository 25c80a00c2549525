/** NeighbourCache in a folder on disk (Node): one JSON file per key, written atomically. */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { z } from 'zod'
import type { NeighbourCache } from './mine.js'
import type { NeighbourLists } from './neighbours.js'

const schema = z.object({
  format: z.literal('step-neighbours'),
  n: z.number().int().min(2),
  kNear: z.number().int().min(1),
  kFar: z.number().int().min(1),
  near: z.array(z.number().int()),
  far: z.array(z.number().int()),
})

/** Default cache folder: $XDG_CACHE_HOME/step-graph or ~/.cache/step-graph. */
export function defaultCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'step-graph')
}

/** A cache in `dir`; unreadable or malformed entries count as misses. */
export function folderNeighbourCache(dir: string = defaultCacheDir()): NeighbourCache {
  const file = (key: string): string => join(dir, `neighbours-${key}.json`)
  return {
    async load(key) {
      let json: unknown
      try {
        json = JSON.parse(await readFile(file(key), 'utf8'))
      } catch {
        return null
      }
      const parsed = schema.safeParse(json)
      if (!parsed.success) return null
      const { n, kNear, kFar, near, far } = parsed.data
      if (near.length !== n * kNear || far.length !== n * kFar) return null
      return { n, kNear, kFar, near: Int32Array.from(near), far: Int32Array.from(far) }
    },
    async save(key, lists: NeighbourLists) {
      await mkdir(dir, { recursive: true })
      const body = {
        format: 'step-neighbours',
        n: lists.n,
        kNear: lists.kNear,
        kFar: lists.kFar,
        near: Array.from(lists.near),
        far: Array.from(lists.far),
      }
      const tmp = `${file(key)}.${process.pid}.tmp`
      await writeFile(tmp, JSON.stringify(body))
      await rename(tmp, file(key))
    },
  }
}
