/**
 * `step dataset edges`: turns a folder of the user's photos into an edges2photos dataset of
 * side-by-side A|B PNGs (A = Canny edge drawing, B = the photo), fitted to a square size.
 * Unreadable photos are reported and skipped; the photos themselves are only read.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { StepError, errorMessage } from '../core/errors.js'
import { joinHorizontal } from '../core/image/compose.js'
import { decodeImage } from '../core/image/decode.js'
import { encodePng } from '../core/image/encode.js'
import { fitImage, type FitPolicy } from '../core/image/resize.js'
import { detectEdges, type EdgeOptions } from './edges/index.js'
import { folderStore } from './folder-store.node.js'
import { prepareOutputDir } from './output-dir.node.js'
import { stem } from './store.js'

/** Options of buildEdgesDataset. */
export interface EdgesDatasetOptions {
  readonly from: string
  readonly out: string
  readonly size: number
  readonly fit?: FitPolicy
  readonly edges?: EdgeOptions
  readonly onProgress?: (done: number, total: number) => void
  /** Called once per skipped file with a one-line reason naming it. */
  readonly onSkip?: (message: string) => void
}

/** What buildEdgesDataset wrote. */
export interface EdgesDatasetResult {
  readonly written: number
  readonly skipped: readonly string[]
}

/** Manifest written next to the pairs; also marks the folder as ours for re-runs. */
export const EDGES_MANIFEST = 'edges.json'

/** Builds the dataset; see the module comment. */
export async function buildEdgesDataset(opts: EdgesDatasetOptions): Promise<EdgesDatasetResult> {
  const photos = folderStore(opts.from)
  const names = await photos.list()
  if (names.length === 0) throw new StepError('data/empty', 'no PNG/JPEG photos found', opts.from)
  await prepareOutputDir(opts.out, EDGES_MANIFEST)
  const skipped: string[] = []
  const written: string[] = []
  for (const [i, name] of names.entries()) {
    try {
      const photo = fitImage(
        decodeImage(await photos.read(name), { where: photos.describe(name) }),
        opts.size,
        opts.size,
        opts.fit ?? 'cover',
      )
      const outName = `${stem(name)}.png`
      await writeFile(
        join(opts.out, outName),
        encodePng(joinHorizontal(detectEdges(photo, opts.edges), photo)),
      )
      written.push(outName)
    } catch (err) {
      const message = errorMessage(err)
      skipped.push(message)
      opts.onSkip?.(message)
    }
    opts.onProgress?.(i + 1, names.length)
  }
  const manifest = {
    format: 'step-edges',
    version: 1,
    from: opts.from,
    size: opts.size,
    fit: opts.fit ?? 'cover',
    edges: opts.edges ?? {},
    pairs: written,
    skipped,
  }
  await writeFile(join(opts.out, EDGES_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`)
  return { written: written.length, skipped }
}
