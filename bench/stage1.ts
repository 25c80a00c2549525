/**
 * Stage-1 benchmark and acceptance run: synthetic data (1000 training images at 64 px), resnet50
 * features, projected mining, 400 steps of the small encoder; then style-retrieval precision@5 on
 * a held-out synthetic set (512 images, another seed) for the encoder, the Gram teacher (exact),
 * an untrained encoder and chance. Phase times are wall-clock on this machine.
 * Run: npx tsx bench/stage1.ts [--train 1000] [--eval 512] [--steps 400] [--backend wasm]
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { folderStore } from '../src/data/folder-store.node.js'
import { openPairedDataset } from '../src/data/paired.js'
import { readSynthManifest } from '../src/data/synth/write.node.js'
import { SMALL } from '../src/models/configs.js'
import { createEncoder } from '../src/models/encoder.js'
import { loadFeatureExtractor } from '../src/models/features/index.js'
import { initBackend } from '../src/runtime/backend.js'
import { folderCheckpointIO } from '../src/checkpoint/folder-store.node.js'
import {
  chancePrecision,
  encoderPrecision,
  precisionAtK,
} from '../src/train/eval/encoder-precision.js'
import { folderNeighbourCache } from '../src/train/mining/cache.node.js'
import { mineNeighbours } from '../src/train/mining/mine.js'
import { trainEncoder } from '../src/train/encoder/train-encoder.js'
import { StyleImages } from '../src/train/style-images.js'
import { BENCH_DATA, machine, since, synthData, writeResult } from './common.js'

const { values } = parseArgs({
  options: {
    train: { type: 'string', default: '1000' },
    eval: { type: 'string', default: '512' },
    steps: { type: 'string', default: '400' },
    backend: { type: 'string', default: 'wasm' },
    mining: { type: 'string', default: 'projected' },
    negatives: { type: 'string', default: 'farthest' },
  },
})
const info = await initBackend({ prefer: values.backend as 'wasm' })
const tAll = performance.now()
const trainDir = await synthData(Number(values.train), 64, 11)
const evalDir = await synthData(Number(values.eval), 64, 12)
const t0 = performance.now()
const extractor = await loadFeatureExtractor('resnet50')
const loadSeconds = since(t0)
const dataset = await openPairedDataset(folderStore(trainDir), { valFraction: 0 })
const images = new StyleImages(dataset, 'train', 64)
const out = join(BENCH_DATA, 'stage1-ckpt')
await rm(out, { recursive: true, force: true })
const phases: Record<string, number> = {}
let phaseStart = performance.now()
let phase = ''
const t1 = performance.now()
const result = await trainEncoder({
  images,
  datasetFingerprint: await dataset.fingerprint('train'),
  extractor,
  config: SMALL,
  steps: Number(values.steps),
  seed: 1,
  io: folderCheckpointIO(out),
  mining: values.mining as 'projected',
  negatives: values.negatives as 'farthest',
  cache: folderNeighbourCache(),
  onProgress: (p) => {
    if (p.phase !== phase) {
      if (phase) phases[phase] = since(phaseStart)
      phase = p.phase
      phaseStart = performance.now()
    }
    if (p.phase === 'train' && p.step % 50 === 0)
      console.error(`step ${p.step} loss ${p.loss?.toFixed(4)}`)
  },
})
phases[phase] = since(phaseStart)
const stage1Seconds = since(t1)

const evalSet = await openPairedDataset(folderStore(evalDir), { valFraction: 0 })
const evalImages = new StyleImages(evalSet, 'all', 64)
const clusters = new Map((await readSynthManifest(evalDir)).samples.map((s) => [s.name, s.cluster]))
const labels = evalImages.names.map((n) => clusters.get(n) ?? -1)
const teacher = await mineNeighbours(evalImages, extractor, await evalSet.fingerprint('all'), {
  mode: 'exact',
  seed: 1,
  kNear: 5,
  kFar: 1,
  cache: folderNeighbourCache(),
})
const untrained = createEncoder(SMALL.encoder, 2)
const precision = {
  encoder: await encoderPrecision(result.encoder, evalImages, labels, 5),
  teacher: precisionAtK(teacher.lists, labels, 5),
  untrained: await encoderPrecision(untrained, evalImages, labels, 5),
  chance: chancePrecision(labels),
}
await writeResult('stage1', {
  machine: machine(),
  backend: info.backend,
  features: extractor.description,
  train: {
    images: images.count,
    size: 64,
    steps: result.step,
    batch: 12,
    preset: 'small',
    mining: values.mining,
    negatives: values.negatives,
    miningCached: result.miningCached,
    finalLoss: result.lastLoss,
  },
  seconds: {
    extractorLoad: loadSeconds,
    ...phases,
    stage1Total: stage1Seconds,
    benchTotal: since(tAll),
  },
  eval: {
    images: evalImages.count,
    k: 5,
    precision,
    ratios: {
      encoderOverTeacher: precision.encoder / precision.teacher,
      encoderOverUntrained: precision.encoder / precision.untrained,
    },
  },
})
result.encoder.dispose()
untrained.dispose()
extractor.dispose()
