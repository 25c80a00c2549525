/**
 * Data of stages 2 and 3: the training pairs of step `s` and the fixed validation pairs of the
 * sample sheets. Batches follow streamBatches' recipe (batches.ts): a per-epoch shuffled order
 * from (seed, 'order', epoch) and augmentPair's random crop / flip from (seed, 'augment', epoch,
 * name); but step s takes the pairs at positions [s B, (s + 1) B) of the endless sequence of
 * epochs, so a resumed run draws exactly what an uninterrupted one would, every batch is full
 * (also when the split is smaller than a batch) and nothing before step s is decoded.
 */
import type * as tf from '@tensorflow/tfjs'
import { grid } from '../../core/image/compose.js'
import { encodePng } from '../../core/image/encode.js'
import { batchToImages, imagesToBatch } from '../../core/image/tensor.js'
import type { RgbImage } from '../../core/image/types.js'
import { createRng, deriveSeed } from '../../core/rng.js'
import { augmentPair, type BatchOptions } from '../../data/batches.js'
import type { PairedDataset, Split } from '../../data/paired.js'

/** Input A and output B images [B, size, size, 3] in [-1, 1]; the caller disposes both. */
export interface PairTensors {
  readonly input: tf.Tensor4D
  readonly output: tf.Tensor4D
}

/** Crop policy of the training batches. */
export interface PairBatchOptions {
  readonly batchSize: number
  /** Side of the random crops. */
  readonly size: number
  /** Side images are fitted to before cropping (default round(1.125 size), as streamBatches). */
  readonly loadSize?: number
  readonly seed: number
}

/** Training pairs by step (see the module comment). */
export class PairBatches {
  private readonly names: readonly string[]
  private orderEpoch = -1
  private order: string[] = []

  constructor(
    private readonly dataset: PairedDataset,
    private readonly options: PairBatchOptions,
    split: Split = 'train',
  ) {
    this.names = dataset.split(split)
    if (this.names.length === 0)
      throw new RangeError(`split '${split}' of ${dataset.label} is empty`)
  }

  /** Number of pairs in the split. */
  get count(): number {
    return this.names.length
  }

  /** The (epoch, name) of each pair of step `step` (0-based). */
  private slots(step: number): { epoch: number; name: string }[] {
    const { batchSize, seed } = this.options
    const n = this.names.length
    return Array.from({ length: batchSize }, (_, b) => {
      const pos = step * batchSize + b
      const epoch = Math.floor(pos / n)
      if (epoch !== this.orderEpoch) {
        this.orderEpoch = epoch
        this.order = createRng(deriveSeed(seed, 'order', epoch)).shuffled(this.names)
      }
      return { epoch, name: this.order[pos % n] ?? '' }
    })
  }

  /** Decoded, augmented images of step `step`. */
  async images(step: number): Promise<[RgbImage[], RgbImage[]]> {
    const slots = this.slots(step)
    const policy: BatchOptions = {
      batchSize: this.options.batchSize,
      size: this.options.size,
      seed: this.options.seed,
      crop: 'random',
      ...(this.options.loadSize !== undefined ? { loadSize: this.options.loadSize } : {}),
    }
    const pairs = await Promise.all(slots.map((s) => this.dataset.load(s.name)))
    const ins: RgbImage[] = []
    const outs: RgbImage[] = []
    pairs.forEach((pair, i) => {
      const epoch = slots[i]?.epoch ?? 0
      const [a, b] = augmentPair(
        pair,
        policy,
        deriveSeed(this.options.seed, 'augment', epoch, pair.name),
      )
      ins.push(a)
      outs.push(b)
    })
    return [ins, outs]
  }
}

/** Images as tensors. */
export function pairTensors([ins, outs]: [RgbImage[], RgbImage[]]): PairTensors {
  return { input: imagesToBatch(ins), output: imagesToBatch(outs) }
}

/**
 * The first `count` pairs of the 'val' split (the 'train' split when 'val' is empty), centre-
 * cropped to `size`: the fixed rows of every sample sheet.
 */
export async function samplePairs(
  dataset: PairedDataset,
  count: number,
  size: number,
): Promise<[RgbImage[], RgbImage[]]> {
  const val = dataset.split('val')
  const names = (val.length > 0 ? val : dataset.split('train')).slice(0, count)
  const policy: BatchOptions = { batchSize: 1, size, seed: 0, crop: 'centre', flip: false }
  const pairs = await Promise.all(names.map((n) => dataset.load(n)))
  const cropped = pairs.map((p) => augmentPair(p, policy, 0))
  return [cropped.map((c) => c[0]), cropped.map((c) => c[1])]
}

/** A PNG sheet with one column per pair and the rows A, B and G(A, E(B)). generated [N, S, S, 3]. */
export async function sampleSheet(
  inputs: readonly RgbImage[],
  outputs: readonly RgbImage[],
  generated: tf.Tensor4D,
): Promise<Uint8Array> {
  const fakes = await batchToImages(generated)
  return encodePng(grid([...inputs, ...outputs, ...fakes], inputs.length))
}
