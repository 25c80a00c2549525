/** `step eval encoder`: style retrieval precision@k of a stage-1 encoder vs its teacher and chance. */
import { z } from 'zod'
import { InputError } from '../../core/errors.js'
import { folderStore } from '../../data/folder-store.node.js'
import { openPairedDataset } from '../../data/paired.js'
import { readSynthManifest } from '../../data/synth/write.node.js'
import { parseStepModelConfig } from '../../models/configs.js'
import { createEncoder } from '../../models/encoder.js'
import { loadFeatureExtractor } from '../../models/features/index.js'
import { initBackend } from '../../runtime/backend.js'
import { loadCheckpoint } from '../../checkpoint/folder-store.node.js'
import { encoderFromCheckpoint } from '../../inference/load-encoder.js'
import {
  chancePrecision,
  encoderPrecision,
  precisionAtK,
} from '../../train/eval/encoder-precision.js'
import { mineNeighbours } from '../../train/mining/mine.js'
import { StyleImages } from '../../train/style-images.js'
import { backendFlag, intFlag, parseOptions, pathFlag } from '../args.js'
import { say, type Command } from '../command.js'

const usage = `step eval encoder --model CKPT --data DIR [--k K] [--features F] [--mining exact|projected]
        [--backend auto|wasm|webgpu|cpu]

Style retrieval precision@k on DIR (a 'step dataset synth' folder: its styles.json cluster ids
are the labels): for every image, the fraction of its k nearest others with the same cluster, by
  encoder    the trained E (distance between codes z),
  teacher    the Gram style distance of the feature network E was trained from (default: the
             checkpoint's; --mining exact by default),
  untrained  a freshly initialised E of the same config,
  chance     a random retrieval.
Prints one JSON object.`

const schema = z.object({
  model: pathFlag,
  data: pathFlag,
  k: intFlag(1, 100).default(5),
  features: z.string().optional(),
  mining: z.enum(['exact', 'projected']).default('exact'),
  backend: backendFlag,
  help: z.boolean().optional(),
})

/** The command. */
export const evalEncoderCommand: Command = {
  name: 'eval encoder',
  summary: 'stage-1 style retrieval precision@k vs the Gram teacher and an untrained encoder',
  usage,
  async run(argv) {
    const o = parseOptions(
      argv,
      {
        model: { type: 'string' },
        data: { type: 'string' },
        k: { type: 'string' },
        features: { type: 'string' },
        mining: { type: 'string' },
        backend: { type: 'string' },
      },
      schema,
    )
    if (o.help) return (say(usage), 0)
    await initBackend({ prefer: o.backend })
    const loaded = await loadCheckpoint(o.model)
    const { manifest } = loaded
    const encoder = encoderFromCheckpoint(loaded, o.model)
    const untrained = createEncoder(
      parseStepModelConfig(manifest.config).encoder,
      manifest.seed + 1,
    )
    const dataset = await openPairedDataset(folderStore(o.data), { valFraction: 0 })
    const styles = await readSynthManifest(o.data)
    const clusterOf = new Map(styles.samples.map((s) => [s.name, s.cluster]))
    const images = new StyleImages(dataset, 'all', manifest.dataset.size)
    const labels = images.names.map((n) => {
      const c = clusterOf.get(n)
      if (c === undefined)
        throw new InputError('eval/labels', `image '${n}' has no entry in styles.json`, o.data)
      return c
    })
    const extractor = await loadFeatureExtractor(o.features ?? manifest.extractor?.id ?? 'resnet50')
    try {
      const teacher = await mineNeighbours(images, extractor, await dataset.fingerprint('all'), {
        mode: o.mining,
        seed: manifest.seed,
        kNear: o.k,
        kFar: 1,
      })
      const report = {
        n: images.count,
        k: o.k,
        clusters: new Set(labels).size,
        features: extractor.id,
        precision: {
          encoder: await encoderPrecision(encoder, images, labels, o.k),
          teacher: precisionAtK(teacher.lists, labels, o.k),
          untrained: await encoderPrecision(untrained, images, labels, o.k),
          chance: chancePrecision(labels),
        },
        model: {
          step: manifest.step,
          preset: (manifest.config as { preset?: string }).preset ?? null,
        },
      }
      say(JSON.stringify(report))
      return 0
    } finally {
      encoder.dispose()
      untrained.dispose()
      extractor.dispose()
    }
  },
}
