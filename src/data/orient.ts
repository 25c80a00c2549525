/**
 * A paired dataset turned the other way round: BtoA makes each pair's right / B image the input
 * and the left / A one the output (pix2pix sets such as facades or maps are photo -> label). Used
 * where a dataset was opened without options (the Load Dataset node); the CLI passes the
 * direction to openPairedDataset directly.
 */
import { fingerprintOf } from '../core/fingerprint.js'
import type { Direction, PairedDataset } from './paired.js'

/** `dataset` with `direction` (the same object when it already has it). */
export function withDirection(dataset: PairedDataset, direction: Direction): PairedDataset {
  if (dataset.direction === direction) return dataset
  return {
    label: dataset.label,
    layout: dataset.layout,
    direction,
    names: dataset.names,
    warnings: dataset.warnings,
    split: (which) => dataset.split(which),
    async load(name) {
      const pair = await dataset.load(name)
      return { name: pair.name, input: pair.output, output: pair.input }
    },
    // a different orientation is a different training set: resume checks and caches see it
    fingerprint: async (which) => fingerprintOf(await dataset.fingerprint(which), direction),
  }
}
