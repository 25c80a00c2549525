/**
 * Mining benchmark: projected (Gram sketch) vs exact neighbour lists on synthetic data with the
 * resnet50 features — recall@5 of projected against exact, and wall time for each N.
 * Projected = Gram sketch candidates (all pairs) + exact re-ranking of each image's closest
 * `--rerank` candidates (0 = sketch order only).
 * Run: npx tsx bench/mining.ts [--n 1000,2000,4000] [--exact-at 2000] [--dims 1024] [--rerank 32]
 */
import { parseArgs } from 'node:util'
import { folderStore } from '../src/data/node-store.js'
import { openPairedDataset } from '../src/data/paired.js'
import { loadFeatureExtractor } from '../src/models/features/index.js'
import { initBackend } from '../src/runtime/backend.js'
import { DEFAULT_RERANK, mineNeighbours } from '../src/train/mining/mine.js'
import { recallAtK } from '../src/train/mining/neighbours.js'
import { StyleImages } from '../src/train/style-images.js'
import { machine, since, synthData, writeResult } from './common.js'

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '1000,2000,4000' },
    'exact-at': { type: 'string', default: '2000' },
    dims: { type: 'string', default: '1024' },
    rerank: { type: 'string', default: String(DEFAULT_RERANK) },
    backend: { type: 'string', default: 'wasm' },
  },
})
const sizes = (values.n ?? '').split(',').map(Number)
const exactAt = new Set((values['exact-at'] ?? '').split(',').map(Number))
const dims = Number(values.dims)
const rerank = Number(values.rerank)

const info = await initBackend({ prefer: values.backend as 'wasm' })
const extractor = await loadFeatureExtractor('resnet50')
const rows: Record<string, unknown>[] = []
for (const n of sizes) {
  const dir = await synthData(n, 64, 7)
  const dataset = await openPairedDataset(folderStore(dir), { valFraction: 0 })
  const images = new StyleImages(dataset, 'all', 64, n)
  const fp = await dataset.fingerprint('all')
  const t0 = performance.now()
  const projected = await mineNeighbours(images, extractor, fp, {
    mode: 'projected',
    sketchDims: dims,
    rerank,
    seed: 1,
  })
  const row: Record<string, unknown> = {
    n,
    mode: 'projected',
    sketchDims: dims,
    rerank,
    seconds: since(t0),
    featureSeconds: projected.featureSeconds,
    neighbourSeconds: projected.neighbourSeconds,
    dims: projected.dims,
  }
  if (exactAt.has(n)) {
    const t1 = performance.now()
    const exact = await mineNeighbours(images, extractor, fp, { mode: 'exact', seed: 1 })
    rows.push({
      n,
      mode: 'exact',
      seconds: since(t1),
      featureSeconds: exact.featureSeconds,
      neighbourSeconds: exact.neighbourSeconds,
      dims: exact.dims,
    })
    row.recall_at_5 = Number(recallAtK(exact.lists, projected.lists, 5).toFixed(4))
  }
  rows.push(row)
  console.error(JSON.stringify(row))
}
extractor.dispose()
await writeResult('mining', {
  machine: machine(),
  backend: info.backend,
  features: extractor.description,
  mining: rows,
})
