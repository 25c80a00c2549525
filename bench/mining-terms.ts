/**
 * The mining benchmark's per-image style rows ("features cached"): every form of every tap that
 * exact and projected mining use (Gram upper triangles, raw activations, Gram sketches), computed
 * by the library's `styleRows` from ResNet50 features of the synthetic dataset (seed 7, 64 px)
 * and kept on disk under ~/.cache/step-graph/bench/ (STEP_BENCH_CACHE overrides), keyed by
 * (format version, image size, dataset seed, extractor fingerprint, sketch dims, sketch seed).
 *
 * The synthetic generator is prefix-stable (image i is the same file for every count), so one
 * cache serves every N: it holds the first `count` images and is extended in chunks (each chunk
 * appended and recorded, so an interrupted extraction resumes), and N images read its prefix.
 */
import { existsSync } from 'node:fs'
import { mkdir, open, readFile, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { fingerprintOf } from '../src/core/fingerprint.js'
import { folderStore } from '../src/data/folder-store.node.js'
import { openPairedDataset } from '../src/data/paired.js'
import type { FeatureExtractor } from '../src/models/features/index.js'
import { styleRows, type LayerRows, type TermForm } from '../src/train/mining/mine.js'
import { StyleImages } from '../src/train/style-images.js'
import { synthData } from './common.js'

/** Bump when the stored rows change meaning. */
const FORMAT = 'bench-style-rows-v1'

/** What identifies the cached rows. */
export interface RowSource {
  readonly size: number
  readonly dataSeed: number
  readonly sketchDims: number
  readonly sketchSeed: number
}

interface Meta {
  format: string
  source: RowSource
  extractor: { fingerprint: string; description: string }
  count: number
  /** Wall seconds spent extracting the `count` images (all chunks, all runs). */
  extractSeconds: number
  layers: {
    layer: string
    form: TermForm
    rowLength: number
    positions: number
    channels: number
  }[]
}

/** Cached rows of the first n images. */
export interface BenchRows {
  readonly rows: LayerRows[]
  readonly n: number
  readonly dir: string
  /** Images extracted by this call (0 = warm cache). */
  readonly extractedNow: number
  /** Seconds this call spent extracting. */
  readonly extractSecondsNow: number
  /** Seconds per image over everything the cache holds (cold cost). */
  readonly secondsPerImage: number
}

export function cacheRoot(): string {
  return process.env.STEP_BENCH_CACHE ?? join(homedir(), '.cache', 'step-graph', 'bench')
}

function fileOf(dir: string, l: { layer: string; form: TermForm }): string {
  return join(dir, `${l.layer}.${l.form}.f32`)
}

async function readMeta(dir: string): Promise<Meta | null> {
  const file = join(dir, 'meta.json')
  if (!existsSync(file)) return null
  return JSON.parse(await readFile(file, 'utf8')) as Meta
}

/** Reads the first `floats` values of a file into a new Float32Array (chunked: reads <= 1 GiB). */
async function readPrefix(file: string, floats: number): Promise<Float32Array> {
  const out = new Float32Array(floats)
  const total = out.byteLength
  const fh = await open(file, 'r')
  try {
    // a byte view per chunk: one Uint8Array over the whole buffer cannot pass 2^32 bytes
    for (let pos = 0; pos < total;) {
      const chunk = new Uint8Array(out.buffer, pos, Math.min(2 ** 30, total - pos))
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, pos)
      if (bytesRead === 0) throw new Error(`${file}: ends at ${pos} bytes, need ${total}`)
      pos += bytesRead
    }
  } finally {
    await fh.close()
  }
  return out
}

/**
 * Rows of the first `n` images in the forms `forms` selects (undefined = all); extracts and
 * appends the missing images first (`chunk` images at a time).
 */
export async function benchRows(
  n: number,
  extractor: FeatureExtractor,
  source: RowSource,
  o: {
    forms?: (l: Meta['layers'][number]) => boolean
    chunk?: number
    log?: (line: string) => void
  } = {},
): Promise<BenchRows> {
  const key = fingerprintOf(FORMAT, source.size, source.dataSeed, extractor.fingerprint)
  const sketchKey = fingerprintOf(key, source.sketchDims, source.sketchSeed)
  const dir = join(cacheRoot(), `mining-rows-${sketchKey}`)
  await mkdir(dir, { recursive: true })
  let meta = await readMeta(dir)
  let extractedNow = 0
  let extractSecondsNow = 0
  if (!meta || meta.count < n) {
    const data = await synthData(n, source.size, source.dataSeed)
    const dataset = await openPairedDataset(folderStore(data), { valFraction: 0 })
    const images = new StyleImages(dataset, 'all', source.size, 64)
    const chunk = o.chunk ?? 500
    for (let from = meta?.count ?? 0; from < n; from += chunk) {
      const to = Math.min(n, from + chunk)
      const t0 = performance.now()
      const rows = await styleRows(
        images,
        extractor,
        ['exact', 'rerank', 'sketch'],
        { seed: source.sketchSeed, sketchDims: source.sketchDims },
        { from, to },
      )
      for (const r of rows) {
        const fh = await open(fileOf(dir, r), from === 0 ? 'w' : 'r+')
        try {
          await fh.write(
            new Uint8Array(r.rows.buffer),
            0,
            r.rows.byteLength,
            from * r.rowLength * 4,
          )
        } finally {
          await fh.close()
        }
      }
      const seconds = (performance.now() - t0) / 1000
      extractedNow += to - from
      extractSecondsNow += seconds
      meta = {
        format: FORMAT,
        source,
        extractor: { fingerprint: extractor.fingerprint, description: extractor.description },
        count: to,
        extractSeconds: (meta?.extractSeconds ?? 0) + seconds,
        layers: rows.map(({ layer, form, rowLength, positions, channels }) => ({
          layer,
          form,
          rowLength,
          positions,
          channels,
        })),
      }
      await writeFile(join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`)
      o.log?.(
        `mining rows: images ${from}-${to} extracted in ${seconds.toFixed(1)} s ` +
          `(${((seconds / (to - from)) * 1000).toFixed(0)} ms/image)`,
      )
    }
  }
  if (!meta) throw new Error('benchRows: nothing extracted')
  const rows: LayerRows[] = []
  for (const l of meta.layers) {
    if (o.forms && !o.forms(l)) continue
    rows.push({ ...l, rows: await readPrefix(fileOf(dir, l), n * l.rowLength) })
  }
  return {
    rows,
    n,
    dir,
    extractedNow,
    extractSecondsNow,
    secondsPerImage: meta.extractSeconds / meta.count,
  }
}
