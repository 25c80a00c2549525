/** The plan of a (non-restyle) synthetic dataset: the files to render and its styles.json. */
import { STYLE_CLUSTER_COUNT, styleParams, type SynthStyleParams } from './style.js'
import type { SynthDatasetManifest } from './manifest.js'
import { planSynthDataset } from './plan.js'

/** One file to render: scene seed and style. */
export interface SynthJob {
  readonly name: string
  readonly sceneSeed: number
  readonly style: SynthStyleParams
}

/** Jobs and manifest of `count` pairs of side `size` from `seed`. */
export function synthDatasetPlan(
  count: number,
  size: number,
  seed: number,
): { jobs: SynthJob[]; manifest: SynthDatasetManifest } {
  const plan = planSynthDataset(count, seed)
  return {
    jobs: plan.map((p) => ({ name: p.name, sceneSeed: p.sceneSeed, style: p.style })),
    manifest: {
      format: 'step-synth',
      version: 1,
      seed,
      size,
      count,
      clusters: STYLE_CLUSTER_COUNT,
      samples: plan.map((p) => ({
        name: p.name,
        sceneSeed: p.sceneSeed,
        cluster: p.style.cluster,
        style: styleParams(p.style),
      })),
    },
  }
}
