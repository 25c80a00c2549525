/**
 * Streams a paired dataset as tensor batches: shuffled per epoch, resized to `loadSize` (cover
 * policy), cropped to `size` (random for training, centre otherwise) and optionally mirrored. Every
 * random choice is derived from (seed, epoch, file name), so batches are identical for a seed and
 * independent of batch size. One batch is decoded ahead while the caller works on the current one.
 */
import * as tf from '@tensorflow/tfjs'
import { crop, fitImage, flipHorizontal } from '../core/image/resize.js'
import { imagesToBatch } from '../core/image/tensor.js'
import type { RgbImage } from '../core/image/types.js'
import { assertSeed, createRng, deriveSeed } from '../core/rng.js'
import type { ImagePair, PairedDataset, Split } from './paired.js'

/** Options for streamBatches. */
export interface BatchOptions {
  readonly split?: Split
  readonly batchSize: number
  /** Side of the square crops fed to the networks. */
  readonly size: number
  /** Side the images are resized to before cropping (default: 1.125 * size for random crops, else size). */
  readonly loadSize?: number
  readonly crop?: 'random' | 'centre'
  /** Mirror pairs left-right with probability 1/2 (default: true for random crops). */
  readonly flip?: boolean
  readonly shuffle?: boolean
  readonly seed: number
  readonly epoch?: number
  /** Drop a final batch smaller than batchSize (default false). */
  readonly dropLast?: boolean
}

/** One batch: input and output images [B, size, size, 3] in [-1, 1]. The caller disposes it. */
export interface PairBatch {
  readonly input: tf.Tensor4D
  readonly output: tf.Tensor4D
  readonly names: readonly string[]
  dispose(): void
}

/** Applies the resize / crop / flip policy to one pair with its own seeded randomness. */
export function augmentPair(
  pair: ImagePair,
  options: BatchOptions,
  seed: number,
): [RgbImage, RgbImage] {
  const random = (options.crop ?? 'random') === 'random'
  const loadSize = options.loadSize ?? (random ? Math.round(options.size * 1.125) : options.size)
  if (loadSize < options.size)
    throw new RangeError(`loadSize (${loadSize}) must be >= size (${options.size})`)
  const rng = createRng(seed)
  const x = random ? rng.int(loadSize - options.size + 1) : (loadSize - options.size) >> 1
  const y = random ? rng.int(loadSize - options.size + 1) : (loadSize - options.size) >> 1
  const mirror = (options.flip ?? random) && rng.next() < 0.5
  return [pair.input, pair.output].map((img) => {
    const c = crop(fitImage(img, loadSize, loadSize, 'cover'), x, y, options.size, options.size)
    return mirror ? flipHorizontal(c) : c
  }) as [RgbImage, RgbImage]
}

/** Yields the batches of one epoch; see the module comment. */
export async function* streamBatches(
  dataset: PairedDataset,
  options: BatchOptions,
): AsyncGenerator<PairBatch> {
  const { batchSize, size } = options
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batchSize: expected an integer >= 1, got ${batchSize}`)
  if (!Number.isInteger(size) || size < 8)
    throw new RangeError(`size: expected an integer >= 8, got ${size}`)
  const seed = assertSeed(options.seed)
  const epoch = options.epoch ?? 0
  const names = dataset.split(options.split ?? 'train')
  if (names.length === 0)
    throw new RangeError(`split '${options.split ?? 'train'}' of ${dataset.label} is empty`)
  const order =
    options.shuffle === false ? names : createRng(deriveSeed(seed, 'order', epoch)).shuffled(names)
  const groups: string[][] = []
  for (let i = 0; i < order.length; i += batchSize) groups.push(order.slice(i, i + batchSize))
  if (options.dropLast && (groups.at(-1)?.length ?? 0) < batchSize) groups.pop()

  const prepare = async (group: string[]): Promise<[RgbImage[], RgbImage[]]> => {
    const pairs = await Promise.all(group.map((n) => dataset.load(n)))
    const ins: RgbImage[] = []
    const outs: RgbImage[] = []
    for (const pair of pairs) {
      const [i, o] = augmentPair(pair, options, deriveSeed(seed, 'augment', epoch, pair.name))
      ins.push(i)
      outs.push(o)
    }
    return [ins, outs]
  }

  let next = groups[0] ? prepare(groups[0]) : null
  for (let g = 0; g < groups.length && next; g++) {
    const current = await next
    const following = groups[g + 1]
    next = following ? prepare(following) : null
    next?.catch(() => undefined) // surfaced when awaited on the next iteration
    const input = imagesToBatch(current[0])
    const output = imagesToBatch(current[1])
    yield { input, output, names: groups[g] ?? [], dispose: () => tf.dispose([input, output]) }
  }
}
