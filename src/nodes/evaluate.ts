/** Evaluate: `step eval`'s figures (PSNR, SSIM, perceptual distance, diversity, ablations). */
import { loadFeatureExtractor } from '../models/features/index.js'
import { evaluateModel } from '../train/eval/evaluate.js'
import { defineNode } from './define.js'
import { resolveFeatures, FEATURES_WIDGET } from './training.js'
import { MAX_SEED } from './widgets.js'

/** The node type. */
export const evaluateNode = defineNode({
  type: 'step/evaluate',
  title: 'Evaluate',
  category: 'StEP/Train',
  description:
    'Reconstruction quality of G(A, E(B)) vs B, the z = 0 and random-z ablations and the diversity of mapper samples, on the first count pairs of a split.',
  inputs: { model: { type: 'Model' }, dataset: { type: 'Dataset' } },
  outputs: { metrics: 'Metrics' },
  widgets: {
    split: { kind: 'combo', default: 'val', options: ['val', 'train', 'all'] },
    count: { kind: 'int', default: 32, min: 1, max: 100_000 },
    samples: { kind: 'int', default: 4, min: 2, max: 64 },
    features: FEATURES_WIDGET,
    seed: { kind: 'int', default: 1, min: 0, max: MAX_SEED },
  },
  async execute({ model, dataset }, w, ctx) {
    const features = resolveFeatures(w.features, ctx.env)
    const names = dataset.dataset.split(w.split).slice(0, w.count)
    if (names.length === 0)
      throw new RangeError(`widget 'split': the ${w.split} split of ${dataset.path} is empty`)
    const extractor = await loadFeatureExtractor(features)
    try {
      const report = await evaluateModel({
        model: model.model,
        dataset: dataset.dataset,
        names,
        size: model.size,
        extractor,
        samples: w.samples,
        seed: w.seed,
        signal: ctx.signal,
        onProgress: (phase, done, total) => ctx.progress(done, total),
      })
      ctx.log(`eval: ${JSON.stringify(report)}`)
      return { metrics: { ...report } }
    } finally {
      extractor.dispose()
    }
  },
})
